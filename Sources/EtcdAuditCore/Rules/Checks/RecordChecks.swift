/// `refs.duplicate`: a job param's resources list names one resource twice.
struct DuplicateRefsCheck: Check {
    static let kind = "duplicate-refs"
    let needs: [RecordNeed] = [.record(.job)]
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        for job in resource.jobs {
            let params = job.facts?.params ?? []
            for (index, param) in params.enumerated() {
                var counts: [ResourceRef: Int] = [:]
                for ref in param.resources { counts[ref, default: 0] += 1 }
                let repeated = counts.filter { $0.value > 1 }.sorted { $0.key < $1.key }  // ResourceRef: bytes
                guard let first = repeated.first?.key else { continue }
                let listing = repeated.map { "\($0.key.type) \($0.key.id) (\($0.value) times)" }.joined(separator: ", ")
                // The first repeat of the first resource named twice.
                let sameName = params[..<index].filter { $0.name == param.name }.count + 1
                let ref = MemberPath.jobParam(param.name, occurrence: sameName)
                    .member("resources")
                    .element(matching: [.init("resource_type", first.type), .init("resource_id", first.id)], occurrence: 2)
                sink.report(resource, at: job.meta, "param \(param.name) lists \(listing) in its resources",
                            actual: param.name, member: ref,
                            values: repeated.map(\.key.id))
            }
        }
    }
}

extension MemberPath {
    /// A job's job object (element 1 of `[handler, job, retries]`).
    static let jobObject = MemberPath([.index(1)])
    /// A record's top-level `version`.
    static let version = MemberPath("version")

    /// A job param, by its name: `/1/params[param=NAME]`.
    static func jobParam(_ name: String, occurrence: Int = 1) -> MemberPath {
        jobObject.member("params").element(where: "param", is: name, occurrence: occurrence)
    }
}
