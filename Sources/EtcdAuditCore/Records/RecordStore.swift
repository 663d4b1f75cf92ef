/// A parsed record as the store keeps it: its place in the join and its bytes (RecordCodec),
/// made on the thread that parsed it.
public struct PackedRecord: Sendable {
    public var match: KeyMatch
    var keyHash: UInt64
    /// One entry item, then one problem item per problem.
    var bytes: [UInt8]
    /// Where the heat outputs of a stack, job_state or state lie in `bytes`.
    var outputs: Range<Int>?

    init(_ record: ParsedRecord, context: PackingContext) {
        match = record.match
        keyHash = StableHasher.digest(of: record.meta.key).low
        var writer = ByteWriter(context: context)
        let owner = KeyOwner(kind: match.kind, type: match.type, id: match.id)
        writer.entry(meta: record.meta, valueDigest: record.valueDigest, content: record.content, owner: owner)
        outputs = writer.outputsRange
        for problem in record.problems { writer.problemItem(meta: record.meta, problem, owner: owner) }
        bytes = writer.bytes
    }

    func unpacked(context: PackingContext) -> ParsedRecord {
        var reader = ByteReader(bytes, context: context)
        var record: ParsedRecord?
        while !reader.atEnd {
            switch reader.item(type: match.type, id: match.id) {
            case .entry(let meta, let digest, let content):
                record = ParsedRecord(match: match, meta: meta, content: content, problems: [], valueDigest: digest)
            case .problem(_, let problem):
                record?.problems.append(problem)
            }
        }
        return record!
    }
}

/// The join: every declared record, grouped by resource type and id. When a key occurs
/// more than once (several inputs, concatenated dumps), the value with the highest
/// `mod_revision` is audited, else the last one read (SPEC §3). Each resource is kept as
/// the bytes of its records; `resource(_:)` turns it back into a `Resource` for the rules.
public struct RecordStore: Sendable {
    struct ResourceKey: Hashable {
        var plural: String
        var id: String
    }

    public struct Packed: Sendable {
        public var type: ResourceType
        public var id: String
        var bytes: [UInt8]
        /// Where the stack's outputs lie in `bytes`, if the stack came on the fast path.
        var stackOutputs: Range<Int>?
        public var ref: ResourceRef { ResourceRef(type: type.singular, id: id) }
    }

    let context: PackingContext
    private var resourceIndex: [ResourceKey: Int] = [:]
    private var packed: [Packed] = []
    /// A 64-bit hash of every key read: a key not in it is new, the common case, and its
    /// record is appended as it is. A key in it (read again, or a hash collision) takes the
    /// slow path, which decodes the resource and looks.
    private var keyHashes: Set<UInt64> = []
    /// Keys read with more than one distinct value: each value's digest with the record it
    /// was first read in.
    private var conflicts: [String: [(digest: JSONDigest, meta: RecordMeta)]] = [:]
    public private(set) var recordsRead = 0
    public private(set) var skippedKeys = 0

    public init(layouts: Layouts) {
        context = PackingContext(layouts: layouts)
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
        let rkey = ResourceKey(plural: record.match.type.plural, id: record.match.id)
        let index: Int
        if let existing = resourceIndex[rkey] {
            index = existing
        } else {
            index = packed.count
            packed.append(Packed(type: record.match.type, id: record.match.id, bytes: []))
            resourceIndex[rkey] = index
        }
        if keyHashes.insert(record.keyHash).inserted {
            append(record, to: index)
            return
        }
        let resource = self.resource(packed[index], sortingJobs: false)
        merge(record.unpacked(context: context), into: resource)
        packed[index].bytes = Self.pack(resource, context: context)
        packed[index].stackOutputs = nil
    }

    /// A new key's record, after the resource's bytes. A job_state's or state's outputs
    /// that are the stack's (what a healthy pipeline writes) become a one-byte mark.
    private mutating func append(_ record: PackedRecord, to index: Int) {
        var added = record.bytes
        if let range = record.outputs, let stack = packed[index].stackOutputs,
           record.match.kind == .jobState || record.match.kind == .state,
           packed[index].bytes[stack].elementsEqual(record.bytes[range]) {
            // The tag byte before the list and the list become the mark.
            let tag = record.bytes[range.lowerBound - 1]
            let mark: UInt8
            if record.match.kind == .jobState {
                mark = sameAsStack
            } else {
                mark = (tag == StateOutputsTag.encoded.rawValue ? StateOutputsTag.encodedSameAsStack
                                                                : StateOutputsTag.notEncodedSameAsStack).rawValue
            }
            added.replaceSubrange((range.lowerBound - 1)..<range.upperBound, with: [mark])
        }
        let base = packed[index].bytes.count
        if record.match.kind == .stack, let range = record.outputs {
            packed[index].stackOutputs = (base + range.lowerBound)..<(base + range.upperBound)
        }
        if base + added.count > Self.exactCapacityLimit {
            // A resource with very many records (thousands of jobs): copying it whole on
            // every append would be quadratic; let the array grow geometrically.
            packed[index].bytes += added
            return
        }
        // Exact capacity: growth slack would be kept for the whole audit.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(base + added.count)
        bytes += packed[index].bytes
        bytes += added
        packed[index].bytes = bytes
    }

    /// Resources up to this many bytes (nearly all: about 1.5 KB is usual) are kept
    /// without growth slack.
    static let exactCapacityLimit = 16 << 10

