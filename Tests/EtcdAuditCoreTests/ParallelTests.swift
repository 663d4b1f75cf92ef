@testable import EtcdAuditCore
import Foundation
import Testing

/// The parallel parse changes nothing: the same store gives the same report with one
/// thread or several; and every fault the generator plants is found.
struct ParallelTests {
    static func generate(resources: Int, format: String) throws -> (dump: String, faults: String) {
        let dir = try TestSupport.temporaryDirectory()
        let dump = dir.appendingPathComponent("dump").path, faults = dir.appendingPathComponent("faults.jsonl").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestSupport.path("scripts/generate-dump.py"), "--resources", String(resources),
                             "--format", format, "--fault-rate", "0.2", "--seed", "7", "--out", dump, "--faults-out", faults]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return (dump, faults)
    }

    @Test("jobs 1 and jobs 2 give byte-identical reports", arguments: ["etcdctl-json", "jsonl"])
    func sameReportWithAnyNumberOfThreads(format: String) throws {
        // 1,100 resources: the rule engine splits them into several chunks with jobs > 1.
        let (dump, _) = try Self.generate(resources: 1100, format: format)
        let auditor = Auditor(catalog: TestSupport.catalog)
        let reports = try [1, 2, 3].map { jobs in
            try Reporters.reporter(for: .json).render(auditor.audit(paths: [dump], jobs: jobs), options: ReportOptions())
        }
        #expect(reports[0] == reports[1])
        #expect(reports[0] == reports[2])
        #expect(reports[0].contains("\"resources\" : 1100"))
    }

    @Test func ruleChunksCoverEveryResourceOnce() {
        for count in [0, 1, 255, 256, 1000, 1100, 67_074, 100_000] {
            for jobs in [1, 2, 3, 8, 66, 200] {
                let (chunks, size) = RuleEngine.chunking(count, jobs: jobs)
                let ranges = (0..<chunks).map { min(count, $0 * size)..<min(count, ($0 + 1) * size) }
                #expect(ranges.reduce(0) { $0 + $1.count } == count, "\(count) resources, \(jobs) jobs")
                #expect(count == 0 || ranges.allSatisfy { !$0.isEmpty }, "\(count) resources, \(jobs) jobs")
            }
        }
    }

    /// Uniqueness keeps one of these for every value of every resource until the end.
    @Test func sharedValuesTakeTwelveBytesAndCompareWholeHashes() {
        #expect(MemoryLayout<RuleEngine.SharedValue>.stride == 12)
        let low: UInt64 = 0x0000_0000_dead_beef, high: UInt64 = 0x0000_0001_dead_beef
        var values = [
            RuleEngine.SharedValue(hash: high, resource: 4),
            RuleEngine.SharedValue(hash: low, resource: 1),
            RuleEngine.SharedValue(hash: low, resource: 1),  // the same resource twice: not shared
            RuleEngine.SharedValue(hash: high, resource: 2),
            RuleEngine.SharedValue(hash: .max, resource: 3),
            RuleEngine.SharedValue(hash: low | 1 << 63, resource: 5),
        ]
        #expect(values.map(\.hash) == [high, low, low, high, .max, low | 1 << 63])
        #expect(RuleEngine.sharingResources(&values) == [2, 4])
        #expect(values.isEmpty)
    }

    @Test func everyPlantedFaultIsFound() throws {
        let (dump, faults) = try Self.generate(resources: 400, format: "etcdctl-json")
        let result = Auditor(catalog: TestSupport.catalog).audit(paths: [dump], jobs: 2)
        let found = Set(result.findings.map { "\($0.rule) \($0.resourceID)" })
        let planted = try String(contentsOfFile: faults, encoding: .utf8).split(separator: "\n").map { line -> String in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: String]
            return "\(object["rule"]!) \(object["resource_id"]!)"
        }
        #expect(planted.count > 40)
        for fault in planted { #expect(found.contains(fault), "planted fault not found: \(fault)") }
        // Nothing but the planted faults (and resources in flight) is reported.
        let unexpected = found.subtracting(planted).filter { !$0.hasPrefix("resource.in-flight ") }
        #expect(unexpected.isEmpty, "\(unexpected.sorted().prefix(5))")
    }

    /// The generator's etcdctl-json header carries the store's revision, the last one
    /// written, as etcdctl's does (it said 0); its records are the seed's, as jsonl has them.
    @Test func theGeneratedHeaderCarriesTheLastRevision() throws {
        func records(_ format: String) throws -> (records: [String], revision: Int64?) {
            let read = try TestSupport.records(at: try Self.generate(resources: 60, format: format).dump, format: nil)
            #expect(read.error == nil)
            let records = read.records.map {
                "\($0.key) \($0.createRevision ?? -1) \($0.modRevision ?? -1) \(String(decoding: $0.value, as: UTF8.self))"
            }
            return (records, read.info.revision)
        }
        let json = try records("etcdctl-json"), lines = try records("jsonl")
        #expect(json.records.count >= 6 * 60)  // six records a resource, seven in flight
        #expect(json.records == lines.records)
        #expect(json.revision == Int64(json.records.count))
    }

    /// A task that has run lets go of what it holds even while later tasks wait: a pool kept
    /// busy by a fast reader (the queue never empty) held every batch of values it had
    /// parsed, and the audit's memory grew with the store.
    @Test func aTaskThatRanIsFreedWhileOthersWait() {
        final class Held {}
        let pool = WorkerPool(threads: 1)
        let gate = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        // Every task is queued before the first runs, so the queue cannot run dry on the way.
        pool.submit { gate.wait() }
        weak var held: Held?
        do {
            let object = Held()
            held = object
            pool.submit { withExtendedLifetime(object) {} }
        }
        // The next task blocks the only thread, so the last stays queued behind it.
        pool.submit { started.signal(); release.wait() }
        pool.submit {}
        gate.signal()
        started.wait()
        #expect(held == nil, "the finished task's closure is still held by the queue")
        release.signal()
        pool.close()
    }

    /// A pool whose queue never runs dry compacts it as it goes: every task still runs
    /// once, in the order submitted.
    @Test func aQueueThatNeverRunsDryRunsEveryTaskInOrder() {
        final class Log: @unchecked Sendable { var ran: [Int] = [] }
        let log = Log(), pool = WorkerPool(threads: 1)
        let release = DispatchSemaphore(value: 0)
        pool.submit { release.wait() }
        // More tasks than the queue takes before it compacts, all queued behind the first.
        let count = 2 * WorkerPool.compactionThreshold + 1
        for n in 0..<count { pool.submit { log.ran.append(n) } }
        release.signal()
        pool.close()
        #expect(log.ran == Array(0..<count))
        #expect(pool.peakTakenSlots <= WorkerPool.compactionThreshold, "the queue kept \(pool.peakTakenSlots) taken slots")
    }

    /// The pool's warning (fewer threads than asked) is said once a run, and not at all
    /// once `--quiet` silenced it: `Warnings.silence`, what the commands call, silences the
    /// pools' own (the process's, for the rest of the tests too: none reads it).
    @Test func thePoolsWarningIsSaidOnceAndNotWhenSilenced() {
        let loud = WarnOnce()
        #expect(loud.say("ParallelTests: a warning said once (this line is the test's)"))
        #expect(!loud.say("ParallelTests: a warning said twice"))
        let quiet = WarnOnce()
        quiet.silence()
        #expect(!quiet.say("ParallelTests: a warning after --quiet"))
        Warnings.silence()
        #expect(WorkerPool.warnOnce.isSilenced)
    }

    /// A system that refuses threads (`--jobs 100000`, a low `ulimit -u`) leaves the pool
    /// with those it started, or with none: every task still runs and `close` returns. The
    /// pool used to count the threads asked for and wait for ones that never ran, forever.

    @Test(arguments: [0, 2])
    func aPoolGoesOnWithTheThreadsTheSystemGives(allowed: Int) {
        final class Log: @unchecked Sendable {
            let lock = NSLock()
            var ran = 0
            func add() { lock.lock(); ran += 1; lock.unlock() }
        }
        var asked = 0
        let pool = WorkerPool(threads: 8) { name, body in
            asked += 1
            return asked <= allowed && WorkerPool.startThread(named: name, body)
        }
        #expect(pool.threads == allowed)
        let log = Log()
        for _ in 0..<100 { pool.submit { log.add() } }
        // On another thread: a pool that waits for threads that never ran fails the test
        // rather than hanging it.
        let closed = DispatchSemaphore(value: 0)
        Thread { pool.close(); closed.signal() }.start()
        #expect(closed.wait(timeout: .now() + 30) == .success, "close() is waiting for threads that never started")
        #expect(log.ran == 100)
        #expect(pool.peakRunning <= max(allowed, 1))
    }
}
