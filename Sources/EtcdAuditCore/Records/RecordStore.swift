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
        var chosenRevision: Int64?
        var chosenOrder: Int
        var kind: RecordKind
        var resource: ResourceKey
        /// Each distinct value (by digest) with where it was first read.
        public internal(set) var distinctValues: [(digest: JSONDigest, meta: RecordMeta)]
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
        let order = recordsRead
        let key = record.meta.key
        let rkey = ResourceKey(plural: record.match.type.plural, id: record.match.id)
        if var history = keys[key] {
            if history.distinctValues.contains(where: { $0.digest == record.valueDigest }) { return }
            history.distinctValues.append((record.valueDigest, record.meta))
            let newer: Bool
            switch (record.meta.modRevision, history.chosenRevision) {
            case (let new?, let old?) where new != old: newer = new > old
            default: newer = true  // same or unknown revision: the last read wins
            }
            let index = resourceIndex[rkey]!
            if newer {
                history.chosenRevision = record.meta.modRevision
                history.chosenOrder = order
                // The superseded value is no longer audited, but an invalid one was still
                // stored in etcd: its input.invalid-json finding stays.
                resources[index].problems.removeAll { entry in
                    guard entry.meta.key == key else { return false }
                    if case .invalidJSON = entry.problem { return false }
                    return true
                }
                place(record, in: index)
                resources[index].problems += record.problems.map { (record.meta, $0) }
            } else {
                resources[index].problems += record.problems.compactMap { problem in
                    if case .invalidJSON = problem { return (record.meta, problem) }
                    return nil
                }
            }
            keys[key] = history
            return
        }
        let index: Int
        if let existing = resourceIndex[rkey] {
            index = existing
        } else {
            index = resources.count
            resources.append(Resource(type: record.match.type, id: record.match.id))
            resourceIndex[rkey] = index
        }
        keys[key] = KeyHistory(chosenRevision: record.meta.modRevision, chosenOrder: order, kind: record.match.kind,
                               resource: rkey, distinctValues: [(record.valueDigest, record.meta)])
        place(record, in: index)
        resources[index].problems += record.problems.map { (record.meta, $0) }
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

    /// Resources sorted by type and id, jobs by key: the order every report follows.
    public func sortedResources() -> [Resource] {
        resources.map { resource in
            var r = resource
            r.jobs.sort { $0.meta.key < $1.meta.key }
            return r
        }.sorted { $0.ref < $1.ref }
    }
}
