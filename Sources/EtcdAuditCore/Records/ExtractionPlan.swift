/// Which members the loaded rules read, so extraction keeps those and no more.
public struct ExtractionPlan: Sendable {
    // No defaults: each check kind names what it reads, and a declared rule's paths say it.
    public var bodyFields: Set<String> = []
    public var jobMembers: Set<String> = []
    public var params: Set<String> = []
    public var outputValues: Set<String> = []
    public var stackMembers: Set<String> = []
    /// Digests of the config body and of each job's resource_input are taken once per
    /// set of ignored members some rule names (the empty set: the whole value).
    public var inputDigests: Set<IgnoredMembers> = []
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
