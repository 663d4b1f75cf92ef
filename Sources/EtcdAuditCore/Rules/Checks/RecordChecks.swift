/// `refs.duplicate`: a job param's resources list names one resource twice.
struct DuplicateRefsCheck: Check {
    static let kind = "duplicate-refs"
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        for job in resource.jobs {
            for param in job.facts?.params ?? [] {
                var counts: [ResourceRef: Int] = [:]
                for ref in param.resources { counts[ref, default: 0] += 1 }
                let repeated = counts.filter { $0.value > 1 }.sorted { $0.key < $1.key }
                guard !repeated.isEmpty else { continue }
                let listing = repeated.map { "\($0.key.type) \($0.key.id) (\($0.value) times)" }.joined(separator: ", ")
                sink.report(resource, at: job.meta, "param \(param.name) lists \(listing) in its resources",
                            actual: param.name)
            }
        }
    }
}

/// `monitoring.failed`: a monitored component reports a failure value.
struct ComponentFailedCheck: Check {
    static let kind = "component-failed"
    let failedValues: [String]

    init(params: RuleParams) throws(RuleError) {
        try params.allowOnly(["failed_values"])
        failedValues = try params.strings("failed_values", default: ["FAIL"])
    }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard let monitoring = resource.monitoring, let facts = monitoring.facts else { return }
        for (name, value) in facts.components {
            guard case .string(let text) = value, failedValues.contains(text) else { continue }
            sink.report(resource, at: monitoring.meta, "monitoring reports \(name): \(text)", actual: name)
        }
    }
}

/// `record.orphan`: records of a resource that has no config record.
struct OrphanRecordCheck: Check {
    static let kind = "orphan"
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        guard resource.config == nil else { return }
        for (kind, meta) in resource.allRecords {
            sink.report(resource, at: meta, "\(kind.rawValue) record without a config record for \(resource.type.singular) \(resource.id)")
        }
    }
}

/// `unique.vmi` and the like: no two resources of a type may report the same value for
/// a stack output. Reported on every resource sharing it, naming the others.
struct UniqueOutputCheck: Check {
    static let kind = "unique-output"
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
        reportShared(holders(resources), what: "stack output \(outputKey)", &sink)
    }
}

/// null and "" hold no value: two resources without one share nothing.
func isBlank(_ value: JSONValue) -> Bool {
    value == .null || value == .string("")
}

extension Check {
    /// Who holds each of the values `sharedValues` gives, in resource order.
    func holders(_ resources: [Resource]) -> [String: [(Resource, RecordMeta)]] {
        var holders: [String: [(Resource, RecordMeta)]] = [:]
        for resource in resources {
            guard let (values, meta) = sharedValues(resource) else { continue }
            for value in values { holders[value, default: []].append((resource, meta)) }
        }
        return holders
    }
}

/// Reports each value held by more than one resource, once on each holder.
func reportShared(_ holders: [String: [(Resource, RecordMeta)]], what: String, _ sink: inout FindingSink) {
    for (value, list) in holders.sorted(by: { $0.key < $1.key }) {
        let ids = Set(list.map(\.0.id))
        guard ids.count > 1 else { continue }
        for (resource, meta) in list {
            let others = ids.subtracting([resource.id]).sorted()
            sink.report(resource, at: meta,
                        "\(what) \(value) is also held by \(resource.type.singular) \(others.joined(separator: ", "))",
                        actual: value, keys: [meta.key] + list.filter { $0.0.id != resource.id }.map(\.1.key))
        }
    }
}
