/// A record after parsing: its place in the join and what the rules read of it.
public struct ParsedRecord: Sendable {
    public var match: KeyMatch
    public var meta: RecordMeta
    /// nil when the value is not valid JSON or breaks the schema.
    public var facts: RecordFacts?
    public var problems: [RecordProblem]
    /// Digest of the raw value bytes: "the same key with different values" compares these.
    public var valueDigest: JSONDigest
    /// What the rule language's paths select in the value, by `ValueSelection.name`
    /// (only for a readable record).
    public var selected: SelectedValues = SelectedValues()
}

/// Parses one value with jansson and keeps what the plan names; checks the schema of
/// SPEC §3 on the way (a record that breaks it is kept, without facts).
public struct RecordExtractor: Sendable {
    public let plan: ExtractionPlan
    /// By `RecordKind.code`; nil for a kind with none kept (a dictionary hashed the kind's
    /// name for every record).
    let selections: [CompiledSelections?]

    public init(plan: ExtractionPlan) {
        self.plan = plan
        selections = RecordKind.allCases.map { kind in
            guard let all = plan.selections[kind] else { return nil }
            // A selection found again inside another the plan keeps is not kept twice.
            // In slot order: a read stops at the first slot past the one it wants.
            let kept = all.filter { s in !all.contains { s.isDerivable(from: $0) } }.sorted { $0.slot < $1.slot }
            let compiled = CompiledSelections(PathSelection.keeping(kept, of: all) { plan.use(of: $0, in: kind) ?? .read })
            return compiled.kept.isEmpty ? nil : compiled
        }
    }

