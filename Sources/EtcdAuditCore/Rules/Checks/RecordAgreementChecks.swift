/// `tenant.mismatch` and the like: a stack member must equal a body field.
struct StackBodyAgreementCheck: Check {
    static let kind = "stack-body-agreement"
    let needs: [RecordNeed] = [.record(.stack), .record(.config)]
    let stackMember: String
    let bodyField: String

    init(params: RuleParams) throws(RuleError) {
        try params.allowOnly(["stack_member", "body_field"])
        stackMember = try params.string("stack_member")
        bodyField = try params.string("body_field")
    }

    var plan: ExtractionPlan {
        var plan = ExtractionPlan()
        plan.stackMembers = [stackMember]
        plan.bodyFields = [bodyField]
        return plan
    }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard let stack = resource.stack, let actual = stack.facts?.members[stackMember],
              let config = resource.config, let expected = config.facts?.body[bodyField], actual != expected else { return }
        sink.report(resource, at: stack.meta, "stack \(stackMember) is \(show(actual)) but body.\(bodyField) is \(show(expected))",
                    expected: show(expected), actual: show(actual), keys: [stack.meta.key, config.meta.key],
                    member: MemberPath(stackMember), relatedMembers: [config.meta.key: MemberPath("body", bodyField)])
    }
}

/// `record.missing`: the state says the operation completed, but a record that operation
/// writes is absent.
struct MissingRecordsCheck: Check {
    static let kind = "missing-records"
    let needs: [RecordNeed] = [.record(.state)]
    let workerStateSuffix: String
    let required: [RecordKind]

    init(params: RuleParams) throws(RuleError) {
        try params.allowOnly(["worker_state_suffix", "required"])
        workerStateSuffix = try params.string("worker_state_suffix", default: "_COMPLETED")
        var kinds: [RecordKind] = []
        for name in try params.strings("required", default: ["stack", "job_state"]) {
            guard let kind = RecordKind(rawValue: name) else {
                throw RuleError(field: "params.required", "\(name) is not a record kind")
            }
            kinds.append(kind)
        }
        required = kinds
    }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard let state = resource.state, let worker = state.facts?.workerState, worker.hasSuffix(workerStateSuffix)
        else { return }
        let present = Set(resource.allRecords.map(\.kind))
        for kind in required where !present.contains(kind) {
            sink.report(resource, at: state.meta, "worker_state is \(worker) but there is no \(kind.rawValue) record",
                        expected: kind.rawValue, actual: "absent", member: MemberPath("state", "worker_state"),
                        values: [worker])
        }
    }
}

/// `order.out-of-sequence`: at rest, the state is the last word; a state written before
/// the config or the stack it describes was overwritten out of order (inputs with revisions).
struct WriteOrderCheck: Check {
    static let kind = "write-order"
    let needs: [RecordNeed] = [.record(.config), .record(.state), .revisions(of: [.config, .state])]
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard let config = resource.config, let state = resource.state, let version = config.facts?.version,
              state.facts?.version == version, !resource.isInFlight, let stateRevision = state.meta.modRevision
        else { return }
        var later: [(String, RecordMeta, Int64)] = []
        if let revision = config.meta.modRevision, revision > stateRevision { later.append(("config", config.meta, revision)) }
        if let stack = resource.stack, let revision = stack.meta.modRevision, revision > stateRevision {
            later.append(("stack", stack.meta, revision))
        }
        guard !later.isEmpty else { return }
        let listing = later.map { "\($0.0) at \($0.2)" }.joined(separator: ", ")
        // The writes themselves are at fault: the whole records, with their mod_revisions.
        sink.report(resource, at: state.meta, "state was last written at revision \(stateRevision), before \(listing)",
                    expected: "state after \(later.map(\.0).joined(separator: " and "))", actual: String(stateRevision),
                    keys: [state.meta.key] + later.map(\.1.key), member: MemberPath(),
                    relatedMembers: Dictionary(uniqueKeysWithValues: later.map { ($0.1.key, MemberPath()) }))
    }
}
