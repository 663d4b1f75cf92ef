/// `diff OLD NEW`: two stores, each audited alone, compared. Resources by type and id,
/// records by key (a record changed when its value's digest did, unless both values are
/// the same JSON written differently), the members the rules
/// read of each changed record (old → new), and findings by fingerprint, counted as
/// `--baseline` counts them. The reports (text, JSON, an HTML one later) render this model.
public struct StoreDiff: Sendable {
    /// One side: what was read, and what the audit of that store alone gave.
    public struct Side: Sendable {
        public var inputs: [InputSummary]
        /// The revision asked for (`--old-revision`/`--new-revision`), nil: the newest.
        public var revision: Int64?
        public var resources: Int
        public var records: Int
        public var findings: Int
    }

    public var old: Side
    public var new: Side
    public var added: [ResourceChange] = []
    public var removed: [ResourceChange] = []
    public var changed: [ResourceChange] = []
    /// Findings of NEW that OLD did not have (by fingerprint), in report order.
    public var newFindings: [Finding] = []
    /// Findings of OLD that NEW no longer has.
    public var resolved: [Finding] = []
    /// Findings of NEW that OLD had too (as NEW has them).
    public var persisting: [Finding] = []

    /// True when either side could not be read to its end: the diff may show changes
    /// (or hide them) that are only the cut.
    public var hasInputErrors: Bool { (old.inputs + new.inputs).contains { $0.error != nil } }

    /// 2 when either side has an input error, 1 when a new finding is at or above
    /// `failOn` (nil: never), else 0.
    public func exitCode(failOn: Severity?) -> Int32 {
        if hasInputErrors { return 2 }
        return newFindings.contains { $0.fails(at: failOn) } ? 1 : 0
    }
}

/// A resource added, removed or changed, with its records that were.
public struct ResourceChange: Sendable {
    public var type: ResourceType
    public var id: String
    public var records: [RecordChange]
    public var ref: ResourceRef { ResourceRef(type: type.singular, id: id) }
}

public struct RecordChange: Sendable {
    public enum Change: String, Sendable {
        case added, removed, changed
        /// Bytes differ, JSON equal: dropped before the diff is handed out.
        case unchangedJSON
    }
    public var change: Change
    public var kind: RecordKind
    public var key: String
    public var oldModRevision: Int64?
    public var newModRevision: Int64?
    public var oldDigest: JSONDigest?
    public var newDigest: JSONDigest?
    /// For a changed record: the members the rules read whose value differs (nil: absent
    /// on that side). Empty when only members no rule reads changed, or when a side's
    /// value is not JSON (`note` says so).
    public var members: [DiffMemberChange] = []
    public var note: String?
}

public struct DiffMemberChange: Sendable {
    public var path: MemberPath
    public var pointer: String
    public var old: JSONValue?
    public var new: JSONValue?
}

extension StoreDiff {
    /// Resources and records of two digested stores compared; members and findings are
    /// filled in by `Auditor.diff`.
    static func compareResources(old: StoreDigest, new: StoreDigest) -> (added: [ResourceChange], removed: [ResourceChange],
                                                                      changed: [ResourceChange]) {
        var oldIndex: [ResourceRef: Int] = [:]
        oldIndex.reserveCapacity(old.resources.count)
        for (i, resource) in old.resources.enumerated() { oldIndex[resource.ref] = i }
        var seen = [Bool](repeating: false, count: old.resources.count)
        var added: [ResourceChange] = [], removed: [ResourceChange] = [], changed: [ResourceChange] = []
        for resource in new.resources {
            guard let i = oldIndex[resource.ref] else {
                added.append(ResourceChange(type: resource.type, id: resource.id,
                                            records: resource.records.map { RecordChange(added: $0) }))
                continue
            }
            seen[i] = true
            let records = compareRecords(old: old.resources[i].records, new: resource.records)
            if !records.isEmpty { changed.append(ResourceChange(type: resource.type, id: resource.id, records: records)) }
        }
        for (i, resource) in old.resources.enumerated() where !seen[i] {
            removed.append(ResourceChange(type: resource.type, id: resource.id,
                                          records: resource.records.map { RecordChange(removed: $0) }))
        }
        return (added, removed, changed)
    }

    /// Records by key: those only in one side, and those whose value digest differs, in
    /// pipeline order (kind, then key).
    static func compareRecords(old: [StoreDigest.Record], new: [StoreDigest.Record]) -> [RecordChange] {
        var oldByKey: [String: StoreDigest.Record] = [:]
        for record in old { oldByKey[record.key] = record }
        var out: [RecordChange] = []
        var newKeys = Set<String>()
        for record in new {
            newKeys.insert(record.key)
            guard let before = oldByKey[record.key] else { out.append(RecordChange(added: record)); continue }
            if before.digest != record.digest {
                out.append(RecordChange(change: .changed, kind: record.kind, key: record.key,
                                        oldModRevision: before.modRevision, newModRevision: record.modRevision,
                                        oldDigest: before.digest, newDigest: record.digest))
            }
        }
        out += old.filter { !newKeys.contains($0.key) }.map { RecordChange(removed: $0) }
        return out.sorted { ($0.kind, $0.key) < ($1.kind, $1.key) }
    }

    /// The members of one record that differ: every path either side has, in the order
    /// the old side lists them, then the new side's own.
    static func memberChanges(old: [RecordDetail.Member], new: [RecordDetail.Member]) -> [DiffMemberChange] {
        var newByPath: [MemberPath: RecordDetail.Member] = [:]
        for member in new { newByPath[member.path] = member }
        var out: [DiffMemberChange] = []
        var oldPaths = Set<MemberPath>()
        for member in old {
            oldPaths.insert(member.path)
            let after = newByPath[member.path]
            if after?.value != member.value {
                out.append(DiffMemberChange(path: member.path, pointer: member.pointer, old: member.value, new: after?.value))
            }
        }
        for member in new where !oldPaths.contains(member.path) {
            out.append(DiffMemberChange(path: member.path, pointer: member.pointer, old: nil, new: member.value))
        }
        return out
    }

    /// Findings matched by fingerprint, n identical old ones matching the first n new ones
    /// (`FingerprintMatcher`, the rule `--baseline` follows).
    static func compareFindings(old: [Finding], new: [Finding])
        -> (new: [Finding], resolved: [Finding], persisting: [Finding])
    {
        var matcher = FingerprintMatcher(old: old.map(\.fingerprint))
        var fresh: [Finding] = [], persisting: [Finding] = []
        for finding in new {
            if matcher.match(finding.fingerprint) == nil { fresh.append(finding) } else { persisting.append(finding) }
        }
        let resolved = old.indices.filter { !matcher.matched.contains($0) }.map { old[$0] }
        return (fresh, resolved, persisting)
    }
}

extension RecordChange {
    init(added record: StoreDigest.Record) {
        self.init(change: .added, kind: record.kind, key: record.key, newModRevision: record.modRevision,
                  newDigest: record.digest)
    }

    init(removed record: StoreDigest.Record) {
        self.init(change: .removed, kind: record.kind, key: record.key, oldModRevision: record.modRevision,
                  oldDigest: record.digest)
    }
}
