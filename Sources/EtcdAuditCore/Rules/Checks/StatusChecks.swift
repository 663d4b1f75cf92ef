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

    var plan: ExtractionPlan {
        var plan = ExtractionPlan()
        plan.stackMembers = ["stack_status"]
        plan.jobMembers = ["action"]
        return plan
    }

    // Made once: `check` runs for every resource.
    static let stackStatus = MemberPath("stack_status")
    static let jobStateOrchestration = MemberPath("orchestration_state")
    static let stateOrchestration = MemberPath("state", "orchestration_state")

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        var states: [(name: String, meta: RecordMeta, value: String, member: MemberPath)] = []
        if let stack = resource.stack, case .string(let s)? = stack.facts?.members["stack_status"] {
            states.append(("stack.stack_status", stack.meta, s, Self.stackStatus))
        }
        if let jobState = resource.jobState, let s = jobState.facts?.orchestrationState {
            states.append(("job_state.orchestration_state", jobState.meta, s, Self.jobStateOrchestration))
        }
        let state = resource.state
        if let state, let s = state.facts?.orchestrationState {
            states.append(("state.orchestration_state", state.meta, s, Self.stateOrchestration))
        }
        if let last = states.last, states.contains(where: { $0.value != states[0].value }) {
            let listing = states.map { "\($0.name) \($0.value)" }.joined(separator: ", ")
            sink.report(resource, at: last.meta, "orchestration states differ: \(listing)",
                        expected: states[0].value, actual: listing, keys: states.map(\.meta.key), member: last.member,
                        relatedMembers: Dictionary(states.map { ($0.meta.key, $0.member) }) { first, _ in first },
                        values: states.map(\.value))
        }
        guard let state, let facts = state.facts, let orchestration = facts.orchestrationState else { return }
        if let expected = workerStateFor[orchestration], let worker = facts.workerState, worker != expected {
            sink.report(resource, at: state.meta,
                        "worker_state is \(worker) but orchestration_state \(orchestration) calls for \(expected)",
                        expected: expected, actual: worker, member: MemberPath("state", "worker_state"),
                        values: [orchestration])
        }
        // The first "_"-separated part, as `split(separator: "_").first` (leading "_" skipped).
        let trimmed = orchestration.drop { $0 == "_" }
        let operation = trimmed.isEmpty ? orchestration : String(trimmed.prefix { $0 != "_" })
        guard operations.contains(operation) else { return }
        // One finding for the condition (SPEC: at most three per resource), naming every
        // job of the state's version whose action calls for another operation.
        let disagreeing = resource.jobs(forVersion: facts.version).compactMap { job -> (String, String, RecordMeta)? in
            guard let action = job.facts?.members["action"]?.stringValue ?? job.meta.keyFields["action"],
                  let expected = operationFor[action], expected != operation else { return nil }
            return (action, expected, job.meta)
        }
        if let (action, expected, _) = disagreeing.first {
            sink.report(resource, at: state.meta,
                        "orchestration_state \(orchestration) is a \(operation), but the job for version \(facts.version) is a \(action) (\(expected)_*)",
                        expected: "\(expected)_*", actual: orchestration, keys: [state.meta.key] + disagreeing.map(\.2.key),
                        member: MemberPath("state", "orchestration_state"),
                        relatedMembers: Dictionary(disagreeing.map { ($0.2.key, MemberPath.jobObject.member("action")) }) { a, _ in a },
                        values: [operation, String(facts.version), action, expected])
        }
    }
}
