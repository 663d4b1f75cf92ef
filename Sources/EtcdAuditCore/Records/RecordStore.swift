/// A parsed record as the store keeps it: its place in the join and its bytes (RecordCodec),
/// made on the thread that parsed it.
public struct PackedRecord: Sendable {
    public var match: KeyMatch
    /// 32 bits are enough: an equal hash only makes the store look at the resource's keys.
    var keyHash: UInt32
    var bytes: [UInt8]
    /// Where the heat outputs of a stack, job_state or state lie in `bytes`.
    var outputs: Range<Int>?

    init(_ record: ParsedRecord, context: PackingContext) {
        match = record.match
        keyHash = UInt32(truncatingIfNeeded: StableHasher.digest(of: record.meta.key).low)
        var writer = ByteWriter(context: context)
        // Room for a typical record up front (the bytes are copied into the slab soon).
        writer.bytes.reserveCapacity(512)
        writer.record(record)
        outputs = writer.outputsRange
        bytes = writer.bytes
    }

    func unpacked(context: PackingContext) -> ParsedRecord {
        var reader = ByteReader(bytes, context: context)
        let (_, entry, problems) = reader.record(type: match.type, id: match.id)
        return ParsedRecord(match: match, meta: entry.meta, facts: entry.facts, problems: problems,
                            valueDigest: entry.valueDigest, selected: entry.selected)
    }
}

/// The join: every declared record, grouped by resource type and id. When a key occurs
/// more than once (several inputs, concatenated dumps), the value with the highest
/// `mod_revision` is audited, else the last one read (SPEC §3). Each resource is a chain of
/// its records' bytes in the slab; `resource(_:)` turns it back into a `Resource` for the
/// rules.
public struct RecordStore: Sendable {
    /// A resource's type and id, the id as bytes: etcd keys are bytes, and two ids that
    /// `String` would call equal (NFC and NFD) are two keys.
    struct ResourceKey: Hashable {
        var type: Int
        var id: [UInt8]
    }

    /// One resource: where its chain ends, where the outputs list its chain holds last
    /// lies in the slab (for the stack, job_state or state that repeats it), and whether a
    /// key may be read twice in it.
    struct Slot: Sendable {
        // Optionals would make the slot 40 bytes instead of 24: `.max` stands for none.
        private var lastOrMax: RecordSlab.Position = .max
        private var outputsOrMax: RecordSlab.Position = .max
        var outputsCount: UInt32 = 0
        var type: UInt16
        var keyReadAgain = false

        init(type: UInt16) { self.type = type }

        var last: RecordSlab.Position? {
            get { lastOrMax == .max ? nil : lastOrMax }
            set { lastOrMax = newValue ?? .max }
        }
        var outputs: RecordSlab.Position? {
            get { outputsOrMax == .max ? nil : outputsOrMax }
            set { outputsOrMax = newValue ?? .max }
        }
    }

    let context: PackingContext
    private var types: [ResourceType]
    private var slab = RecordSlab()
    private var slots: [Slot] = []
    private var ids = ResourceIDs()
    /// A 64-bit hash of the id, its type's number folded in, to the resource's number; the
    /// id is compared, and the rare resource whose hash another already has is found in
    /// `collided`.
    private var index: [UInt64: Int32] = [:]
    private var collided: [ResourceKey: Int32] = [:]
    /// A 32-bit hash of every key read: a key not in it is new, the common case. A key in
    /// it (read again, or a hash collision: some fifty among 600,000 keys) marks its
    /// resource, whose records are then read as `RereadKeys` says.
    private var keyHashes: Set<UInt32> = []
    public private(set) var recordsRead = 0
    public private(set) var skippedKeys = 0

    /// Bits of the hash `index` keys on: all of them, but for tests that make every
    /// resource collide.
    private let indexHashMask: UInt64

    public init(layouts: Layouts) {
        self.init(layouts: layouts, indexHashMask: .max)
    }

    init(layouts: Layouts, indexHashMask: UInt64) {
        self.indexHashMask = indexHashMask
        context = PackingContext(layouts: layouts)
        types = layouts.types
    }

    public mutating func countSkippedKey() {
        recordsRead += 1
        skippedKeys += 1
    }

    public mutating func add(_ record: ParsedRecord) {
        add(PackedRecord(record, context: context))
    }

    public mutating func add(_ record: PackedRecord) {
        recordsRead += 1
        let n = number(of: record.match.type, id: record.match.id)
        if !keyHashes.insert(record.keyHash).inserted { slots[n].keyReadAgain = true }
        append(record, to: n)
    }

