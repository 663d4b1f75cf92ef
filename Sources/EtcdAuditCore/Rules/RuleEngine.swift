import Dispatch

/// Runs rules over the joined resources; findings come out in report order, whatever
/// the number of threads.
public enum RuleEngine {
    /// What the rules found: each resource's own findings packed (they are held while the
    /// store is), and the findings across resources.
    public struct Outcome {
        fileprivate var packed = PackedFindings()
        fileprivate var across: [Finding] = []

        /// Every finding, in report order. Call it once the store is let go.
        public consuming func findings() -> [Finding] {
            var findings = packed.unpacked()
            packed = PackedFindings()  // the bytes go before the sort's copy is made
            findings += across
            findings.sort(by: Finding.reportOrder)
            return findings
        }
    }

    /// Resources are decoded a chunk at a time (`resource(i)` for the i-th in report
    /// order), so only a few chunks exist as Swift values at once. With `emit`, the
    /// findings of each chunk's own resources go to it, chunk after chunk in report order,
    /// on the calling thread, and are not kept: the result holds only the findings across
    /// resources (uniqueness), which can only be known at the end.
    public static func run(_ rules: [Rule], on count: Int, jobs: Int = 1,
                           resource: @escaping @Sendable (Int) -> Resource,
                           emit: (([Finding]) -> Void)? = nil) -> Outcome {
        let across = rules.filter { $0.check.acrossResources }
        let (chunkCount, chunkSize) = chunking(count, jobs: jobs)
        var shared = [[SharedValue]](repeating: [], count: across.count)
        var outcome = Outcome()
        forEachChunk(chunkCount, jobs: jobs, run: { chunk in
            let range = min(count, chunk * chunkSize)..<min(count, (chunk + 1) * chunkSize)
            return check(rules, across: across, range.lowerBound, range.map(resource))
        }, take: { done in
            for (slot, values) in done.shared.enumerated() { shared[slot] += values }
            if let emit { emit(done.findings) } else { outcome.packed.append(contentsOf: done.findings) }
        })
        for (slot, rule) in across.enumerated() {
            // Only the resources that share a value with another are decoded again: the
            // check then sees every holder of each shared value, so it reports the same
            // as it would on every resource.
            let holders = sharingResources(&shared[slot]).map(resource)
            let byType = Dictionary(grouping: holders, by: \.type)
            var sink = FindingSink(rule: rule.id, severity: rule.severity)
            for type in byType.keys.sorted() where rule.applies(to: type) {
                rule.check.checkAcross(byType[type]!, &sink)
            }
            outcome.across += sink.findings.map { finding in
                var f = finding
                f.acrossResources = true
                return f
            }
        }
        return outcome
    }

    /// What one chunk gave: its resources' findings, and for each cross-resource rule a
    /// digest of each value a resource must not share (with its type: uniqueness holds
    /// within a type), and where it came from.
    private struct ChunkResult {
        var findings: [Finding]
        var shared: [[SharedValue]]
    }

    private static func check(_ rules: [Rule], across: [Rule], _ first: Int, _ resources: [Resource]) -> ChunkResult {
        var found: [Finding] = []
        for rule in rules {
            var sink = FindingSink(rule: rule.id, severity: rule.severity)
            for resource in resources where rule.applies(to: resource.type) {
                rule.check.check(resource, &sink)
            }
            found += sink.findings
        }
        let shared = across.map { rule -> [SharedValue] in
            var values: [SharedValue] = []
            for (offset, resource) in resources.enumerated() where rule.applies(to: resource.type) {
                guard let (held, _) = rule.check.sharedValues(resource) else { continue }
                for value in held {
                    values.append(SharedValue(hash: StableHasher.digest(of: resource.type.singular, value).low,
                                              resource: UInt32(first + offset)))
                }
            }
            return values
        }
        return ChunkResult(findings: found.sorted(by: Finding.reportOrder), shared: shared)
    }

    /// Runs `run` for every chunk on `jobs` threads (the calling thread alone for one job)
    /// and gives each result to `take` on the calling thread, in chunk order. At most
    /// `4 × jobs` chunks are checked ahead of the one `take` waits for, so the findings
    /// held at once stay bounded however many there are.
    private static func forEachChunk(_ chunkCount: Int, jobs: Int, run: @escaping @Sendable (Int) -> ChunkResult,
                                     take: (ChunkResult) -> Void) {
        guard jobs > 1 else {
            for chunk in 0..<chunkCount { take(run(chunk)) }
            return
        }
        final class Slot: @unchecked Sendable {
            var result: ChunkResult?
            let done = DispatchSemaphore(value: 0)
        }
        let pool = WorkerPool(threads: jobs)
        defer { pool.close() }
        var waiting: [Slot] = []
        var next = 0
        let window = 4 * jobs
        while next < chunkCount || !waiting.isEmpty {
            if next < chunkCount && waiting.count < window {
                let slot = Slot(), chunk = next
                pool.submit {
                    slot.result = run(chunk)
                    slot.done.signal()
                }
                waiting.append(slot)
                next += 1
                continue
            }
            let oldest = waiting.removeFirst()
            oldest.done.wait()
            take(oldest.result!)
        }
    }

    /// A value a resource holds, by a 64-bit hash: an equal hash only means the check
    /// looks at both resources, and it compares the values themselves. There is one for
    /// every value of every resource at once: the hash is kept as two halves, so that the
    /// value takes 12 bytes, not the 16 a `UInt64` beside a `UInt32` would pad to.
    struct SharedValue {
        private var hashHigh: UInt32
        private var hashLow: UInt32
        var resource: UInt32

        init(hash: UInt64, resource: UInt32) {
            hashHigh = UInt32(truncatingIfNeeded: hash >> 32)
            hashLow = UInt32(truncatingIfNeeded: hash)
            self.resource = resource
        }

        var hash: UInt64 { UInt64(hashHigh) << 32 | UInt64(hashLow) }
    }

    /// The resources (in report order) holding a value some other resource holds too.
    /// Sorts `values` in place, as a sorted copy would come on top of every value, and
    /// empties it.
    static func sharingResources(_ sorted: inout [SharedValue]) -> [Int] {
        defer { sorted = [] }
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
}
