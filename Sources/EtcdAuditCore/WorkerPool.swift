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
    private var alive: Int

    init(threads: Int) {
        alive = max(1, threads)
        for index in 0..<alive {
            let thread = Thread { [self] in work() }
            thread.name = "etcd-audit-\(index)"
            // What the main thread has: jansson's trees can be nested deep.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs `task` on one of the threads, after the tasks submitted before it have started.
    func submit(_ task: @escaping () -> Void) {
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
