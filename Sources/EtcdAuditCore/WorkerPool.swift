import Foundation

/// `--jobs N` threads and no more: the parsers and the rules hand their work to one of
/// these. Dispatch's global queue and `concurrentPerform` size themselves by the cores, so
/// they cannot keep a promise of N threads.
final class WorkerPool: @unchecked Sendable {
    private let condition = NSCondition()
    /// Tasks not yet taken from `head` on; a taken slot is emptied at once, so a task (and
    /// whatever it holds, such as a batch of values) is freed when it has run, not when the
    /// queue next runs dry, which a busy pool may never do.
    private var queue: [(() -> Void)?] = []
    private var head = 0
    /// Taken slots kept before the queue is compacted, when it does not run dry first.
    static let compactionThreshold = 4096
    private var running = 0
    private var closed = false
    /// The most tasks that ran at once (tests: never more than the threads).
    private(set) var peakRunning = 0
    /// The most taken slots the queue held at once (tests: the compaction bounds them).
    private(set) var peakTakenSlots = 0
    private var alive = 0
    /// No thread could be started: tasks run on the caller's thread, one after the other.
    private var inline = false
    /// The threads running (fewer than asked when the system refused more).
    private(set) var threads = 0

    /// `start` starts a thread, false when the system refuses one (tests refuse some).
    init(threads requested: Int,
         start: (_ name: String, _ body: @escaping () -> Void) -> Bool = WorkerPool.startThread) {
        var started = 0
        for index in 0..<max(1, requested) {
            guard start("etcd-audit-\(index)", { [self] in work() }) else {
                // The system has no more threads to give (`--jobs 100000`, a low `ulimit -u`):
                // go on with those running; a thread never started must not be waited for.
                Self.warnOnce.say("etcd-audit: --jobs \(requested): the system would start only \(started) threads"
                                  + (started == 0 ? "; working on one" : "; going on with those"))
                break
            }
            started += 1
        }
        // Counted once all are started: a thread leaves (and counts itself out) only after
        // `close`, which cannot come before `init` returns.
        condition.lock()
        alive = started
        condition.unlock()
        threads = started
        inline = started == 0
    }

    /// Both pools of a run would say the same.
    static let warnOnce = WarnOnce()

    /// A thread that runs `body`, with the stack the main thread has (jansson's trees can
    /// be nested deep); false when the system refuses one. Foundation's `Thread.start`
    /// cannot say so, and a pool waiting for a thread that never ran would wait forever.
    static func startThread(named name: String, _ body: @escaping () -> Void) -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 8 << 20)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let box = Unmanaged.passRetained(ThreadBody {
            Thread.current.name = name  // as gdb and top show it
            body()
        })
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { context in
            let body = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, box.toOpaque())
        guard status == 0 else {
            box.release()
            return false
        }
        return true
    }

    /// Runs `task` on one of the threads, after the tasks submitted before it have started.
    func submit(_ task: @escaping () -> Void) {
        if inline { return task() }
        condition.lock()
        precondition(!closed, "submit after close")
        queue.append(task)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads end once every submitted task has run; waits for them.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        while alive > 0 { condition.wait() }
        condition.unlock()
    }

    private func work() {
        condition.lock()
        while true {
            if head < queue.count {
                let task = queue[head]!
                queue[head] = nil
                head += 1
                peakTakenSlots = max(peakTakenSlots, head)
                if head == queue.count {
                    queue.removeAll(keepingCapacity: true)
                    head = 0
                } else if head >= Self.compactionThreshold {
                    queue.removeFirst(head)
                    head = 0
                }
                running += 1
                peakRunning = max(peakRunning, running)
                condition.unlock()
                task()
                condition.lock()
                running -= 1
            } else if closed {
                break
            } else {
                condition.wait()
            }
        }
        alive -= 1
        condition.broadcast()
        condition.unlock()
    }
}

/// What a started thread runs, passed through pthread's context pointer.
private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// Writes a line to stderr the first time only.
final class WarnOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var said = false
    private var silenced = false

    /// Writes `line` on stderr unless something was said already or `--quiet` asked for
    /// silence; true when it was written.
    @discardableResult
    func say(_ line: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !said, !silenced else { return false }
        said = true
        FileHandle.standardError.write(Data((line + "\n").utf8))
        return true
    }

    func silence() {
        lock.lock()
        silenced = true
        lock.unlock()
    }

    var isSilenced: Bool {
        lock.lock()
        defer { lock.unlock() }
        return silenced
    }
}

/// What the library says on stderr that is no error (a pool given fewer threads than
/// asked): `--quiet` silences it.
public enum Warnings {
    public static func silence() { WorkerPool.warnOnce.silence() }
}

/// `body(0)`, …, `body(count - 1)`, run side by side on Dispatch's threads, their results
/// in order. For a few parts of a step after the rules (locating, writing the report): the
/// caller keeps `count` within `--jobs`, so the promise of N threads holds.
func concurrentMap<T>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    // Each part writes its own element, and only it.
    nonisolated(unsafe) let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    results.initialize(repeating: nil)
    defer { results.deinitialize().deallocate() }
    DispatchQueue.concurrentPerform(iterations: count) { results[$0] = body($0) }
    return results.map { $0! }
}
