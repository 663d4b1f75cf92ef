/// `status.mismatch`: the stack, the job state and the state must tell one story: the
/// same orchestration state, a worker state that matches it, an operation that matches
/// the job's action. At most one finding per condition.
struct StatusAgreementCheck: Check {
    static let kind = "status-agreement"
    let needs: [RecordNeed] = [.either([.record(.state), .atLeast(2, of: [.stack, .jobState, .state])])]
    /// orchestration_state → the worker_state it must come with.
    let workerStateFor: [String: String]
    /// job action → the operation (prefix of orchestration_state) it must produce.
    let operationFor: [String: String]
    /// The operations `operationFor` names (a state's orchestration is checked against them).
    let operations: Set<String>

    init(params: RuleParams) throws(RuleError) {
        try params.allowOnly(["worker_state_for", "operation_for_action"])
        workerStateFor = try params.stringMap("worker_state_for")
        operationFor = try params.stringMap("operation_for_action")
        operations = Set(operationFor.values)
    }

    // Made once: `check` runs for every resource.
    static let stackStatus = ValueSelection(steps: [.member("stack_status")])
    static let jobStateOrchestration = ValueSelection(steps: [.member("orchestration_state")])
    static let stateOrchestration = ValueSelection(steps: [.member("state"), .member("orchestration_state")])
    static let workerState = ValueSelection(steps: [.member("state"), .member("worker_state")])
    static let action = ValueSelection(steps: [.index(1), .member("action")])
    // Where a finding points: the member each selection reads.
    static let stackStatusMember = stackStatus.memberPath([])
    static let jobStateOrchestrationMember = jobStateOrchestration.memberPath([])
    static let stateOrchestrationMember = stateOrchestration.memberPath([])

    var plan: ExtractionPlan {
        var plan = ExtractionPlan()
        plan.add(Self.stackStatus, of: .stack)
        plan.add(Self.jobStateOrchestration, of: .jobState)
        plan.add(Self.stateOrchestration, of: .state)
        plan.add(Self.workerState, of: .state)
        plan.add(Self.action, of: .job)
        return plan
    }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        // Each with its record, whose meta (a copy retains its texts) is read only for a finding.
        var states: [(name: String, record: RecordEntry, value: String, member: MemberPath)] = []
        if let stack = resource.stack, let s = stack.text(Self.stackStatus, of: resource) {
            states.append(("stack.stack_status", stack, s, Self.stackStatusMember))
        }
        if let jobState = resource.jobState, let s = jobState.text(Self.jobStateOrchestration, of: resource) {
            states.append(("job_state.orchestration_state", jobState, s, Self.jobStateOrchestrationMember))
        }
        let state = resource.state
        let orchestration = state?.text(Self.stateOrchestration, of: resource)
        if let state, let orchestration {
            states.append(("state.orchestration_state", state, orchestration, Self.stateOrchestrationMember))
        }
        if let last = states.last, states.contains(where: { $0.value != states[0].value }) {
            let listing = states.map { "\($0.name) \($0.value)" }.joined(separator: ", ")
            sink.report(resource, at: last.record.meta, "orchestration states differ: \(listing)",
                        expected: states[0].value, actual: listing, keys: states.map(\.record.meta.key), member: last.member,
                        relatedMembers: Dictionary(states.map { ($0.record.meta.key, $0.member) }) { first, _ in first },
                        values: states.map(\.value))
        }
        guard let state, let stateVersion = state.facts?.version, let orchestration else { return }
        if let expected = workerStateFor[orchestration], let worker = state.text(Self.workerState, of: resource),
           worker != expected {
            sink.report(resource, at: state.meta,
                        "worker_state is \(worker) but orchestration_state \(orchestration) calls for \(expected)",
                        expected: expected, actual: worker, member: Self.workerState.memberPath([]),
                        values: [orchestration])
        }
        // The first "_"-separated part, as `split(separator: "_").first` (leading "_" skipped).
        let trimmed = orchestration.drop { $0 == "_" }
        let operation = trimmed.isEmpty ? orchestration : String(trimmed.prefix { $0 != "_" })
        guard operations.contains(operation) else { return }
        // One finding for the condition (SPEC: at most three per resource), naming every
        // job of the state's version whose action calls for another operation.
        let disagreeing = resource.jobs(forVersion: stateVersion).compactMap { job -> (String, String, RecordEntry)? in
            guard let action = job.text(Self.action, of: resource) ?? job.meta.keyFields["action"],
                  let expected = operationFor[action], expected != operation else { return nil }
            return (action, expected, job)
        }
        if let (action, expected, _) = disagreeing.first {
            sink.report(resource, at: state.meta,
                        "orchestration_state \(orchestration) is a \(operation), but the job for version \(stateVersion) is a \(action) (\(expected)_*)",
                        expected: "\(expected)_*", actual: orchestration, keys: [state.meta.key] + disagreeing.map(\.2.meta.key),
                        member: Self.stateOrchestrationMember,
                        relatedMembers: Dictionary(disagreeing.map { ($0.2.meta.key, MemberPath.jobObject.member("action")) }) { a, _ in a },
                        values: [operation, String(stateVersion), action, expected])
        }
    }
}
