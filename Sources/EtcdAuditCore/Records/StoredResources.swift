/// The joined resources in report order: decoded one at a time for the rules.
public struct StoredResources: Sendable {
    let store: RecordStore
    let order: [Int32]
    /// Type and id of each resource, without the records.
    public let list: ResourceList
    /// Which resources exist, for rules that refer to other resources.
    let existence: ResourceExistence

    init(store: RecordStore, order: [Int32]) {
        self.store = store
        self.order = order
        list = ResourceList(order: order, slots: store.slots.map(\.type), types: store.types, ids: store.ids)
        existence = ResourceExistence(list)
    }

    public var count: Int { order.count }

    public func resource(at i: Int) -> Resource {
        store.resource(Int(order[i]), existence: existence)
    }

    public var recordsRead: Int { store.recordsRead }
    public var skippedKeys: Int { store.skippedKeys }
}

/// Every resource of an audit, in report order: type and id only, kept as compactly as the
/// store keeps them (a report of a million resources lists them all). A `--per-file`
/// audit joins the lists of its stores, one after another.
public struct ResourceList: RandomAccessCollection, Sendable {
    /// One store's resources.
    struct Segment: Sendable {
        let order: [Int32]
        let slots: [UInt16]
        let types: [ResourceType]
        let ids: ResourceIDs
    }

    private let segments: [Segment]
    /// Index of each segment's first resource, and the total at the end.
    private let starts: [Int]

    init(order: [Int32], slots: [UInt16], types: [ResourceType], ids: ResourceIDs) {
        self.init(segments: [Segment(order: order, slots: slots, types: types, ids: ids)])
    }

    private init(segments: [Segment]) {
        self.segments = segments
        var starts = [0]
        for segment in segments { starts.append(starts.last! + segment.order.count) }
        self.starts = starts
    }

    /// The resources of several stores, in the order given.
    public static func joined(_ lists: [ResourceList]) -> ResourceList {
        ResourceList(segments: lists.flatMap(\.segments))
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { starts.last! }
    public subscript(i: Int) -> ResourceRef {
        // The segment holding i: the last whose start is at or before it (most lists have one).
        var low = 0, high = segments.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= i { low = mid } else { high = mid - 1 }
        }
        let segment = segments[low]
        let n = Int(segment.order[i - starts[low]])
        return ResourceRef(type: segment.types[Int(segment.slots[n])].singular, id: segment.ids.string(n))
    }
}
