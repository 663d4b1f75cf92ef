/// One record of an explained resource: where it was read, its revisions, the members the
/// rules read with their values, its heat outputs (a state's decoded from their string),
/// and what is wrong with the value itself.
public struct RecordDetail: Sendable {
    public var kind: RecordKind
    public var key: String
    public var location: SourceLocation
    public var createRevision: Int64?
    public var modRevision: Int64?
    public var members: [Member]
    public var heatOutputs: HeatOutputs?
    public var problems: [String]
    /// The whole value, when it is JSON; else its text (`valueText`).
    public var value: JSONValue?
    public var valueText: String?

    /// A member some rule reads: where (`path` as checks name members, `pointer` as RFC 6901)
    /// and its value.
    public struct Member: Sendable {
        public var path: MemberPath
        public var pointer: String
        public var value: JSONValue
    }

    /// An output list: `path` is where the record holds it; `encoded` is true when it is
    /// the JSON text of the list (a state's), which `outputs` then shows decoded.
    public struct HeatOutputs: Sendable {
        public var path: MemberPath
        public var encoded: Bool
        public var outputs: [(key: String, value: JSONValue)]
        /// Why the list (or the string) is not a list of outputs; `outputs` is then empty.
        public var error: String?
    }
}

extension RecordDetail {
    /// The detail of a record of `resource`, from the raw value read (nil: not captured).
    init(kind: RecordKind, meta: RecordMeta, raw: RawRecord?, resource: Resource, plan: ExtractionPlan) {
        self.kind = kind
        key = meta.key
        location = meta.location
        createRevision = meta.createRevision
        modRevision = meta.modRevision
        members = []
        problems = resource.problems.filter { $0.meta.key == meta.key }.map { Self.describe($0.problem, audited: meta) }
        if let raw {
            switch JSONDocument.parse(raw.value, { $0.value }) {
            case .success(let parsed): value = parsed.value
            case .failure: valueText = String(decoding: raw.value, as: UTF8.self)
            }
        }
        guard let value else { return }
        members = Self.members(of: kind, value, plan: plan)
        heatOutputs = Self.heatOutputs(of: kind, value)
        if let outputs = heatOutputs {
            if let error = outputs.error {
                problems.append("heat_outputs at \(outputs.path) is not a list of outputs: \(error)")
            } else if kind == .state && !outputs.encoded {
                problems.append("heat_outputs at \(outputs.path) is a list, not a JSON-encoded string")
            }
        }
    }

    static func describe(_ problem: RecordProblem, audited: RecordMeta) -> String {
        switch problem {
        case .invalidJSON(let message, let line, let column, _, _):
            let place = line.flatMap { l in column.map { " (line \(l), column \($0) of the value)" } } ?? ""
            return "value is not valid JSON: \(message)\(place)"
        case .duplicateMembers(let duplicates):
            return duplicates.map { "member \"\($0.name)\" appears \($0.occurrences) times in the object at \($0.path)" }
                .joined(separator: "; ")
        case .schema(let problems, _):
            return "does not have the required shape: " + problems.joined(separator: "; ")
        case .conflictingValues(let metas):
            let copies = metas.map { m in m.location.display + (m.modRevision.map { " (mod_revision \($0))" } ?? "") }
            return "the key was read with \(metas.count) different values: \(copies.joined(separator: ", ")); "
                + "this one (\(audited.location.display)) is audited"
        }
    }

    /// The members the rules read of a record of `kind`, in a fixed order: those every
    /// extraction takes, then those the plan (the loaded rules) names.
    static func members(of kind: RecordKind, _ value: JSONValue, plan: ExtractionPlan) -> [Member] {
        var out: [Member] = []
        func add(_ path: MemberPath, _ pointer: String, _ member: JSONValue?) {
            if let member { out.append(Member(path: path, pointer: pointer, value: member)) }
        }
        func top(_ names: [String], in object: JSONValue?, under prefix: [String] = []) {
            for name in names {
                let path = MemberPath((prefix + [name]).map(MemberPath.Step.member))
                add(path, path.pointer ?? "", object?[name])
            }
        }
        switch kind {
        case .config:
            top(["version", "marked_for_deletion"], in: value)
        case .job:
            guard case .array(let elements) = value else { return [] }
            add(MemberPath([.index(0)]), "/0", elements.first)
            add(MemberPath([.index(2)]), "/2", elements.count > 2 ? elements[2] : nil)
        case .stack:
            break  // all the rules read of a stack is selected: listed below
        case .jobState:
            top(["orchestration_state"], in: value)
        case .state:
            top(["version", "error"], in: value)
            top(["worker_state", "orchestration_state"], in: value["state"], under: ["state"])
        case .monitoring:
            if case .object(let all) = value {
                for member in all { add(MemberPath(member.name), "/" + MemberPath.escape(member.name), member.value) }
            }
        }
        // What the declared rules' paths select, where not listed above.
        for selection in (plan.selections[kind] ?? []).sorted(by: { $0.name < $1.name }) where !selection.namesItsElement {
            for (path, pointer, selected) in PathSelection.select(selection, in: value) where !out.contains(where: { $0.path == path }) {
                add(path, pointer, selected)
            }
        }
        return out
    }

    /// The record's output list: a stack's `output`, a job state's `heat_outputs`, a
    /// state's `state.heat_outputs` decoded from its string.
    static func heatOutputs(of kind: RecordKind, _ value: JSONValue) -> HeatOutputs? {
        switch kind {
        case .stack: return value["output"].map { list(MemberPath("output"), $0, encoded: false) }
        case .jobState: return value["heat_outputs"].map { list(MemberPath("heat_outputs"), $0, encoded: false) }
        case .state:
            let path = MemberPath("state", "heat_outputs")
            guard let outputs = value["state"]?["heat_outputs"] else { return nil }
            guard case .string(let text) = outputs else { return list(path, outputs, encoded: false) }
            switch JSONDocument.parse(Array(text.utf8), { $0.value }) {
            case .failure(let error):
                return HeatOutputs(path: path, encoded: true, outputs: [],
                                   error: "the string is not JSON: \(error.message) (line \(error.line), column \(error.column))")
            case .success(let decoded):
                if case .string = decoded.value {
                    return HeatOutputs(path: path, encoded: true, outputs: [],
                                       error: "the string decodes to another string, not a list (encoded twice?)")
                }
                return list(path, decoded.value, encoded: true)
            }
        default: return nil
        }
    }

    private static func list(_ path: MemberPath, _ value: JSONValue, encoded: Bool) -> HeatOutputs {
        var outputs: [(key: String, value: JSONValue)] = []
        guard case .array(let elements) = value else {
            return HeatOutputs(path: path, encoded: encoded, outputs: [], error: "it is not a list")
        }
        for (index, element) in elements.enumerated() {
            guard let key = element["output_key"]?.stringValue else {
                return HeatOutputs(path: path, encoded: encoded, outputs: [],
                                   error: "element \(index) is not an object with a string output_key")
            }
            outputs.append((key, element["output_value"] ?? .null))
        }
        return HeatOutputs(path: path, encoded: encoded, outputs: outputs, error: nil)
    }
}
