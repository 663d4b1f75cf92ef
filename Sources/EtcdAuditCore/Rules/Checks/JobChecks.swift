/// The config, and the jobs made for its current version: the ones whose params must
/// still match the config body.
private func currentJobs(_ resource: Resource) -> (config: RecordEntry, jobs: [RecordEntry])? {
    guard let config = resource.config, let version = config.facts?.version else { return nil }
    return (config, resource.jobs(forVersion: version).filter(\.readable))
}

/// `job.params-drift`: a job param disagrees with the config body it was built from.
/// Lists compare as sets; a param the job lacks is not compared.
struct ParamsDriftCheck: Check {
    static let kind = "params-drift"
    let needs: [RecordNeed] = [.record(.config), .jobForConfigVersion]
    /// param → body field whose value it must carry.
    let fields: [String: String]
    /// param → body path (`field` or `list[].member`) whose values its resources' ids must be.
    let resourceIDs: [String: String]
    /// Each param named, in name order, with the selections that read it in the job
    /// (`[1].params[param=NAME]...`: every occurrence, located) and the body field it is
    /// compared with in the config (shared with the declared rules that read the same
    /// member, so the store keeps it once).
    private let asked: [Asked]

    /// A class: the check goes through every one for every current job, and a struct of
    /// these would be copied (each member retained) on every turn.
    private final class Asked: Sendable {
        let param: String
        let field: (name: String, body: ValueSelection, value: ValueSelection)?
        /// `present`: each occurrence of the param (its `param` member), as one without a
        /// resources list still names none.
        let ids: (path: BodyPath, body: ValueSelection, present: ValueSelection, resources: ValueSelection)?

        init(_ param: String, field: String?, ids: String?) {
            func body(_ field: String) -> ValueSelection { ValueSelection(steps: [.member("body"), .member(field)]) }
            func selection(_ member: String) -> ValueSelection {
                ValueSelection(steps: [.index(1), .member("params"), .select(member: "param", value: param), .member(member)])
            }
            self.param = param
            self.field = field.map { ($0, body($0), selection("value")) }
            self.ids = ids.map(BodyPath.init).map { ($0, body($0.field), selection("param"), selection("resources")) }
        }
    }

    init(params: RuleParams) throws(RuleError) {
        try params.allowOnly(["fields", "resource_ids"])
        fields = try params.stringMap("fields")
        resourceIDs = params.has("resource_ids") ? try params.stringMap("resource_ids") : [:]
        for (param, path) in resourceIDs {
            let parts = path.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, !parts.contains(where: \.isEmpty) else {
                throw RuleError(field: "params.resource_ids.\(param)", "path \(path) must be `field` or `list[].member`")
            }
        }
        let fields = self.fields, resourceIDs = self.resourceIDs
        asked = Set(fields.keys).union(resourceIDs.keys).sorted().map { Asked($0, field: fields[$0], ids: resourceIDs[$0]) }
    }

    var plan: ExtractionPlan {
        var plan = ExtractionPlan()
        for asked in asked {
            if let field = asked.field {
                plan.add(field.body, of: .config)
                plan.add(field.value, of: .job)
            }
            if let ids = asked.ids {
                plan.add(ids.body, of: .config)
                plan.add(ids.present, of: .job)
                plan.add(ids.resources, of: .job)
            }
        }
        return plan
    }

    /// A body path, taken apart once: `network_id`, or `fixed_ips[].subnet_id`.
    private struct BodyPath: Sendable {
        var text: String
        var field: String
        var isList: Bool
        var member: String?

        init(_ path: String) {
            text = path
            let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
            isList = parts[0].hasSuffix("[]")
            field = isList ? String(parts[0].dropLast(2)) : parts[0]
            member = parts.count > 1 ? parts[1] : nil
        }

        /// The strings the path names in the body's `field` (repeats kept: compared as sets).
        func values(in fieldValue: JSONValue?) -> [String] {
            if isList {
                let list = fieldValue?.arrayValue ?? []
                return list.compactMap { item in member.map { item[$0]?.stringValue } ?? item.stringValue }
            }
            return [fieldValue?.stringValue].compactMap { $0 }
        }
    }

