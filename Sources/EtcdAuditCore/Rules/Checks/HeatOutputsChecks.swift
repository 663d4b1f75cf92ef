/// `heat-outputs.undecodable`: the state's heat_outputs string does not decode to a
/// list of outputs.
struct HeatOutputsDecodableCheck: Check {
    static let kind = "heat-outputs-decodable"
    let needs: [RecordNeed] = [.record(.state)]
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard let state = resource.state, case .undecodable(let reason)? = state.facts?.outputs else { return }
        sink.report(resource, at: state.meta, "state.heat_outputs does not decode to a list of outputs: \(reason)",
                    member: stateOutputs)
    }
}

// Where each record holds its outputs (made once: the lists are gathered for every resource).
/// A state's heat outputs: a string holding the list, as the writer should store it.
private let stateOutputs = MemberPath("state", "heat_outputs")
private let stateOutputsDecoded = stateOutputs.appending(.decoded)
private let stackOutputs = MemberPath("output")
private let jobStateOutputs = MemberPath("heat_outputs")

/// The output lists of one resource that can take part in a comparison, each with its
/// record (whose meta is read only for a finding) and where the list stands in it (inside
/// the string, for a state's encoded list).
private func outputLists(_ resource: Resource) -> [(name: String, record: RecordEntry, list: [HeatOutput], path: MemberPath)] {
    var lists: [(String, RecordEntry, [HeatOutput], MemberPath)] = []
    if let stack = resource.stack, let list = stack.facts?.outputs.list {
        lists.append(("stack.output", stack, list, stackOutputs))
    }
    if let jobState = resource.jobState, let list = jobState.facts?.outputs.list {
        lists.append(("job_state.heat_outputs", jobState, list, jobStateOutputs))
    }
    if let state = resource.state, let outputs = state.facts?.outputs {
        switch outputs {
        case .encoded(let list): lists.append(("state.heat_outputs", state, list, stateOutputsDecoded))
        case .list(let list): lists.append(("state.heat_outputs", state, list, stateOutputs))
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

    private static func sameInOrder(_ a: [HeatOutput], _ b: [HeatOutput]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.digest == $1.digest }
    }

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
        // The common case: the same list in each record, which the store kept once.
        if lists.dropFirst().allSatisfy({ Self.sameInOrder($0.list, lists[0].list) }) { return }
        // Then lists equal but for their order, without building maps.
        let first = Self.normalized(lists[0].list)
        if lists.dropFirst().allSatisfy({ Self.sameInOrder(Self.normalized($0.list), first) }) { return }
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
        sink.report(resource, at: at.record.meta,
                    "heat outputs differ between \(lists.map(\.name).joined(separator: ", ")): \(detail.joined(separator: "; "))",
                    actual: differing.joined(separator: ","), keys: lists.map(\.record.meta.key), member: output(at.path),
                    relatedMembers: Dictionary(lists.map { ($0.record.meta.key, output($0.path)) }) { a, _ in a },
                    values: differing)
    }
}
