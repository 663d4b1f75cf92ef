/// `unique.mac-address`, `unique.fixed-ip`: no two resources of a type may hold the same
/// body value: a field, or each element of a list field (by some of its members).
struct UniqueBodyFieldCheck: Check {
    static let kind = "unique-body-field"
    let needs: [RecordNeed] = [.record(.config)]
    let field: String
    /// For a list field: the members of each element that together must be unique.
    let each: [String]
    let caseInsensitive: Bool

    init(params: RuleParams) throws(RuleError) {
        try params.allowOnly(["field", "each", "case_insensitive"])
        field = try params.string("field")
        each = try params.strings("each", default: [])
        caseInsensitive = try params.bool("case_insensitive", default: false)
    }

    var plan: ExtractionPlan {
        var plan = ExtractionPlan()
        plan.bodyFields = [field]
        return plan
    }

    private func values(_ value: JSONValue) -> [String] {
        if each.isEmpty {
            // An absent value (null, "") is nobody's: two ports without a MAC share nothing.
            guard !isBlank(value) else { return [] }
            return [normalized(value.stringValue ?? value.canonicalText)]
        }
        return (value.arrayValue ?? []).compactMap(entry)
    }

    private func normalized(_ s: String) -> String { caseInsensitive ? s.lowercased() : s }

    /// A list element's value: its `each` members, or nil when one is absent or blank.
    private func entry(_ element: JSONValue) -> String? {
        let parts = each.map { element[$0].flatMap { isBlank($0) ? nil : show($0) } }
        return parts.contains(where: { $0 == nil }) ? nil : normalized(parts.map { $0! }.joined(separator: " "))
    }

    /// Where a resource holds `value`: the field, or the first list element holding it,
    /// named by its `each` members.
    private func member(_ resource: Resource, _ value: String) -> MemberPath {
        let field = MemberPath("body", self.field)
        guard !each.isEmpty, let list = resource.config?.facts?.body[self.field]?.arrayValue,
              let element = list.first(where: { entry($0) == value }) else { return field }
        return field.element(matching: each.map { MemberPath.Match($0, element[$0].map(show) ?? "") })
    }

    static let checksAcrossResources = true

    func sharedValues(_ resource: Resource) -> (values: Set<String>, at: RecordMeta)? {
        guard let config = resource.config, let value = config.facts?.body[field] else { return nil }
        return (Set(values(value)), config.meta)
    }

    func checkAcross(_ resources: [Resource], _ sink: inout FindingSink) {
        let what = each.isEmpty ? "body.\(field)" : "body.\(field) entry (\(each.joined(separator: ", ")))"
        reportShared(holders(resources), what: what, &sink, member: member)
    }
}
