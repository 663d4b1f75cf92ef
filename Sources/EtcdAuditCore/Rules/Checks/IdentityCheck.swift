/// `identity.mismatch`: every record must name the resource its key names, in each of
/// the places SPEC §3 lists. One finding per failed comparison.
struct IdentityCheck: Check {
    static let kind = "identity"
    let needs: [RecordNeed] = [.atLeast(1, of: [.config, .job, .stack])]
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        let id = resource.id
        let singular = resource.type.singular
        // The member path is made only for a finding: this runs for every record.
        func compare(_ what: String, _ actual: JSONValue?, _ expected: String, at meta: RecordMeta,
                     _ member: @autoclosure () -> MemberPath) {
            guard let actual, actual != .string(expected) else { return }
            sink.report(resource, at: meta, "\(what) is \(show(actual)), expected \(expected)",
                        expected: expected, actual: show(actual), member: member())
        }

        if let config = resource.config, let body = config.facts?.body {
            compare("body.id", body["id"], id, at: config.meta, MemberPath("body", "id"))
        }
        let job1 = MemberPath.jobObject
        for job in resource.jobs {
            guard let facts = job.facts else { continue }
            let meta = job.meta
            compare("job resource_id", facts.members["resource_id"], id, at: meta, job1.member("resource_id"))
            compare("job resource_input.id", facts.resourceInputID, id, at: meta, job1.member("resource_input").member("id"))
            compare("job param uuid", facts.param("uuid")?.value, id, at: meta,
                    MemberPath.jobParam("uuid").member("value"))
            // The version part of job_name is job.version-inconsistent's business.
            if case .string(let name)? = facts.members["job_name"] {
                let prefix = "\(singular):\(id):"
                if !name.hasPrefix(prefix) {
                    sink.report(resource, at: meta, "job_name is \(name), expected \(prefix)<version>",
                                expected: prefix + "<version>", actual: name, member: job1.member("job_name"))
                }
            } else {
                compare("job_name", facts.members["job_name"], "\(singular):\(id):<version>", at: meta, job1.member("job_name"))
            }
            let lastSegment = String(meta.key[(meta.key.lastIndex(of: "/").map(meta.key.index(after:)) ?? meta.key.startIndex)...])
            compare("job id", facts.members["id"], lastSegment, at: meta, job1.member("id"))
            let handler = facts.members["handler"]?.stringValue ?? meta.keyFields["handler"]
            if let handler, facts.handlerElement != handler {
                sink.report(resource, at: meta, "job element 0 is \(facts.handlerElement), expected the handler \(handler)",
                            expected: handler, actual: facts.handlerElement, member: MemberPath([.index(0)]))
            }
            compare("job resource_type", facts.members["resource_type"], singular, at: meta, job1.member("resource_type"))
            if let keyAction = meta.keyFields["action"] {
                compare("job action", facts.members["action"], keyAction, at: meta, job1.member("action"))
            }
        }
        if let stack = resource.stack, let facts = stack.facts {
            compare("stack stack_id", facts.members["stack_id"], "\(singular)_\(id)", at: stack.meta, MemberPath("stack_id"))
            compare("stack id", facts.members["id"], "\(singular):\(id)", at: stack.meta, MemberPath("id"))
        }
    }
}