    /// The resource's number, a new one for a resource not seen before.
    private mutating func number(of type: ResourceType, id: String) -> Int {
        // The layouts' few types, compared where they are: hashing the name cost more.
        let t = types.firstIndex { $0.plural == type.plural } ?? types.count
        if t == types.count { types.append(type) }
        let hash = (StableHasher.digest(of: id).low ^ UInt64(t)) & indexHashMask
        if let n = index[hash] {
            if Int(slots[Int(n)].type) == t, ids.equals(Int(n), id) { return Int(n) }
            let key = ResourceKey(type: t, id: Array(id.utf8))
            if let other = collided[key] { return Int(other) }
            let new = addSlot(type: t, id: id)
            collided[key] = Int32(new)
            return new
        }
        let new = addSlot(type: t, id: id)
        index[hash] = Int32(new)
        return new
    }

    private mutating func addSlot(type: Int, id: String) -> Int {
        slots.append(Slot(type: UInt16(type)))
        ids.append(id)
        return slots.count - 1
    }

    /// A record, at the end of the resource's chain. Outputs the resource's chain
    /// held last already (a healthy pipeline writes the stack's list into the job_state and
    /// the state) become a one-byte mark (RecordCodec.swift).
    private mutating func append(_ record: PackedRecord, to n: Int) {
        var replaced: Range<Int>?
        var mark: UInt8 = 0
        if let range = record.outputs, let held = slots[n].outputs, Int(slots[n].outputsCount) == range.count,
           slab.bytes(at: held, count: range.count).withUnsafeBytes({ held in
               record.bytes[range].withUnsafeBytes { held.sameBytes($0) }  // elementsEqual went byte by byte
           }) {
            // The byte before the list (its tag) and the list become the mark.
            mark = OutputsTag.sameOutputsMark(replacing: record.bytes[range.lowerBound - 1])
            replaced = (range.lowerBound - 1)..<range.upperBound
        }
        let placed = slab.append(record.bytes, replacing: replaced, with: mark, after: slots[n].last)
        slots[n].last = placed.segment
        // A list written in full is the one a mark stands for from now on, as for the reader.
        if replaced == nil, let range = record.outputs {
            if range.count <= Int(UInt32.max) {
                slots[n].outputs = placed.payload + UInt64(range.lowerBound)
                slots[n].outputsCount = UInt32(range.count)
            } else {
                slots[n].outputs = nil  // too long to compare with: the next list is written in full
            }
        }
    }

    static func place(_ record: ParsedRecord, in resource: inout ResourceRecords) {
        resource.place(RecordEntry(meta: record.meta, facts: record.facts, valueDigest: record.valueDigest,
                                   selected: record.selected), as: record.match.kind)
    }

    /// A resource as the rules read it. Jobs come sorted by key, the order every report follows.
    func resource(_ n: Int, existence: ResourceExistence? = nil) -> Resource {
        var records = self.records(n)
        records.sortJobs()
        return Resource(type: types[Int(slots[n].type)], id: ids.string(n), records: records, existence: existence)
    }

    /// The records of resource `n`, in the order they were read.
    private func records(_ n: Int) -> ResourceRecords {
        let type = types[Int(slots[n].type)], id = ids.string(n)
        var resource = ResourceRecords()
        var reread = slots[n].keyReadAgain ? RereadKeys() : nil
        var reader = ByteReader(context: context)
        for segment in slab.segments(endingAt: slots[n].last!) {
            reader.read(slab.chunks[segment.chunk], segment.range)
            while !reader.atEnd {
                let (kind, entry, problems) = reader.record(type: type, id: id)
                if reread != nil {
                    reread!.read(entry, as: kind, problems: problems, into: &resource)
                } else {
                    resource.place(entry, as: kind, replacing: false)
                    for problem in problems { resource.problems.append((entry.meta, problem)) }
                }
            }
        }
        return resource
    }

    /// Hands over the resources sorted by type and id (the order every report follows);
    /// what only reading needed is let go.
    public consuming func takeSorted() -> StoredResources {
        index = [:]
        collided = [:]
        keyHashes = []
        let typeRank = types.indices.map { t in types.filter { $0 < types[t] }.count }
        let slots = self.slots, ids = self.ids
        var order = Array(Int32(0)..<Int32(slots.count))
        order.sort { a, b in
            let ta = typeRank[Int(slots[Int(a)].type)], tb = typeRank[Int(slots[Int(b)].type)]
            return ta != tb ? ta < tb : ids.precedes(Int(a), Int(b))
        }
        return StoredResources(store: self, order: order)
    }

    /// Bytes the slab holds for the records (tests and measurements).
    var packedBytes: Int { slab.payloadBytes }
}

/// What `StoredResources.list` keeps of the store once the rules are done.
extension RecordStore {
    var slotTypes: [UInt16] { slots.map(\.type) }
    var resourceTypes: [ResourceType] { types }
    var resourceIDs: ResourceIDs { ids }
}
