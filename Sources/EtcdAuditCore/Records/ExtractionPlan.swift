/// Which members the loaded rules read, so extraction keeps those and no more.
public struct ExtractionPlan: Sendable {
    public var bodyFields: Set<String> = ["id", "mac_address", "tenant_id", "status", "fixed_ips", "network_id"]
    public var jobMembers: Set<String> = ["resource_id", "handler", "job_name", "version", "action", "resource_type", "id"]
    public var params: Set<String> = ["version", "uuid"]
    public var outputValues: Set<String> = []
    public var stackMembers: Set<String> = ["stack_id", "tenant_id", "stack_status", "id"]
    /// Digests of the config body and of each job's resource_input are taken once per
    /// set of ignored members some rule names (the empty set: the whole value).
    public var inputDigests: Set<IgnoredMembers> = [IgnoredMembers([])]
    /// What the rule language's paths select inside each kind of record.
    public var selections: [RecordKind: Set<ValueSelection>] = [:]

    public init() {}

    public mutating func merge(_ other: ExtractionPlan) {
        bodyFields.formUnion(other.bodyFields)
        jobMembers.formUnion(other.jobMembers)
        params.formUnion(other.params)
        outputValues.formUnion(other.outputValues)
        stackMembers.formUnion(other.stackMembers)
        inputDigests.formUnion(other.inputDigests)
        selections.merge(other.selections) { $0.union($1) }
    }
}

/// A set of member names left out of a digest; `label` names it in the facts.
public struct IgnoredMembers: Hashable, Sendable {
    public let names: Set<String>
    public var label: String { names.sorted().joined(separator: ",") }
    public init(_ names: [String]) { self.names = Set(names) }
}
