/// Which members the loaded rules read, so extraction keeps those and no more.
public struct ExtractionPlan: Sendable {
    // No defaults: each check kind names what it reads, and a declared rule's paths say it.
    public var jobMembers: Set<String> = []
    /// Job params whose value the rules read, and those whose resources list they read.
    public var params: Set<String> = []
    public var paramResources: Set<String> = []
    public var stackMembers: Set<String> = []
    /// What the rule language's paths select inside each kind of record.
    public var selections: [RecordKind: Set<ValueSelection>] = [:]

    public init() {}

    public mutating func merge(_ other: ExtractionPlan) {
        jobMembers.formUnion(other.jobMembers)
        params.formUnion(other.params)
        paramResources.formUnion(other.paramResources)
        stackMembers.formUnion(other.stackMembers)
        selections.merge(other.selections) { $0.union($1) }
    }
}
