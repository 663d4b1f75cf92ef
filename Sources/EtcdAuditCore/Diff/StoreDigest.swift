/// What `diff` keeps of one side's store once it is audited: every resource's records as
/// key, kind, mod_revision and the digest of the value audited. A store can be GBs; this is
/// a few dozen bytes a record, and the members of the records that changed are read again
/// afterwards (`ChangedRecords`), so neither side's values are held.
public final class StoreDigest: @unchecked Sendable {
    public struct Record: Sendable, Equatable {
        public var kind: RecordKind
        public var key: String
        public var modRevision: Int64?
        public var digest: JSONDigest
    }

    public struct Resource: Sendable {
        public var type: ResourceType
        public var id: String
        /// In pipeline order (config, jobs by key, stack, job_state, state, monitoring).
        public var records: [Record]
        public var ref: ResourceRef { ResourceRef(type: type.singular, id: id) }
    }

    /// Written once, by `take`, after the join; in report order (type, then id).
    public private(set) var resources: [Resource] = []

    public init() {}

    /// The joined store, before the rules: each resource decoded once more, its digests kept.
    func take(from stored: StoredResources) {
        resources.reserveCapacity(stored.count)
        for i in 0..<stored.count {
            let resource = stored.resource(at: i)
            var records: [Record] = []
            func add(_ kind: RecordKind, _ entry: RecordEntry?) {
                guard let entry else { return }
                records.append(Record(kind: kind, key: entry.meta.key, modRevision: entry.meta.modRevision,
                                      digest: entry.valueDigest))
            }
            add(.config, resource.config)
            for job in resource.jobs { add(.job, job) }
            add(.stack, resource.stack)
            add(.jobState, resource.jobState)
            add(.state, resource.state)
            add(.monitoring, resource.monitoring)
            resources.append(Resource(type: resource.type, id: resource.id, records: records))
        }
    }
}
