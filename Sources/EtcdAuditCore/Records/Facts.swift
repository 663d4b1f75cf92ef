// What the rules read of each record, extracted once while the value is parsed; the
// parse tree is gone afterwards. Large members that are only compared keep a digest.

public struct RecordMeta: Sendable {
    public var key: String
    public var location: SourceLocation
    public var createRevision: Int64?
    public var modRevision: Int64?
    /// What the key's pattern names besides type and id (a job's action, handler,
    /// version, nonce), known even when the value is broken.
    public var keyFields: SmallMap<String> = [:]

    /// The version a job key names.
    public var keyVersion: Int64? { keyFields["version"].flatMap { Int64($0) } }
}

/// One record in the join, readable or not: always present (it counts for orphans and
/// in-flight jobs). A class: rules pass records around by the thousand, and copying one is
/// then a single retain.
public final class RecordEntry: @unchecked Sendable {
    public let meta: RecordMeta
    /// Digest of the value's bytes: a key read again with other bytes is a conflict.
    public let valueDigest: JSONDigest
    /// What the rule language's paths select in the value, by `ValueSelection.name`.
    public let selected: SelectedValues
    /// What the check kinds in code read besides; nil when the value is not valid JSON or
    /// breaks the schema.
    public let facts: RecordFacts?

    init(meta: RecordMeta, facts: RecordFacts?, valueDigest: JSONDigest, selected: SelectedValues = SelectedValues()) {
        self.meta = meta
        self.facts = facts
        self.valueDigest = valueDigest
        self.selected = selected
    }

    /// Whether the value could be read: valid JSON that passes the schema.
    public var readable: Bool { facts != nil }

    /// The first value `selection` takes in this record, when its value could be read: how
    /// a check kind reads a member its plan names.
    func first(_ selection: ValueSelection, of resource: Resource) -> JSONValue? {
        guard readable else { return nil }
        return selected.plainValues(selection, resourceID: resource.id)?.first
    }

    /// The same, when it is a string.
    func text(_ selection: ValueSelection, of resource: Resource) -> String? {
        first(selection, of: resource)?.stringValue
    }
}

/// A resource by type and id, compared as bytes (ExactText.swift says why).
public struct ResourceRef: Hashable, Sendable, Comparable {
    public var type: String
    public var id: String

    public static func == (a: ResourceRef, b: ResourceRef) -> Bool {
        a.type.sameBytes(b.type) && a.id.sameBytes(b.id)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ExactText(type))
        hasher.combine(ExactText(id))
    }

    public static func < (a: ResourceRef, b: ResourceRef) -> Bool {
        a.type.sameBytes(b.type) ? a.id.bytesPrecede(b.id) : a.type.bytesPrecede(b.type)
    }
}

public struct HeatOutput: Sendable {
    public var key: String
    public var digest: JSONDigest
}

/// What the check kinds in code read of a readable record beside its selections (the
/// rest of a job's and a monitoring record's members are read through selections).
public struct RecordFacts: Sendable {
    /// A config's and a state's version.
    public var version: Int64?
    /// A stack's `output`, a job_state's or a state's `heat_outputs`.
    public var outputs: HeatOutputs = .absent
}

public enum HeatOutputs: Sendable {
    case absent
    /// A list of outputs; in a state, one the writer left unencoded.
    case list([HeatOutput])
    /// A state's string holding the list, as the writer should store it.
    case encoded([HeatOutput])
    case undecodable(reason: String)

    /// The outputs, however they are held.
    public var list: [HeatOutput]? {
        switch self {
        case .list(let list), .encoded(let list): return list
        case .absent, .undecodable: return nil
        }
    }
}

/// A problem with one record's value itself, found while reading it.
public enum RecordProblem: Sendable {
    /// `line`/`column` inside the value; `sourceLine` in the input, where it has lines.
    case invalidJSON(message: String, line: Int?, column: Int?, byte: Int?, sourceLine: Int?)
    case duplicateMembers([DuplicateMember])
    /// `member`: the top-level member the first problem is about when it is present with
    /// the wrong type (nil: a member is missing, or the whole value has the wrong shape).
    case schema([String], member: String?)
    /// The key was read more than once with different values: each distinct value's record.
    case conflictingValues([RecordMeta])
}

