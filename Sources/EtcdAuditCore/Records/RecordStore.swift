/// The join: every declared record, grouped by resource type and id. When a key occurs
/// more than once (several inputs, concatenated dumps), the value with the highest
/// `mod_revision` is audited, else the last one read (SPEC §3).
public struct RecordStore: Sendable {
    struct ResourceKey: Hashable {
        var plural: String
        var id: String
    }

    private var resourceIndex: [ResourceKey: Int] = [:]
    public private(set) var resources: [Resource] = []
    /// Keys read with more than one distinct value: each value's digest with the record it
    /// was first read in. Empty for a clean store, so there is no table of every key: a key
    /// belongs to one resource and one record kind, and the resource holds what was read.
    private var conflicts: [String: [(digest: JSONDigest, meta: RecordMeta)]] = [:]
    public private(set) var recordsRead = 0
    public private(set) var skippedKeys = 0

    public init() {}

    public mutating func countSkippedKey() {
        recordsRead += 1
        skippedKeys += 1
    }

    public mutating func add(_ record: ParsedRecord) {
        recordsRead += 1
        let key = record.meta.key
        let rkey = ResourceKey(plural: record.match.type.plural, id: record.match.id)
        guard let index = resourceIndex[rkey], let held = resources[index].record(record.match.kind, key: key) else {
            let index: Int
            if let existing = resourceIndex[rkey] {
                index = existing
            } else {
                index = resources.count
                resources.append(Resource(type: record.match.type, id: record.match.id))
                resourceIndex[rkey] = index
            }
            place(record, in: index)
            if !record.problems.isEmpty { resources[index].problems += record.problems.map { (record.meta, $0) } }
            return
        }
        // The key was read before.
        let digest = record.valueDigest
        let known = conflicts[key]
        let seen = known.map { $0.contains { $0.digest == digest } } ?? (digest == held.valueDigest)
        if !seen {
            // Without earlier conflicts every read so far had the held value.
            let values = (known ?? [(held.valueDigest, held.meta)]) + [(digest, record.meta)]
            conflicts[key] = values
            resources[index].problems.removeAll { entry in
                guard entry.meta.key == key, case .conflictingValues = entry.problem else { return false }
                return true
            }
            resources[index].problems.append((record.meta, .conflictingValues(values.map(\.meta))))
        }
        // A value read again, even one seen before, may be the newest: A at revision 1,
        // B at 3, A at 5 audits A.
        let newer: Bool
        switch (record.meta.modRevision, held.meta.modRevision) {
        case (let new?, let old?) where new != old: newer = new > old
        default: newer = true  // same or unknown revision: the last read wins
        }
        if newer {
            // The superseded value is no longer audited, but an invalid one was still
            // stored in etcd: its input.invalid-json finding stays.
            resources[index].problems.removeAll { entry in
                guard entry.meta.key == key else { return false }
                switch entry.problem {
                case .invalidJSON, .conflictingValues: return false
                default: return true
                }
            }
            place(record, in: index)
            // input.invalid-json counts each distinct value once.
            resources[index].problems += record.problems.compactMap { problem in
                if seen, case .invalidJSON = problem { return nil }
                return (record.meta, problem)
            }
        } else if !seen {
            resources[index].problems += record.problems.compactMap { problem in
                if case .invalidJSON = problem { return (record.meta, problem) }
                return nil
            }
        }
    }

    private mutating func place(_ record: ParsedRecord, in index: Int) {
        let meta = record.meta, digest = record.valueDigest
        switch record.content {
        case .config(let facts): resources[index].config = Entry(meta: meta, facts: facts, valueDigest: digest)
        case .job(let facts):
            let entry = Entry(meta: meta, facts: facts, valueDigest: digest)
            if let at = resources[index].jobs.firstIndex(where: { $0.meta.key == meta.key }) {
                resources[index].jobs[at] = entry
            } else {
                resources[index].jobs.append(entry)
            }
        case .stack(let facts): resources[index].stack = Entry(meta: meta, facts: facts, valueDigest: digest)
        case .jobState(let facts): resources[index].jobState = Entry(meta: meta, facts: facts, valueDigest: digest)
        case .state(let facts): resources[index].state = Entry(meta: meta, facts: facts, valueDigest: digest)
        case .monitoring(let facts): resources[index].monitoring = Entry(meta: meta, facts: facts, valueDigest: digest)
        }
    }

    /// Hands over the resources sorted by type and id, jobs by key (the order every
    /// report follows), sorting in place: the store is done with them.
    public mutating func takeSortedResources() -> [Resource] {
        resourceIndex = [:]
        for i in resources.indices where resources[i].jobs.count > 1 {
            resources[i].jobs.sort { $0.meta.key < $1.meta.key }
        }
        resources.sort { $0.ref < $1.ref }
        let sorted = resources
        resources = []
        conflicts = [:]
        return sorted
    }
}
