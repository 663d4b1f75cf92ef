/// Which members the loaded rules read, so extraction keeps those and no more.
public struct ExtractionPlan: Sendable {
    // No defaults: each check kind names what it reads, and a declared rule's paths say it.
    public var bodyFields: Set<String> = []
    public var jobMembers: Set<String> = []
    public var params: Set<String> = []
    public var stackMembers: Set<String> = []
    /// What the rule language's paths select inside each kind of record.
    public var selections: [RecordKind: Set<ValueSelection>] = [:]

    public init() {}

    public mutating func merge(_ other: ExtractionPlan) {
        bodyFields.formUnion(other.bodyFields)
        jobMembers.formUnion(other.jobMembers)
        params.formUnion(other.params)
        stackMembers.formUnion(other.stackMembers)
        selections.merge(other.selections) { $0.union($1) }
    }
}
