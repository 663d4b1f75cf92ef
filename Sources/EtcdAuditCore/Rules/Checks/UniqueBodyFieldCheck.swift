/// `unique.mac-address`, `unique.fixed-ip`: no two resources of a type may hold the same
/// body value: a field, or each element of a list field (by some of its members).
struct UniqueBodyFieldCheck: Check {
    static let kind = "unique-body-field"
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
        let raw: [String]
        if each.isEmpty {
            // An absent value (null, "") is nobody's: two ports without a MAC share nothing.
            guard !isBlank(value) else { return [] }
            raw = [value.stringValue ?? value.canonicalText]
        } else {
            raw = (value.arrayValue ?? []).compactMap { element in
                let parts = each.map { element[$0].flatMap { isBlank($0) ? nil : show($0) } }
                return parts.contains(where: { $0 == nil }) ? nil : parts.map { $0! }.joined(separator: " ")
            }
        }
        return caseInsensitive ? raw.map { $0.lowercased() } : raw
    }

    static let checksAcrossResources = true

    func sharedValues(_ resource: Resource) -> (values: Set<String>, at: RecordMeta)? {
        guard let config = resource.config, let value = config.facts?.body[field] else { return nil }
        return (Set(values(value)), config.meta)
    }

    func checkAcross(_ resources: [Resource], _ sink: inout FindingSink) {
        let what = each.isEmpty ? "body.\(field)" : "body.\(field) entry (\(each.joined(separator: ", ")))"
        reportShared(holders(resources), what: what, &sink)
    }
}
