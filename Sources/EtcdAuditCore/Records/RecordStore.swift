/// The join: every declared record, grouped by resource type and id. When a key occurs
/// more than once (several inputs, concatenated dumps), the value with the highest
/// `mod_revision` is audited, else the last one read (SPEC §3).
public struct RecordStore: Sendable {
    struct ResourceKey: Hashable {
        var plural: String
        var id: String
    }

    /// What the store remembers of one key across its occurrences.
    public struct KeyHistory: Sendable {
        var resource: Int
        var chosenRevision: Int64?
        var firstDigest: JSONDigest
        /// Empty unless the key was read with different values: then each distinct value
        /// with the record it was first read in.
        public internal(set) var conflicts: [(digest: JSONDigest, meta: RecordMeta)] = []
    }

    private var resourceIndex: [ResourceKey: Int] = [:]
    public private(set) var resources: [Resource] = []
    public private(set) var keys: [String: KeyHistory] = [:]
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
        if var history = keys[key] {
            let digest = record.valueDigest
            let index = history.resource
            let seen = digest == history.firstDigest || history.conflicts.contains(where: { $0.digest == digest })
            if !seen {
                if history.conflicts.isEmpty, let chosen = resources[index].meta(ofKey: key) {
                    history.conflicts.append((history.firstDigest, chosen))
                }
                history.conflicts.append((digest, record.meta))
                resources[index].problems.removeAll { entry in
                    guard entry.meta.key == key, case .conflictingValues = entry.problem else { return false }
                    return true
                }
                resources[index].problems.append((record.meta, .conflictingValues(history.conflicts.map(\.meta))))
            }
            // A value read again, even one seen before, may be the newest: A at revision 1,
            // B at 3, A at 5 audits A.
            let newer: Bool
            switch (record.meta.modRevision, history.chosenRevision) {
            case (let new?, let old?) where new != old: newer = new > old
            default: newer = true  // same or unknown revision: the last read wins
            }
            if newer {
                history.chosenRevision = record.meta.modRevision
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
            keys[key] = history
            return
        }
        let rkey = ResourceKey(plural: record.match.type.plural, id: record.match.id)
        let index: Int
        if let existing = resourceIndex[rkey] {
            index = existing
        } else {
            index = resources.count
            resources.append(Resource(type: record.match.type, id: record.match.id))
            resourceIndex[rkey] = index
        }
        keys[key] = KeyHistory(resource: index, chosenRevision: record.meta.modRevision, firstDigest: record.valueDigest)
        place(record, in: index)
        if !record.problems.isEmpty { resources[index].problems += record.problems.map { (record.meta, $0) } }
    }

    private mutating func place(_ record: ParsedRecord, in index: Int) {
        let meta = record.meta
        switch record.content {
        case .config(let facts): resources[index].config = Entry(meta: meta, facts: facts)
        case .job(let facts):
            let entry = Entry(meta: meta, facts: facts)
            if let at = resources[index].jobs.firstIndex(where: { $0.meta.key == meta.key }) {
                resources[index].jobs[at] = entry
            } else {
                resources[index].jobs.append(entry)
            }
        case .stack(let facts): resources[index].stack = Entry(meta: meta, facts: facts)
        case .jobState(let facts): resources[index].jobState = Entry(meta: meta, facts: facts)
        case .state(let facts): resources[index].state = Entry(meta: meta, facts: facts)
        case .monitoring(let facts): resources[index].monitoring = Entry(meta: meta, facts: facts)
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
        // Key histories point into the unsorted order; they are not needed after this.
        keys = [:]
        return sorted
    }
}