    /// The old logic of a key read again, on the decoded resource.
    private mutating func merge(_ record: ParsedRecord, into resource: Resource) {
        let key = record.meta.key
        guard let held = resource.record(record.match.kind, key: key) else {
            // Only the 64-bit key hash was seen before.
            Self.place(record, in: resource)
            resource.problems += record.problems.map { (record.meta, $0) }
            return
        }
        let digest = record.valueDigest
        let known = conflicts[key]
        let seen = known.map { $0.contains { $0.digest == digest } } ?? (digest == held.valueDigest)
        if !seen {
            // Without earlier conflicts every read so far had the held value.
            let values = (known ?? [(held.valueDigest, held.meta)]) + [(digest, record.meta)]
            conflicts[key] = values
            resource.problems.removeAll { entry in
                guard entry.meta.key == key, case .conflictingValues = entry.problem else { return false }
                return true
            }
            resource.problems.append((record.meta, .conflictingValues(values.map(\.meta))))
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
            resource.problems.removeAll { entry in
                guard entry.meta.key == key else { return false }
                switch entry.problem {
                case .invalidJSON, .conflictingValues: return false
                default: return true
                }
            }
            Self.place(record, in: resource)
            // input.invalid-json counts each distinct value once.
            resource.problems += record.problems.compactMap { problem in
                if seen, case .invalidJSON = problem { return nil }
                return (record.meta, problem)
            }
        } else if !seen {
            resource.problems += record.problems.compactMap { problem in
                if case .invalidJSON = problem { return (record.meta, problem) }
                return nil
            }
        }
    }

    private static func place(_ record: ParsedRecord, in resource: Resource) {
        place(meta: record.meta, digest: record.valueDigest, content: record.content, in: resource)
    }

    /// `replacing`: a job of the same key may be there already (not so when decoding: the
    /// packed bytes never hold a key twice, and looking would be quadratic in the jobs).
    private static func place(meta: RecordMeta, digest: JSONDigest, content: ParsedRecord.Content, in resource: Resource,
                              replacing: Bool = true) {
        switch content {
        case .config(let facts): resource.config = Entry(meta: meta, facts: facts, valueDigest: digest)
        case .job(let facts):
            let entry = Entry(meta: meta, facts: facts, valueDigest: digest)
            if replacing, let at = resource.jobs.firstIndex(where: { $0.meta.key == meta.key }) {
                resource.jobs[at] = entry
            } else {
                resource.jobs.append(entry)
            }
        case .stack(let facts): resource.stack = Entry(meta: meta, facts: facts, valueDigest: digest)
        case .jobState(let facts): resource.jobState = Entry(meta: meta, facts: facts, valueDigest: digest)
        case .state(let facts): resource.state = Entry(meta: meta, facts: facts, valueDigest: digest)
        case .monitoring(let facts): resource.monitoring = Entry(meta: meta, facts: facts, valueDigest: digest)
        }
    }

    /// A resource as the rules read it. Jobs come sorted by key, the order every report follows.
    public func resource(_ packed: Packed, sortingJobs: Bool = true) -> Resource {
        let resource = Resource(type: packed.type, id: packed.id)
        var reader = ByteReader(packed.bytes, context: context)
        while !reader.atEnd {
            switch reader.item(type: packed.type, id: packed.id) {
            case .entry(let meta, let digest, let content):
                Self.place(meta: meta, digest: digest, content: content, in: resource, replacing: false)
                if case .stack(let facts) = content { reader.stackOutputs = facts?.outputs }
            case .problem(let meta, let problem):
                resource.problems.append((meta, problem))
            }
        }
        if sortingJobs, resource.jobs.count > 1 { resource.jobs.sort { $0.meta.key < $1.meta.key } }
        return resource
    }

    private static func pack(_ resource: Resource, context: PackingContext) -> [UInt8] {
        var writer = ByteWriter(context: context)
        func entry<F>(_ entry: Entry<F>?, _ content: (F?) -> ParsedRecord.Content) {
            guard let entry else { return }
            let c = content(entry.facts)
            writer.entry(meta: entry.meta, valueDigest: entry.valueDigest, content: c,
                         owner: KeyOwner(kind: c.kind, type: resource.type, id: resource.id))
        }
        entry(resource.config, ParsedRecord.Content.config)
        for job in resource.jobs { entry(job, ParsedRecord.Content.job) }
        entry(resource.stack, ParsedRecord.Content.stack)
        entry(resource.jobState, ParsedRecord.Content.jobState)
        entry(resource.state, ParsedRecord.Content.state)
        entry(resource.monitoring, ParsedRecord.Content.monitoring)
        for (meta, problem) in resource.problems {
            writer.problemItem(meta: meta, problem, owner: resource.owner(ofKey: meta.key))
        }
        return writer.bytes
    }

    /// Hands over the resources sorted by type and id (the order every report follows);
    /// the store keeps only what decoding them needs.
    public mutating func takeSorted() -> [Packed] {
        resourceIndex = [:]
        keyHashes = []
        conflicts = [:]
        var sorted = packed
        packed = []
        sorted.sort { ($0.type.singular, $0.id) < ($1.type.singular, $1.id) }
        return sorted
    }
}

extension Resource {
    /// The kind of this resource's record stored under `key`, as its owner.
    func owner(ofKey key: String) -> KeyOwner? {
        allRecords.first { $0.meta.key == key }.map { KeyOwner(kind: $0.kind, type: type, id: id) }
    }
}
