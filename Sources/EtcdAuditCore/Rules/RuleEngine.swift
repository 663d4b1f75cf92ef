import Dispatch

/// Runs rules over the joined resources; findings come out in report order, whatever
/// the number of threads.
public enum RuleEngine {
    public static func run(_ rules: [Rule], on resources: [Resource], jobs: Int = 1) -> [Finding] {
        // Per-resource checks: resources in chunks, one chunk per task, each with its own
        // sinks (resources are not changed after the join, so they are shared read-only).
        let (chunkCount, chunkSize) = chunking(resources.count, jobs: jobs)
        let results = ChunkResults(count: chunkCount)
        DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
            let range = min(resources.count, chunk * chunkSize)..<min(resources.count, (chunk + 1) * chunkSize)
            var found: [Finding] = []
            for rule in rules {
                var sink = FindingSink(rule: rule.id, severity: rule.severity)
                for index in range where rule.applies(to: resources[index].type) {
                    rule.check.check(resources[index], &sink)
                }
                found += sink.findings
            }
            results.set(chunk, found)
        }
        var findings = results.all
        // Cross-resource checks see one type at a time.
        let acrossRules = rules.filter { type(of: $0.check).checksAcrossResources }
        if !acrossRules.isEmpty {
            let byType = Dictionary(grouping: resources, by: \.type)
            for rule in acrossRules {
                var sink = FindingSink(rule: rule.id, severity: rule.severity)
                for type in byType.keys.sorted() where rule.applies(to: type) {
                    rule.check.checkAcross(byType[type]!, &sink)
                }
                findings += sink.findings
            }
        }
        return findings.sorted(by: Finding.reportOrder)
    }

    /// Chunks of at least 256 resources, about four per thread; every chunk non-empty
    /// (the count follows from the size, rounded up).
    static func chunking(_ count: Int, jobs: Int) -> (count: Int, size: Int) {
        guard jobs > 1, count > 0 else { return (1, max(count, 1)) }
        let wanted = min(jobs * 4, max(1, count / 256))
        let size = (count + wanted - 1) / wanted
        return ((count + size - 1) / size, size)
    }

    /// Where the chunks leave their findings; each slot is written by one task only.
    private final class ChunkResults: @unchecked Sendable {
        private var slots: [[Finding]]
        private let lock = DispatchSemaphore(value: 1)
        init(count: Int) { slots = Array(repeating: [], count: count) }
        func set(_ index: Int, _ findings: [Finding]) {
            lock.wait()
            slots[index] = findings
            lock.signal()
        }
        var all: [Finding] { slots.flatMap { $0 } }
    }
}