/// A resource's records as the join gathers them (RecordStore), then held, unchanged, by
/// its `Resource`.
struct ResourceRecords: Sendable {
    var config: RecordEntry?
    var jobs: [RecordEntry] = []
    var stack: RecordEntry?
    var jobState: RecordEntry?
    var state: RecordEntry?
    var monitoring: RecordEntry?
    /// Value problems of these records, with the record they belong to.
    var problems: [(meta: RecordMeta, problem: RecordProblem)] = []

    /// Jobs in the order every report follows: by their keys' bytes.
    mutating func sortJobs() {
        if jobs.count > 1 { jobs.sort { $0.meta.key.bytesPrecede($1.meta.key) } }
    }

    /// The record of `kind`, when there is one; for a job, `job` (a resource has many).
    /// Inlined: a call would copy the whole struct out of its `Resource` to read one member.
    @inline(__always)
    func entry(_ kind: RecordKind, job: RecordEntry?) -> RecordEntry? {
        switch kind {
        case .config: return config
        case .job: return job
        case .stack: return stack
        case .jobState: return jobState
        case .state: return state
        case .monitoring: return monitoring
        }
    }

    /// Puts `entry` in the place of its kind, and its own `problems` with it. `replacing`: a
    /// job of the same key may be there already (not so when the store decodes a resource
    /// none of whose keys was read twice; `RereadKeys` keeps its own index of a resource's
    /// jobs: looking here would be quadratic in them).
    mutating func place(_ entry: RecordEntry, as kind: RecordKind, problems: [RecordProblem] = [],
                        replacing: Bool = true) {
        switch kind {
        case .config: config = entry
        case .job:
            if replacing, let at = jobs.firstIndex(where: { $0.meta.key.sameBytes(entry.meta.key) }) {
                jobs[at] = entry
            } else {
                jobs.append(entry)
            }
        case .stack: stack = entry
        case .jobState: jobState = entry
        case .state: state = entry
        case .monitoring: monitoring = entry
        }
        for problem in problems { self.problems.append((entry.meta, problem)) }
    }

    /// Every record present, in pipeline order, as the rule language reads them.
    var allEntries: [(kind: RecordKind, entry: RecordEntry)] {
        var out: [(RecordKind, RecordEntry)] = []
        if let config { out.append((.config, config)) }
        out += jobs.map { (.job, $0) }
        if let stack { out.append((.stack, stack)) }
        if let jobState { out.append((.jobState, jobState)) }
        if let state { out.append((.state, state)) }
        if let monitoring { out.append((.monitoring, monitoring)) }
        return out
    }
}

/// Everything known about one resource, joined from its records. A class: every rule
/// reads it, and a struct of this size would be copied (and every member retained) on
/// each of those reads. Made once the join has gathered its records and not changed
/// after: its members are `let`s, which every rule reads without the runtime exclusivity
/// check a class's `var` costs on each read.
public final class Resource: Sendable {
    public let type: ResourceType
    public let id: String
    let records: ResourceRecords
    /// The resources of the store, for rules that refer to other resources (`refers_to`).
    let existence: ResourceExistence?

    public var config: RecordEntry? { records.config }
    public var jobs: [RecordEntry] { records.jobs }
    public var stack: RecordEntry? { records.stack }
    public var jobState: RecordEntry? { records.jobState }
    public var state: RecordEntry? { records.state }
    public var monitoring: RecordEntry? { records.monitoring }
    /// Value problems of this resource's records, with the record they belong to.
    public var problems: [(meta: RecordMeta, problem: RecordProblem)] { records.problems }

    public var ref: ResourceRef { ResourceRef(type: type.singular, id: id) }

    /// The desired version, when the config record is usable.
    public var configVersion: Int64? { config?.facts?.version }

    /// The jobs whose key names `version` (valid or not: the key alone says a job for that
    /// version exists).
    public func jobs(forVersion version: Int64) -> [RecordEntry] {
        jobs.filter { $0.meta.keyVersion == version }
    }

    init(type: ResourceType, id: String, records: ResourceRecords, existence: ResourceExistence?) {
        self.type = type
        self.id = id
        self.records = records
        self.existence = existence
    }

    /// The record stored under `key`, if this resource has it.
    func meta(ofKey key: String) -> RecordMeta? {
        allRecords.first { $0.meta.key.sameBytes(key) }?.meta
    }

    /// Every record present, in pipeline order.
    public var allRecords: [(kind: RecordKind, meta: RecordMeta)] {
        records.allEntries.map { ($0.kind, $0.entry.meta) }
    }
}
