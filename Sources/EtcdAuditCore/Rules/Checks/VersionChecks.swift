/// `job.version-inconsistent`: the job key, `version`, `job_name` and the `version`
/// param must name one version.
struct JobVersionConsistencyCheck: Check {
    static let kind = "job-version-consistency"
    let needs: [RecordNeed] = [.record(.job)]
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    static let version = ValueSelection(steps: [.index(1), .member("version")])
    static let jobName = ValueSelection(steps: [.index(1), .member("job_name")])
    static let versionParam = ValueSelection(steps: [.index(1), .member("params"), .select(member: "param", value: "version"),
                                                     .member("value")])

    var plan: ExtractionPlan {
        var plan = ExtractionPlan()
        plan.add(Self.version, of: .job)
        plan.add(Self.jobName, of: .job)
        plan.add(Self.versionParam, of: .job)
        return plan
    }

    /// The last non-empty part of a ":"-separated name (`split(separator: ":").last`,
    /// without the array of parts).
    static func lastPart(of name: String) -> Substring? {
        guard let end = name.lastIndex(where: { $0 != ":" }).map(name.index(after:)) else { return nil }
        let trimmed = name[..<end]
        return trimmed[(trimmed.lastIndex(of: ":").map(trimmed.index(after:)) ?? trimmed.startIndex)...]
    }

    /// Where a version of `check`'s listing is written in the job (the key's: the job object).
    static func member(of place: String?) -> MemberPath {
        switch place {
        case "version"?: return MemberPath.jobObject.member("version")
        case "job_name"?: return MemberPath.jobObject.member("job_name")
        case "param version"?: return MemberPath.jobParam("version").member("value")
        default: return MemberPath.jobObject
        }
    }

    /// A place's version as compared: its number when it reads as one, else its text.
    private enum Compared: Equatable {
        case number(Int64), text(String)

        init(_ text: String) { self = Int64(text).map(Compared.number) ?? .text(text) }
    }

    /// Each place of `job` that names a version, in order, with the text it names, until
    /// `visit` says stop (false).
    private func forEachVersion(_ job: RecordEntry, of resource: Resource, _ visit: (_ place: String, _ text: String) -> Bool) {
        if let v = job.meta.keyFields["version"], !visit("key", v) { return }
        if let v = job.first(Self.version, of: resource), !visit("version", show(v)) { return }
        if let name = job.text(Self.jobName, of: resource), let last = Self.lastPart(of: name),
           !visit("job_name", String(last)) {
            return
        }
        // The first param named version, when it has a value.
        if let v = job.selected.values(Self.versionParam, resourceID: resource.id)?.first, v.choices.first == .integer(1) {
            _ = visit("param version", show(v.value))
        }
    }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        for job in resource.jobs where job.readable {
            // The common case, every place naming one version, is told without the listing.
            var first: Compared?, agree = true
            forEachVersion(job, of: resource) { _, text in
                let compared = Compared(text)
                if first == nil { first = compared }
                agree = compared == first
                return agree
            }
            guard !agree else { continue }
            var seen: [(place: String, text: String)] = []
            forEachVersion(job, of: resource) { seen.append(($0, $1)); return true }
            let compared = seen.map { Compared($0.text) }
            let listing = seen.map { "\($0.place) \($0.text)" }.joined(separator: ", ")
            // The first place that disagrees with the first (the key, where it has one).
            let odd = seen.indices.first { compared[$0] != compared[0] }.map { seen[$0].place }
            sink.report(resource, at: job.meta, "job versions disagree: \(listing)",
                        expected: job.meta.keyFields["version"], actual: listing, member: Self.member(of: odd),
                        values: seen.map(\.text))
        }
    }
}

/// `resource.in-flight`: an operation is under way at the time of the dump.
struct InFlightCheck: Check {
    static let kind = "in-flight"
    let needs: [RecordNeed] = [.record(.config)]
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard resource.isInFlight, let config = resource.config, let version = resource.configVersion else { return }
        let jobs = resource.jobs(forVersion: version)
        let stateText = resource.state?.facts?.version.map { "state is at version \($0)" } ?? "no usable state yet"
        var related = Dictionary(jobs.map { ($0.meta.key, MemberPath.jobObject.member("version")) }) { a, _ in a }
        var keys = [config.meta.key] + jobs.map(\.meta.key)
        if let state = resource.state {
            keys.append(state.meta.key)
            related[state.meta.key] = MemberPath("version")
        }
        sink.report(resource, at: config.meta,
                    "job for version \(version) is under way; \(stateText)",
                    keys: keys, member: MemberPath("version"), relatedMembers: related,
                    values: [String(version)] + (resource.state?.facts?.version.map { [String($0)] } ?? []))
    }
}