    public func extract(_ raw: RawRecord, as match: KeyMatch) -> ParsedRecord {
        let meta = RecordMeta(key: raw.key, location: raw.location, createRevision: raw.createRevision,
                              modRevision: raw.modRevision,
                              keyFields: match.fields)
        var record = ParsedRecord(match: match, meta: meta, facts: nil, problems: [],
                                  valueDigest: Self.valueDigest(raw.value))
        if let valueError = raw.valueError {
            record.problems.append(.invalidJSON(message: valueError, line: nil, column: nil, byte: nil,
                                                sourceLine: raw.location.line))
            return record
        }
        let kindSelections = selections[Int(match.kind.code)]
        var schema = SchemaProblems()
        // What the value gives goes straight into the record: returned in a tuple, it was copied out again.
        let outcome = JSONDocument.parse(raw.value) { root in
            // A state's heat_outputs string is parsed once, for its facts and for the paths
            // that read inside it (`|json`): the selections are taken while it is decoded.
            var selectedWhileDecoded: SelectedValues?
            let facts = extractFacts(root, match: match, schema: &schema) { string, decoded in
                selectedWhileDecoded = kindSelections?.select(in: root, resourceID: match.id, decoded: (string, decoded))
            }
            guard schema.problems.isEmpty else { return }
            record.facts = facts
            if let kindSelections { record.selected = selectedWhileDecoded ?? kindSelections.select(in: root, resourceID: match.id) }
        }
        switch outcome {
        case .failure(let error):
            // jansson may place "premature end" on the line after a final newline: keep
            // the line inside the value's own lines.
            let valueLines = max(1, raw.value.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } + (raw.value.last == 0x0A ? 0 : 1))
            let sourceLine = raw.valueFirstLine.map { $0 + min(max(error.line, 1), valueLines) - 1 } ?? raw.location.line
            record.problems.append(.invalidJSON(message: error.message, line: error.line, column: error.column,
                                                byte: error.position, sourceLine: sourceLine))
        case .success(let parsed):
            if !raw.duplicatesFound.isEmpty || !parsed.duplicates.isEmpty {
                record.problems.append(.duplicateMembers(raw.duplicatesFound + parsed.duplicates))
            }
            if !schema.problems.isEmpty { record.problems.append(.schema(schema.problems, member: schema.member)) }
        }
        return record
    }

    /// "Different values" means different bytes (SPEC §3), but whether a value ends with a
    /// newline is the container's business (a markdown block always has one): not compared.
    /// The digest a record's value is known by (the join's and diff's): final newlines,
    /// which some dumps add, are not part of it.
    static func valueDigest(_ value: [UInt8]) -> JSONDigest {
        StableHasher.digest(of: withoutFinalNewlines(value))
    }

    static func withoutFinalNewlines(_ value: [UInt8]) -> ArraySlice<UInt8> {
        var end = value.count
        while end > 0, value[end - 1] == 0x0A || value[end - 1] == 0x0D { end -= 1 }
        return value[..<end]
    }

    /// `whileDecoded` is called with a state's heat_outputs string and what it decodes to,
    /// while both are there.
    private func extractFacts(_ root: JSONCursor, match: KeyMatch, schema: inout SchemaProblems,
                              whileDecoded: (JSONCursor, JSONCursor) -> Void) -> RecordFacts? {
        switch match.kind {
        case .config: return config(root, &schema)
        case .job: return job(root, &schema)
        case .stack: return outputsHolder(root, "output", &schema)
        case .jobState: return outputsHolder(root, "heat_outputs", &schema)
        case .state: return state(root, &schema, whileDecoded)
        case .monitoring: return monitoring(root, &schema)
        }
    }

    private func config(_ root: JSONCursor, _ schema: inout SchemaProblems) -> RecordFacts? {
        guard schema.require(root, is: .object, "the value") else { return nil }
        let body = schema.member(root, "body", .object)
        let version = schema.member(root, "version", .integer)
        let marked = root["marked_for_deletion"]
        if let marked, marked.kind != .bool {
            schema.mistyped("marked_for_deletion", "marked_for_deletion is \(marked.kind.rawValue), expected bool")
        }
        guard body != nil, let version = version?.integer, schema.problems.isEmpty else { return nil }
        return RecordFacts(version: version)
    }

    private func job(_ root: JSONCursor, _ schema: inout SchemaProblems) -> RecordFacts? {
        guard root.kind == .array, root.count == 3,
              root[0]?.kind == .string, root[1]?.kind == .object,
              root[2]?.kind == .integer else {
            schema.problems.append("a job must be [handler string, job object, retries integer], found \(Self.shape(root))")
            return nil
        }
        return RecordFacts()
    }

    /// A stack (its `output`) or a job state (its `heat_outputs`). Absent outputs are fine;
    /// anything but a list of outputs breaks the schema: skipping it quietly would turn off
    /// every rule that reads outputs (heat-outputs.mismatch, heat-outputs.mac-mismatch,
    /// unique.vmi) unseen.
    private func outputsHolder(_ root: JSONCursor, _ name: String, _ schema: inout SchemaProblems) -> RecordFacts? {
        guard schema.require(root, is: .object, "the value") else { return nil }
        guard let node = root[name] else { return RecordFacts() }
        do {
            return RecordFacts(outputs: .list(try outputList(node)))
        } catch {
            schema.mistyped(name, "\(name): \(error)")
            return nil
        }
    }

    private func state(_ root: JSONCursor, _ schema: inout SchemaProblems,
                       _ whileDecoded: (JSONCursor, JSONCursor) -> Void) -> RecordFacts? {
        guard schema.require(root, is: .object, "the value") else { return nil }
        let inner = schema.member(root, "state", .object)
        let version = schema.member(root, "version", .integer)
        guard let inner, let version = version?.integer else { return nil }
        return RecordFacts(version: version, outputs: stateHeatOutputs(inner["heat_outputs"], whileDecoded))
    }

    private func monitoring(_ root: JSONCursor, _ schema: inout SchemaProblems) -> RecordFacts? {
        guard schema.require(root, is: .object, "the value") else { return nil }
        guard schema.member(root, "version", .integer) != nil else { return nil }
        return RecordFacts()
    }

    private func stateHeatOutputs(_ node: JSONCursor?, _ whileDecoded: (JSONCursor, JSONCursor) -> Void) -> HeatOutputs {
        guard let node else { return .absent }
        switch node.kind {
        case .array:
            do { return .list(try outputList(node)) } catch { return .undecodable(reason: error.description) }
        case .string:
            let decoded = JSONDocument.parse(node.stringBytes ?? []) { inner in
                whileDecoded(node, inner)
                return Result { () throws(OutputListError) -> [HeatOutput] in
                    if inner.kind == .string { throw OutputListError("the string decodes to another string, not a list (encoded twice?)") }
                    return try outputList(inner)
                }
            }
            switch decoded {
            case .failure(let error):
                return .undecodable(reason: "the string is not JSON: \(error.message) (line \(error.line), column \(error.column))")
            case .success(let parsed):
                do { return .encoded(try parsed.value.get()) } catch { return .undecodable(reason: error.description) }
            }
        default:
            return .undecodable(reason: "heat_outputs is \(node.kind.rawValue), neither a JSON-encoded string nor a list")
        }
    }

    struct OutputListError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// A list of `{output_key, output_value, description}` objects.
    private func outputList(_ node: JSONCursor) throws(OutputListError) -> [HeatOutput] {
        guard node.kind == .array else { throw OutputListError("it is \(node.kind.rawValue), not a list of outputs") }
        let elements = node.elements
        var list: [HeatOutput] = []
        list.reserveCapacity(elements.count)  // kept three times per resource: no slack
        for (index, element) in elements.enumerated() {
            guard element.kind == .object, let key = element["output_key"]?.string else {
                throw OutputListError("element \(index) is not an object with a string output_key")
            }
            let value = element["output_value"]
            list.append(HeatOutput(key: key, digest: value?.digest ?? JSONDigest(high: 0, low: 0)))
        }
        return list
    }

    private static func shape(_ node: JSONCursor) -> String {
        guard node.kind == .array else { return "a JSON \(node.kind.rawValue)" }
        return "[" + node.elements.map(\.kind.rawValue).joined(separator: ", ") + "]"
    }
}

/// Collects schema problems in words a user can act on, and the member the first is about.
struct SchemaProblems {
    var problems: [String] = []
    /// The top-level member of the first problem, when it is there with the wrong type.
    var member: String?

    mutating func mistyped(_ name: String, _ problem: String) {
        if problems.isEmpty { member = name }
        problems.append(problem)
    }

    mutating func require(_ node: JSONCursor, is kind: JSONKind, _ what: String) -> Bool {
        guard node.kind == kind else {
            problems.append("\(what) is \(node.kind.rawValue), expected \(kind.rawValue)")
            return false
        }
        return true
    }

    mutating func member(_ object: JSONCursor, _ name: String, _ kind: JSONKind) -> JSONCursor? {
        guard let node = object[name] else {
            problems.append("member \(name) is missing")
            return nil
        }
        guard node.kind == kind else {
            mistyped(name, "\(name) is \(node.kind.rawValue), expected \(kind.rawValue)")
            return nil
        }
        return node
    }
}

extension RecordKind {
    /// The kind's place in `allCases` (a switch: this runs for every record parsed).
    var code: UInt8 {
        switch self {
        case .config: return 0
        case .job: return 1
        case .stack: return 2
        case .jobState: return 3
        case .state: return 4
        case .monitoring: return 5
        }
    }
}
