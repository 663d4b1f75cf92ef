/// What `history` found: the check result of the last revision replayed, when each of its
/// findings was introduced, the findings that held for a while and then stopped, and each
/// resource's timeline. A plain model, so that every report (text, JSON, HTML) reads the
/// same thing.
public struct History: Sendable {
    /// The check result of `revisions.upperBound`: the same as `check SNAPSHOT --revision N`.
    public var result: AuditResult
    /// The revisions replayed: the store at the first is built whole, then each write after
    /// it up to the last is applied.
    public var revisions: ClosedRange<Int64>
    /// The revisions the snapshot holds (from its compaction to its newest).
    public var held: ClosedRange<Int64>
    /// Writes replayed (puts and deletions, each sub revision of a transaction counts).
    public var writes: Int
    /// By fingerprint: the write after which each finding of `result` first held and held
    /// ever since.
    public var introduced: [String: WriteRef]
    /// Findings that held and then stopped, by the revision they stopped at, then report order.
    public var cleared: [ClearedFinding]
    /// One per resource written during the replay or whose findings changed, by type and id.
    public var timelines: [ResourceTimeline]
}

/// A write in the snapshot's history: its (main) revision and the key written. `key` is nil
/// for a finding that already held at the first revision replayed: the write that caused
/// it is older than the replay (compacted away, or before `--since`).
public struct WriteRef: Hashable, Sendable, Codable {
    public var revision: Int64
    public var key: String?

    public init(revision: Int64, key: String?) {
        self.revision = revision
        self.key = key
    }

    enum CodingKeys: String, CodingKey { case revision, key }

    /// `key` is always present, null when unknown: consumers need not guess.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(revision, forKey: .revision)
        try c.encode(key, forKey: .key)
    }
}

/// A finding that held from `introduced` until the write `cleared` stopped it, as it was
/// when it last held.
public struct ClearedFinding: Sendable {
    public var finding: Finding
    public var introduced: WriteRef
    public var cleared: WriteRef
}

/// What happened to one resource over the replay, oldest first.
public struct ResourceTimeline: Sendable {
    public var type: String
    public var id: String
    public var events: [Event]

    public var ref: ResourceRef { ResourceRef(type: type, id: id) }

    /// One revision at which the resource's records were written or its findings changed
    /// (a write to another resource can make or clear a uniqueness finding on this one).
    public struct Event: Sendable {
        public var revision: Int64
        /// Its records written at this revision, in sub revision order.
        public var writes: [RecordWrite]
        public var appeared: [Finding]
        public var cleared: [Finding]
    }
}

/// One put or deletion of a record, with where the old and new versions stand in the
/// snapshot (offsets of their elements), so the members the rules read can be compared.
public struct RecordWrite: Sendable {
    public var key: String
    public var deleted: Bool
    /// The version written (nil for a deletion) and the one it replaced (nil: a new key).
    public var offset: Int?
    public var previousOffset: Int?
    /// The members the rules read that differ between the two versions (filled in by
    /// `History.describeChanges`, for the resources a report shows).
    public var changes: [MemberChange] = []
}

/// A member some rule reads, before and after a write (nil: absent).
public struct MemberChange: Sendable, Equatable {
    public var member: String
    public var old: String?
    public var new: String?
}
