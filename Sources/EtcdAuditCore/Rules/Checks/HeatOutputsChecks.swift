/// `heat-outputs.undecodable`: the state's heat_outputs string does not decode to a
/// list of outputs.
struct HeatOutputsDecodableCheck: Check {
    static let kind = "heat-outputs-decodable"
    let needs: [RecordNeed] = [.record(.state)]
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard let state = resource.state, case .undecodable(let reason)? = state.facts?.heatOutputs else { return }
        sink.report(resource, at: state.meta, "state.heat_outputs does not decode to a list of outputs: \(reason)",
                    member: stateOutputs)
    }
}

/// `heat-outputs.not-encoded`: the state holds the list itself, not its JSON text.
struct HeatOutputsEncodedCheck: Check {
    static let kind = "heat-outputs-encoded"
    let needs: [RecordNeed] = [.record(.state)]
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard let state = resource.state, case .notEncoded? = state.facts?.heatOutputs else { return }
        sink.report(resource, at: state.meta,
                    "state.heat_outputs is a list, not a JSON-encoded string (the writer skipped the encoding)",
                    expected: "string", actual: "array", member: stateOutputs)
    }
}

// Where each record holds its outputs (made once: the lists are gathered for every resource).
/// A state's heat outputs: a string holding the list, as the writer should store it.
private let stateOutputs = MemberPath("state", "heat_outputs")
private let stateOutputsDecoded = stateOutputs.appending(.decoded)
private let stackOutputs = MemberPath("output")
private let jobStateOutputs = MemberPath("heat_outputs")

/// The output lists of one resource that can take part in a comparison, each with where
/// the list stands in its record (inside the string, for a state's encoded list).
private func outputLists(_ resource: Resource) -> [(name: String, meta: RecordMeta, list: [HeatOutput], path: MemberPath)] {
    var lists: [(String, RecordMeta, [HeatOutput], MemberPath)] = []
    if let stack = resource.stack, let list = stack.facts?.outputs {
        lists.append(("stack.output", stack.meta, list, stackOutputs))
    }
    if let jobState = resource.jobState, let list = jobState.facts?.heatOutputs {
        lists.append(("job_state.heat_outputs", jobState.meta, list, jobStateOutputs))
    }
    if let state = resource.state, let outputs = state.facts?.heatOutputs {
        switch outputs {
        case .encoded(let list): lists.append(("state.heat_outputs", state.meta, list, stateOutputsDecoded))
        case .notEncoded(let list): lists.append(("state.heat_outputs", state.meta, list, stateOutputs))
        case .absent, .undecodable: break
        }
    }
    return lists
}

/// `heat-outputs.mismatch`: the stack, job state and state must hold the same outputs
/// (as maps output_key → output_value; order and description ignored).
struct HeatOutputsAgreementCheck: Check {
    static let kind = "heat-outputs-agreement"
    let needs: [RecordNeed] = [.atLeast(2, of: [.stack, .jobState, .state])]
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    /// A list as sorted, distinct (key, value digest) pairs: equal lists are equal maps.
    private static func normalized(_ list: [HeatOutput]) -> [HeatOutput] {
        var sorted = list.sorted { ($0.key, $0.digest) < ($1.key, $1.digest) }
        var i = 1
        while i < sorted.count {
            if sorted[i].key == sorted[i - 1].key && sorted[i].digest == sorted[i - 1].digest { sorted.remove(at: i) } else { i += 1 }
        }
        return sorted
    }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        let lists = outputLists(resource)
        guard lists.count >= 2 else { return }
        // The common case, all lists equal, without building maps.
        let first = Self.normalized(lists[0].list)
        if lists.dropFirst().allSatisfy({ other in
            let n = Self.normalized(other.list)
            return n.count == first.count && zip(n, first).allSatisfy { $0.key == $1.key && $0.digest == $1.digest }
        }) { return }
        let maps = lists.map { entry in Dictionary(grouping: entry.list, by: \.key).mapValues { Set($0.map(\.digest)) } }
        let allKeys = Set(maps.flatMap(\.keys)).sorted()
        var differing: [String] = []
        for key in allKeys {
            let values = maps.map { $0[key] }
            if Set(values).count > 1 { differing.append(key) }
        }
        guard !differing.isEmpty else { return }
        let detail = differing.map { key -> String in
            let missing = zip(lists, maps).filter { $0.1[key] == nil }.map(\.0.name)
            return missing.isEmpty ? "\(key) (values differ)" : "\(key) (absent from \(missing.joined(separator: ", ")))"
        }
        // Each list's output of the first key that differs (the list itself where it lacks it).
        let output = { (path: MemberPath) in path.element(where: "output_key", is: differing[0]) }
        let at = lists.last!
        sink.report(resource, at: at.meta,
                    "heat outputs differ between \(lists.map(\.name).joined(separator: ", ")): \(detail.joined(separator: "; "))",
                    actual: differing.joined(separator: ","), keys: lists.map(\.meta.key), member: output(at.path),
                    relatedMembers: Dictionary(lists.map { ($0.meta.key, output($0.path)) }) { a, _ in a },
                    values: differing)
    }
}

