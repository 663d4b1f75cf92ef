/// The config, and the jobs made for its current version: the ones whose params must
/// still match the config body.
private func currentJobs(_ resource: Resource) -> (config: Entry<ConfigFacts>, jobs: [(Entry<JobFacts>, JobFacts)])? {
    guard let config = resource.config, let configFacts = config.facts else { return nil }
    return (config, resource.jobs(forVersion: configFacts.version).compactMap { job in job.facts.map { (job, $0) } })
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
    /// What is asked of each param named, with the selection that keeps the body field it
    /// is compared with (shared with the declared rules that read the same member, so the
    /// store keeps it once): one lookup per param of every current job.
    private let asked: [String: Asked]

    private struct Asked {
        var field: (name: String, selection: ValueSelection)?
        var ids: (path: BodyPath, selection: ValueSelection)?
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
        let paths = resourceIDs.mapValues(BodyPath.init)
        let bodyFields = Set(fields.values).union(paths.values.map(\.field))
        let bodySelections = Dictionary(uniqueKeysWithValues: bodyFields.map { ($0, ValueSelection(steps: [.member("body"), .member($0)])) })
        var asked: [String: Asked] = [:]
        for (param, field) in fields { asked[param, default: Asked()].field = (field, bodySelections[field]!) }
        for (param, path) in paths { asked[param, default: Asked()].ids = (path, bodySelections[path.field]!) }
        self.asked = asked
    }

    var plan: ExtractionPlan {
        var plan = ExtractionPlan()
        plan.params = Set(fields.keys)
        plan.paramResources = Set(resourceIDs.keys)
        for asked in asked.values {
            for selection in [asked.field?.selection, asked.ids?.selection].compactMap({ $0 }) { plan.add(selection, of: .config) }
        }
        return plan
    }

    /// A body path, taken apart once: `network_id`, or `fixed_ips[].subnet_id`.
    private struct BodyPath {
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
    private func body(_ selection: ValueSelection, of config: Entry<ConfigFacts>, _ resource: Resource) -> JSONValue? {
        config.selected.plainValues(selection, resourceID: resource.id)?.first
    }

    /// Whether `a` and `b` hold the same strings, repeats aside. A job names one or two
    /// resources per param: hashing each into a `Set` cost more than comparing them.
    private static func sameStrings(_ a: [String], _ b: [String]) -> Bool {
        if a.count <= 16 && b.count <= 16 { return a.allSatisfy(b.contains) && b.allSatisfy(a.contains) }
        return Set(a) == Set(b)
    }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard let (config, jobs) = currentJobs(resource) else { return }
        let configMeta = config.meta
        for (job, facts) in jobs {
            for (index, param) in facts.params.enumerated() {
                guard let asked = asked[param.name] else { continue }
                // Made only for a finding: this runs for every param of every current job.
                func paramPath() -> MemberPath {
                    MemberPath.jobParam(param.name, occurrence: facts.params[..<index].filter { $0.name == param.name }.count + 1)
                }
                if let (field, selection) = asked.field, let value = param.value {
                    let bodyValue = body(selection, of: config, resource)
                    if !value.equalsAsSet(bodyValue ?? .null) {
                        sink.report(resource, at: job.meta,
                                    "param \(param.name) is \(value.text) but body.\(field) is \(bodyValue?.text ?? "absent")",
                                    expected: bodyValue?.text ?? "absent", actual: value.text,
                                    keys: [job.meta.key, configMeta.key], member: paramPath().member("value"),
                                    relatedMembers: [configMeta.key: MemberPath("body", field)], values: [param.name])
                    }
                }
                if let (bodyPath, selection) = asked.ids {
                    let path = bodyPath.text
                    let referred = param.resources.map(\.id), named = bodyPath.values(in: body(selection, of: config, resource))
                    if !Self.sameStrings(referred, named) {
                        let ids = Set(referred), wanted = Set(named)
                        sink.report(resource, at: job.meta,
                                    "param \(param.name) refers to \(ids.sorted().joined(separator: ", ")) but body \(path) is \(wanted.sorted().joined(separator: ", "))",
                                    expected: wanted.sorted().joined(separator: ","), actual: ids.sorted().joined(separator: ","),
                                    keys: [job.meta.key, configMeta.key], member: paramPath().member("resources"),
                                    relatedMembers: [configMeta.key: MemberPath("body", bodyPath.field)],
                                    values: [param.name] + ids.sorted() + wanted.sorted())
                    }
                }
            }
        }
    }
}
