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

    /// The record as the join reads it (history reads its live records one by one).
    func read(context: PackingContext) -> (kind: RecordKind, entry: RecordEntry, problems: [RecordProblem]) {
        var reader = ByteReader(bytes, context: context)
        return reader.record(type: match.type, id: match.id)
    }
}

/// The join: every declared record, grouped by resource type and id. When a key occurs
/// more than once (several inputs, concatenated dumps), the value with the highest
/// `mod_revision` is audited, else the last one read (SPEC §3). Each resource is a chain of
/// its records' bytes in the slab; `resource(_:)` turns it back into a `Resource` for the
/// rules.
public struct RecordStore: Sendable {
    /// One resource: where its chain ends, where the outputs list its chain holds last
    /// lies in the slab (for the stack, job_state or state that repeats it), and whether a
    /// key may be read twice in it.
    struct Slot: Sendable {
        /// Stands for no position: optionals would make the slot 40 bytes instead of 24.
        static let nowhere = RecordSlab.Position.max
        var last = Slot.nowhere
        var outputs = Slot.nowhere
        var outputsCount: UInt32 = 0
        var type: UInt16
        var keyReadAgain = false
    }

    let context: PackingContext
    private(set) var types: [ResourceType]
    private var slab = RecordSlab()
    private(set) var slots: [Slot] = []
    private(set) var ids = ResourceIDs()
    /// A 64-bit hash of the id, its type's number folded in, to the resource's number. Ids
    /// are compared as bytes (NFC and NFD are two ids), and the rare resource whose hash
    /// another holds takes the next hash free.
    private var index: [UInt64: Int32] = [:]
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
        var hash = (StableHasher.digest(of: id).low ^ UInt64(t)) & indexHashMask
        while let n = index[hash] {
            if Int(slots[Int(n)].type) == t, ids.equals(Int(n), id) { return Int(n) }
            hash &+= 1
        }
        slots.append(Slot(type: UInt16(t)))
        ids.append(id)
        index[hash] = Int32(slots.count - 1)
        return slots.count - 1
    }

    /// A record, at the end of the resource's chain. Outputs the resource's chain
    /// held last already (a healthy pipeline writes the stack's list into the job_state and
    /// the state) become a one-byte mark (RecordCodec.swift).
    private mutating func append(_ record: PackedRecord, to n: Int) {
        var replaced: Range<Int>?
        var mark: UInt8 = 0
        if let range = record.outputs, slots[n].outputs != Slot.nowhere, Int(slots[n].outputsCount) == range.count,
           slab.bytes(at: slots[n].outputs, count: range.count).withUnsafeBytes({ held in
               record.bytes[range].withUnsafeBytes { held.sameBytes($0) }  // elementsEqual went byte by byte
           }) {
            // The byte before the list (its tag) and the list become the mark.
            mark = OutputsTag.sameOutputsMark(replacing: record.bytes[range.lowerBound - 1])
            replaced = (range.lowerBound - 1)..<range.upperBound
        }
        let previous = slots[n].last == Slot.nowhere ? nil : slots[n].last
        let placed = slab.append(record.bytes, replacing: replaced, with: mark, after: previous)
        slots[n].last = placed.segment
        // A list written in full is the one a mark stands for from now on, as for the reader.
        if replaced == nil, let range = record.outputs {
            if range.count <= Int(UInt32.max) {
                slots[n].outputs = placed.payload + UInt64(range.lowerBound)
                slots[n].outputsCount = UInt32(range.count)
            } else {
                slots[n].outputs = Slot.nowhere  // too long to compare with: the next list is written in full
            }
        }
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
        for segment in slab.segments(endingAt: slots[n].last) {
            reader.read(slab.chunks[segment.chunk], segment.range)
            while !reader.atEnd {
                let (kind, entry, problems) = reader.record(type: type, id: id)
                if reread != nil {
                    reread!.read(entry, as: kind, problems: problems, into: &resource)
                } else {
                    resource.place(entry, as: kind, problems: problems, replacing: false)
                }
            }
        }
        return resource
    }

    /// Hands over the resources sorted by type and id (the order every report follows);
    /// what only reading needed is let go.
    public consuming func takeSorted() -> StoredResources {
        index = [:]
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
