/// What `explain` keeps of an audit besides its result: the joined resources whose id it
/// was asked about, and the raw records of those ids as they were read. The join keeps only
/// the members the rules read, and standard input or a live etcd cannot be read again, so
/// the raw values are taken as they go by, once, by key: a few records, whatever the store.
public final class ResourceCapture: @unchecked Sendable {
    /// Ids asked about, of any type: a bare id is resolved once the store is known.
    public let ids: Set<String>
    private let layouts: Layouts
    /// Written by the reading thread only (the audit's `offer` calls), then read after it.
    public private(set) var records: [RawRecord] = []
    /// The resources of the store whose id is asked about, in report order.
    public private(set) var resources: [Resource] = []

    public init(ids: Set<String>, layouts: Layouts) {
        self.ids = ids
        self.layouts = layouts
    }

    /// A record read: kept (its value decoded, for etcd's base64) when its key names one
    /// of the ids.
    func offer(_ raw: RawRecord) {
        guard let match = layouts.match(raw.key), ids.contains(match.id) else { return }
        var record = raw
        record.decodeValue()
        records.append(record)
    }

    /// The joined store, before the rules: the resources asked about, decoded once more.
    func take(from stored: StoredResources) {
        let list = stored.list
        for i in list.indices where ids.contains(list[i].id) {
            resources.append(stored.resource(at: i))
        }
    }

    /// Every copy read of `key` (several when it was read more than once).
    func raw(ofKey key: String) -> [RawRecord] {
        records.filter { $0.key == key }
    }
}
