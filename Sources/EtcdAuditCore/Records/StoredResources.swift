/// The joined resources in report order: decoded one at a time for the rules.
public struct StoredResources: Sendable {
    let store: RecordStore
    let order: [Int32]

    public var count: Int { order.count }

    public func resource(at i: Int) -> Resource { store.resource(Int(order[i])) }

    public var recordsRead: Int { store.recordsRead }
    public var skippedKeys: Int { store.skippedKeys }

    /// Type and id of each resource, without the records.
    public var list: ResourceList { ResourceList(order: order, slots: store.slotTypes, types: store.resourceTypes, ids: store.resourceIDs) }
}

/// Every resource of an audit, in report order: type and id only, kept as compactly as the
/// store keeps them (a report of a million resources lists them all).
public struct ResourceList: RandomAccessCollection, Sendable {
    let order: [Int32]
    let slots: [UInt16]
    let types: [ResourceType]
    let ids: ResourceIDs

    init(order: [Int32], slots: [UInt16], types: [ResourceType], ids: ResourceIDs) {
        self.order = order
        self.slots = slots
        self.types = types
        self.ids = ids
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { order.count }
    public subscript(i: Int) -> ResourceRef {
        let n = Int(order[i])
        return ResourceRef(type: types[Int(slots[n])].singular, id: ids.string(n))
    }
}
