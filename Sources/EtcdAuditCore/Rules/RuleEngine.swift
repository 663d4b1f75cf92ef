import Dispatch

/// Runs rules over the joined resources; findings come out in report order, whatever
/// the number of threads.
public enum RuleEngine {
    /// Resources are decoded a chunk at a time (`resource(i)` for the i-th in report
    /// order), so only a few chunks exist as Swift values at once.
    public static func run(_ rules: [Rule], on count: Int, jobs: Int = 1,
                           resource: @escaping @Sendable (Int) -> Resource) -> [Finding] {
        let across = rules.filter { type(of: $0.check).checksAcrossResources }
        let (chunkCount, chunkSize) = chunking(count, jobs: jobs)
        let results = ChunkResults(count: chunkCount)
        let runChunk: @Sendable (Int) -> Void = { chunk in
            let range = min(count, chunk * chunkSize)..<min(count, (chunk + 1) * chunkSize)
            let resources = range.map(resource)
            var found: [Finding] = []
            for rule in rules {
                var sink = FindingSink(rule: rule.id, severity: rule.severity)
                for resource in resources where rule.applies(to: resource.type) {
                    rule.check.check(resource, &sink)
                }
                found += sink.findings
            }
            // Cross-resource checks: a digest of each value a resource must not share
            // (with its type: uniqueness holds within a type), and where it came from.
            let shared = across.map { rule -> [SharedValue] in
                var values: [SharedValue] = []
                for (offset, resource) in resources.enumerated() where rule.applies(to: resource.type) {
                    guard let (held, _) = rule.check.sharedValues(resource) else { continue }
                    for value in held {
                        values.append(SharedValue(hash: StableHasher.digest(of: resource.type.singular, value).low,
                                                  resource: UInt32(range.lowerBound + offset)))
                    }
                }
                return values
            }
            results.set(chunk, found, shared)
        }
        // `--jobs 1` means one thread: concurrentPerform would use every core.
        if jobs > 1 {
            DispatchQueue.concurrentPerform(iterations: chunkCount, execute: runChunk)
        } else {
            for chunk in 0..<chunkCount { runChunk(chunk) }
        }
        var findings = results.findings
        for (slot, rule) in across.enumerated() {
            // Only the resources that share a value with another are decoded again: the
            // check then sees every holder of each shared value, so it reports the same
            // as it would on every resource.
            let holders = sharingResources(results.takeShared(slot)).map(resource)
            let byType = Dictionary(grouping: holders, by: \.type)
            var sink = FindingSink(rule: rule.id, severity: rule.severity)
            for type in byType.keys.sorted() where rule.applies(to: type) {
                rule.check.checkAcross(byType[type]!, &sink)
            }
            findings += sink.findings
        }
        return findings.sorted(by: Finding.reportOrder)
    }

    /// A value a resource holds, by a 64-bit hash: an equal hash only means the check
    /// looks at both resources, and it compares the values themselves. 16 bytes: there is
    /// one for every value of every resource at once.
    struct SharedValue {
        var hash: UInt64
        var resource: UInt32
    }

    /// The resources (in report order) holding a value some other resource holds too.
    static func sharingResources(_ values: consuming [SharedValue]) -> [Int] {
        var sorted = values
        sorted.sort { ($0.hash, $0.resource) < ($1.hash, $1.resource) }
        var sharing = Set<Int>()
        var start = 0
        while start < sorted.count {
            var end = start + 1
            while end < sorted.count, sorted[end].hash == sorted[start].hash { end += 1 }
            if sorted[end - 1].resource != sorted[start].resource {
                for i in start..<end { sharing.insert(Int(sorted[i].resource)) }
            }
            start = end
        }
        return sharing.sorted()
    }

    /// Chunks of at most 64 resources (a chunk is decoded at once, so this bounds the
    /// memory of the rules), about four per thread when there are fewer; every chunk
    /// non-empty (the count follows from the size, rounded up).
    static func chunking(_ count: Int, jobs: Int) -> (count: Int, size: Int) {
        guard count > 0 else { return (1, 1) }
        let perThread = (count + jobs * 4 - 1) / (jobs * 4)
        let size = max(1, min(64, perThread))
        return ((count + size - 1) / size, size)
    }

    /// Where the chunks leave their findings and shared values; each slot is written by
    /// one task only.
    private final class ChunkResults: @unchecked Sendable {
        private var slots: [(findings: [Finding], shared: [[SharedValue]])]
        private let lock = DispatchSemaphore(value: 1)
        init(count: Int) { slots = Array(repeating: ([], []), count: count) }
        func set(_ index: Int, _ findings: [Finding], _ shared: [[SharedValue]]) {
            lock.wait()
            slots[index] = (findings, shared)
            lock.signal()
        }
        var findings: [Finding] { slots.flatMap(\.findings) }
        /// One rule's shared values, let go by the chunks as they are gathered.
        func takeShared(_ rule: Int) -> [SharedValue] {
            var all: [SharedValue] = []
            all.reserveCapacity(slots.reduce(0) { $0 + $1.shared[rule].count })
            for i in slots.indices {
                all += slots[i].shared[rule]
                slots[i].shared[rule] = []
            }
            return all
        }
    }
}