/// `heat-outputs.duplicate-key`: one output list names an output_key twice.
struct HeatOutputsUniqueKeysCheck: Check {
    static let kind = "heat-outputs-unique-keys"
    let needs: [RecordNeed] = [.atLeast(1, of: [.stack, .jobState, .state])]
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        for (name, meta, list, path) in outputLists(resource) {
            // Lists are short and nearly always without repeats: look before counting.
            if list.count <= 32,
               !list.indices.contains(where: { i in list[(i + 1)...].contains { $0.key == list[i].key } }) { continue }
            var counts: [String: Int] = [:]
            for output in list { counts[output.key, default: 0] += 1 }
            let repeated = counts.filter { $0.value > 1 }.keys.sorted()
            guard !repeated.isEmpty else { continue }
            sink.report(resource, at: meta, "\(name) names \(repeated.joined(separator: ", ")) more than once",
                        actual: repeated.joined(separator: ","),
                        member: path.element(where: "output_key", is: repeated[0], occurrence: 2), values: repeated)
        }
    }
}

/// `heat-outputs.mac-mismatch` and the like: a stack output must contain a body field
/// (the MAC the stack built must be the MAC the config asked for).
struct OutputContainsBodyFieldCheck: Check {
    static let kind = "output-contains-body-field"
    let needs: [RecordNeed] = [.record(.stack), .record(.config)]
    let outputKey: String
    let bodyField: String
    let caseInsensitive: Bool

    init(params: RuleParams) throws(RuleError) {
        try params.allowOnly(["output_key", "body_field", "case_insensitive"])
        outputKey = try params.string("output_key")
        bodyField = try params.string("body_field")
        caseInsensitive = try params.bool("case_insensitive", default: false)
    }

    var plan: ExtractionPlan {
        var plan = ExtractionPlan()
        plan.outputValues = [outputKey]
        plan.bodyFields = [bodyField]
        return plan
    }

    private func normalized(_ s: String) -> String { caseInsensitive ? s.lowercased() : s }

    /// Whether one candidate of the output (the value, or an element of a list) is the body
    /// value. A string body value compares with strings (case-insensitively when asked). Any
    /// other body value (number, bool, object, list) is the same JSON value, or a string
    /// that holds its JSON text, as an output string would hold it (`"42"` holds 42; member
    /// order and spacing do not matter; `true` is not 1).
    private func holds(_ candidate: JSONValue, _ wanted: JSONValue) -> Bool {
        if case .string(let want) = wanted {
            return candidate.stringValue.map { normalized($0) == normalized(want) } ?? false
        }
        if candidate == wanted { return true }
        guard case .string(let text) = candidate,
              case .success(let parsed) = JSONDocument.parse(Array(text.utf8), { $0.value }) else { return false }
        return parsed.value == wanted
    }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        // An absent or null body field configures nothing to look for.
        guard let stack = resource.stack, let outputs = stack.facts?.outputs,
              let wanted = resource.config?.facts?.body[bodyField], wanted != .null else { return }
        let wantedText = wanted.stringValue ?? wanted.text
        var occurrence = 0
        for output in outputs where output.key == outputKey {
            occurrence += 1
            guard let value = output.value else { continue }
            let candidates = value.arrayValue ?? [value]
            if !candidates.contains(where: { holds($0, wanted) }) {
                sink.report(resource, at: stack.meta,
                            "stack output \(outputKey) is \(value.text), which does not contain body.\(bodyField) \(wantedText)",
                            expected: wantedText, actual: value.text,
                            keys: [stack.meta.key] + [resource.config?.meta.key].compactMap { $0 },
                            member: .output(outputKey, occurrence: occurrence),
                            relatedMembers: resource.config.map { [$0.meta.key: MemberPath("body", bodyField)] } ?? [:])
            }
        }
    }
}
