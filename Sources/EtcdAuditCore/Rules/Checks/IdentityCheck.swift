/// `identity.mismatch`: every record must name the resource its key names, in each of
/// the places SPEC §3 lists. One finding per failed comparison.
struct IdentityCheck: Check {
    static let kind = "identity"
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        let id = resource.id
        let singular = resource.type.singular
        func compare(_ what: String, _ actual: JSONValue?, _ expected: String, at meta: RecordMeta) {
            guard let actual, actual != .string(expected) else { return }
            sink.report(resource, at: meta, "\(what) is \(show(actual)), expected \(expected)",
                        expected: expected, actual: show(actual))
        }

        if let config = resource.config, let body = config.facts?.body {
            compare("body.id", body["id"], id, at: config.meta)
        }
        for job in resource.jobs {
            guard let facts = job.facts else { continue }
            let meta = job.meta
            compare("job resource_id", facts.members["resource_id"], id, at: meta)
            compare("job resource_input.id", facts.resourceInputID, id, at: meta)
            compare("job param uuid", facts.param("uuid")?.value, id, at: meta)
            // The version part of job_name is job.version-inconsistent's business.
            if case .string(let name)? = facts.members["job_name"] {
                let prefix = "\(singular):\(id):"
                if !name.hasPrefix(prefix) {
                    sink.report(resource, at: meta, "job_name is \(name), expected \(prefix)<version>",
                                expected: prefix + "<version>", actual: name)
                }
            } else {
                compare("job_name", facts.members["job_name"], "\(singular):\(id):<version>", at: meta)
            }
            let lastSegment = String(meta.key[(meta.key.lastIndex(of: "/").map(meta.key.index(after:)) ?? meta.key.startIndex)...])
            compare("job id", facts.members["id"], lastSegment, at: meta)
            let handler = facts.members["handler"]?.stringValue ?? meta.keyFields["handler"]
            if let handler, facts.handlerElement != handler {
                sink.report(resource, at: meta, "job element 0 is \(facts.handlerElement), expected the handler \(handler)",
                            expected: handler, actual: facts.handlerElement)
            }
            compare("job resource_type", facts.members["resource_type"], singular, at: meta)
            if let keyAction = meta.keyFields["action"] {
                compare("job action", facts.members["action"], keyAction, at: meta)
            }
        }
        if let stack = resource.stack, let facts = stack.facts {
            compare("stack stack_id", facts.members["stack_id"], "\(singular)_\(id)", at: stack.meta)
            compare("stack id", facts.members["id"], "\(singular):\(id)", at: stack.meta)
        }
    }
}
