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

/// `monitoring.failed`: a monitored component reports a failure value.
struct ComponentFailedCheck: Check {
    static let kind = "component-failed"
    let needs: [RecordNeed] = [.record(.monitoring)]
    let failedValues: [String]

    init(params: RuleParams) throws(RuleError) {
        try params.allowOnly(["failed_values"])
        failedValues = try params.strings("failed_values", default: ["FAIL"])
    }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard let monitoring = resource.monitoring, let facts = monitoring.facts else { return }
        for (name, value) in facts.components {
            guard case .string(let text) = value, failedValues.contains(text) else { continue }
            sink.report(resource, at: monitoring.meta, "monitoring reports \(name): \(text)", actual: name,
                        member: MemberPath(name), values: [text])
        }
    }
}

/// `record.orphan`: records of a resource that has no config record.
struct OrphanRecordCheck: Check {
    static let kind = "orphan"
    let needs: [RecordNeed] = []
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard resource.config == nil else { return }
        for (kind, meta) in resource.allRecords {
            sink.report(resource, at: meta, "\(kind.rawValue) record without a config record for \(resource.type.singular) \(resource.id)",
                        member: MemberPath())
        }
    }
}

/// `unique.vmi` and the like: no two resources of a type may report the same value for
/// a stack output. Reported on every resource sharing it, naming the others.
struct UniqueOutputCheck: Check {
    static let kind = "unique-output"
    let needs: [RecordNeed] = [.record(.stack)]
    let outputKey: String

    init(params: RuleParams) throws(RuleError) {
        try params.allowOnly(["output_key"])
        outputKey = try params.string("output_key")
    }

    var plan: ExtractionPlan {
        var plan = ExtractionPlan()
        plan.outputValues = [outputKey]
        return plan
    }

    static let checksAcrossResources = true

    func sharedValues(_ resource: Resource) -> (values: Set<String>, at: RecordMeta)? {
        guard let stack = resource.stack, let outputs = stack.facts?.outputs else { return nil }
        let values = Set(outputs.filter { $0.key == outputKey }.compactMap { output in
            output.value.flatMap { isBlank($0) ? nil : show($0) }
        })
        return (values, stack.meta)
    }

    func checkAcross(_ resources: [Resource], _ sink: inout FindingSink) {
        reportShared(holders(resources), what: "stack output \(outputKey)", &sink) { resource, value in
            // The output that holds the value (a key may be output more than once).
            let outputs = resource.stack?.facts?.outputs?.filter { $0.key == outputKey } ?? []
            let occurrence = (outputs.firstIndex { $0.value.map(show) == value } ?? 0) + 1
            return MemberPath.output(outputKey, occurrence: occurrence)
        }
    }
}

/// null and "" hold no value: two resources without one share nothing.
func isBlank(_ value: JSONValue) -> Bool {
    value == .null || value == .string("")
}

extension Check {
    /// Who holds each of the values `sharedValues` gives, in resource order. Values and
    /// ids compare as bytes, as the store keeps them (ExactText.swift).
    func holders(_ resources: [Resource]) -> [ExactText: [(Resource, RecordMeta)]] {
        var holders: [ExactText: [(Resource, RecordMeta)]] = [:]
        for resource in resources {
            guard let (values, meta) = sharedValues(resource) else { continue }
            for value in values { holders[ExactText(value), default: []].append((resource, meta)) }
        }
        return holders
    }
}

/// Reports each value held by more than one resource, once on each holder, with the
/// other holders as related locations; `member` names where a resource holds the value.
/// A finding names at most `namedHolders` others (and counts the rest): one value held
/// by 10,000 resources gives 10,000 findings, not 10,000 × 10,000 related locations.
func reportShared(_ holders: [ExactText: [(Resource, RecordMeta)]], what: String, _ sink: inout FindingSink,
                  member: (Resource, String) -> MemberPath) {
    let namedHolders = 10
    for (exact, list) in holders.sorted(by: { $0.key < $1.key }) {
        let value = exact.string
        // In resource order, which is id order (bytes) within a type.
        let count = Set(list.map { ExactText($0.0.id) }).count
        guard count > 1 else { continue }
        for (resource, meta) in list {
            let otherHolders = Array(list.lazy.filter { !$0.0.id.sameBytes(resource.id) }.prefix(namedHolders))
            let more = count - 1 - otherHolders.count
            let others = otherHolders.map(\.0.id).joined(separator: ", ") + (more > 0 ? " and \(more) more" : "")
            sink.report(resource, at: meta,
                        "\(what) \(value) is also held by \(resource.type.singular) \(others)",
                        actual: value, keys: [meta.key] + otherHolders.map(\.1.key), member: member(resource, value),
                        related: otherHolders.map { RelatedLocation(key: $0.1.key, location: $0.1.findingLocation,
                                                                    member: member($0.0, value)) })
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

    /// The value of a stack output: `/output[output_key=KEY]/output_value`.
    static func output(_ key: String, occurrence: Int = 1) -> MemberPath {
        MemberPath("output").element(where: "output_key", is: key, occurrence: occurrence).member("output_value")
    }
}
