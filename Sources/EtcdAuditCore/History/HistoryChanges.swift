#if canImport(Glibc)
import Glibc
#endif

extension History {
    /// Fills in each put's `changes` (a put over an existing key): the members the rules read (as `explain` lists
    /// them, heat outputs by key) that differ between the version replaced and the one
    /// written, both read again from the snapshot. Done for the timelines a report shows,
    /// after `limited(to:)`: a write nobody reads costs nothing.
    public func describingChanges(catalog: Catalog, rules: [Rule]) -> History {
        var plan = ExtractionPlan()
        for rule in rules { plan.merge(rule.check.plan) }
        guard let path = result.inputs.first?.path else { return self }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return self }
        defer { close(descriptor) }
        var st = stat()
        let size = fstat(descriptor, &st) == 0 ? Int(st.st_size) : 0
        func members(_ offset: Int?, kind: RecordKind) -> [String: String] {
            guard let offset,
                  let (_, value) = (try? EtcdSnapshot.keyValue(atElement: offset, descriptor: descriptor, size: size,
                                                               path: path)) ?? nil else { return [:] }
            guard case .success(let parsed) = JSONDocument.parse(value, { $0.value }) else {
                return ["(value)": "not valid JSON"]
            }
            var out: [String: String] = [:]
            for member in RecordDetail.members(of: kind, parsed.value, plan: plan) {
                out[member.path.description] = show(member.value)
            }
            if let outputs = RecordDetail.heatOutputs(of: kind, parsed.value) {
                if let error = outputs.error { out[outputs.path.description] = "(\(error))" }
                for output in outputs.outputs {
                    out["\(outputs.path)[output_key=\(output.key)]"] = show(output.value)
                }
            }
            return out
        }
        var out = self
        for t in out.timelines.indices {
            for e in out.timelines[t].events.indices {
                for w in out.timelines[t].events[e].writes.indices {
                    let write = out.timelines[t].events[e].writes[w]
                    // A new key or a deletion: explain shows a record whole; here only what changed.
                    guard write.offset != nil, write.previousOffset != nil,
                          let kind = catalog.layouts.match(write.key)?.kind else { continue }
                    let old = members(write.previousOffset, kind: kind), new = members(write.offset, kind: kind)
                    out.timelines[t].events[e].writes[w].changes = Set(old.keys).union(new.keys).sorted().compactMap { name in
                        old[name] == new[name] ? nil : MemberChange(member: name, old: old[name], new: new[name])
                    }
                }
            }
        }
        return out
    }
}