    /// The config body's field that `selection` keeps, as the store kept it (nil: absent).
    private func body(_ selection: ValueSelection, of config: RecordEntry, _ resource: Resource) -> JSONValue? {
        config.selected.plainValues(selection, resourceID: resource.id)?.first
    }

    /// The ids a param's resources list names: of each element with a string type and id.
    private static func referredIDs(_ resources: JSONValue?) -> [String] {
        (resources?.arrayValue ?? []).compactMap { ref in
            guard ref["resource_type"]?.stringValue != nil else { return nil }
            return ref["resource_id"]?.stringValue
        }
    }

    /// Whether `a` and `b` hold the same strings, repeats aside. A job names one or two
    /// resources per param: hashing each into a `Set` cost more than comparing them.
    private static func sameStrings(_ a: [String], _ b: [String]) -> Bool {
        if a.count <= 16 && b.count <= 16 { return a.allSatisfy(b.contains) && b.allSatisfy(a.contains) }
        return Set(a) == Set(b)
    }

    /// Where the param a selected value belongs to sits: `[param=NAME]`'s choice is its occurrence.
    private static func paramPath(_ name: String, _ value: SelectedValue) -> MemberPath {
        guard case .integer(let occurrence)? = value.choices.first else { return MemberPath.jobParam(name) }
        return MemberPath.jobParam(name, occurrence: Int(occurrence))
    }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard let (config, jobs) = currentJobs(resource) else { return }
        for job in jobs {
            for asked in asked {
                // Stored alike, the param and the body field hold the same value: the common case
                // is settled without decoding either.
                if let field = asked.field, !job.selected.sameStoredValues(field.value, as: field.body, in: config.selected),
                   let values = job.selected.plainValues(field.value, resourceID: resource.id), !values.isEmpty {
                    let bodyValue = body(field.body, of: config, resource)
                    // Located (the choices made) only for a value that differs: this runs
                    // for every asked param of every current job.
                    for (index, value) in values.enumerated() where !value.equalsAsSet(bodyValue ?? .null) {
                        let located = job.selected.values(field.value, resourceID: resource.id)![index]
                        sink.report(resource, at: job.meta,
                                    "param \(asked.param) is \(value.text) but body.\(field.name) is \(bodyValue?.text ?? "absent")",
                                    expected: bodyValue?.text ?? "absent", actual: value.text,
                                    keys: [job.meta.key, config.meta.key],
                                    member: Self.paramPath(asked.param, located).member("value"),
                                    relatedMembers: [config.meta.key: MemberPath("body", field.name)], values: [asked.param])
                    }
                }
                if let ids = asked.ids, let presentValues = job.selected.plainValues(ids.present, resourceID: resource.id),
                   !presentValues.isEmpty {
                    let named = ids.path.values(in: body(ids.body, of: config, resource))
                    // The common case, the param named once: its list is the one list there
                    // is, and agreeing it needs no choices to locate it.
                    if presentValues.count == 1,
                       Self.sameStrings(Self.referredIDs(job.selected.plainValues(ids.resources, resourceID: resource.id)?.first), named) {
                        continue
                    }
                    let present = job.selected.values(ids.present, resourceID: resource.id) ?? []
                    let path = ids.path.text
                    let lists = job.selected.values(ids.resources, resourceID: resource.id) ?? []
                    for occurrence in present {
                        let list = lists.first { $0.choices == occurrence.choices }?.value
                        let referred = Self.referredIDs(list)
                        guard !Self.sameStrings(referred, named) else { continue }
                        let referredSet = Set(referred), wanted = Set(named)
                        sink.report(resource, at: job.meta,
                                    "param \(asked.param) refers to \(referredSet.sorted().joined(separator: ", ")) but body \(path) is \(wanted.sorted().joined(separator: ", "))",
                                    expected: wanted.sorted().joined(separator: ","), actual: referredSet.sorted().joined(separator: ","),
                                    keys: [job.meta.key, config.meta.key],
                                    member: Self.paramPath(asked.param, occurrence).member("resources"),
                                    relatedMembers: [config.meta.key: MemberPath("body", ids.path.field)],
                                    values: [asked.param] + referredSet.sorted() + wanted.sorted())
                    }
                }
            }
        }
    }
}
