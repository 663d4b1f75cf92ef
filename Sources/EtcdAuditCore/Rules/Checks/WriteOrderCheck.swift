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
