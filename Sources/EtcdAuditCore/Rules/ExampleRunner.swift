/// Builds the records of a rule example and checks that the rule fires (or not) as the
/// example says. The test suite runs every example of the catalog through this.
public struct ExampleRunner: Sendable {
    public let catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    /// What went wrong with one example, in words; empty when it behaves.
    public func verify(_ rule: Rule, _ example: RuleExample, shouldFire: Bool) -> [String] {
        let records: [RawRecord]
        do {
            records = try self.records(for: example)
        } catch {
            return ["cannot build the example: \(error)"]
        }
        let result = Auditor(catalog: catalog).audit(records: records, label: "example")
        let mine = result.findings.filter { $0.rule == rule.id }
        var problems: [String] = []
        if shouldFire {
            if let count = example.count, mine.count != count {
                problems.append("expected \(count) finding(s), got \(mine.count)")
            } else if mine.isEmpty {
                problems.append("expected findings, got none")
            }
            if let at = example.at {
                for finding in mine {
                    let kind = catalog.layouts.match(finding.keys.first ?? "")?.kind.rawValue
                    if kind != at { problems.append("finding points at \(kind ?? "?") (\(finding.keys.first ?? "")), expected \(at)") }
                }
            }
            if let pointer = example.pointer {
                for finding in mine where finding.location.pointer != pointer {
                    problems.append("finding points at member \(finding.location.pointer ?? "(none)"), expected \(pointer)")
                }
            }
        } else if !mine.isEmpty {
            problems.append("expected no finding, got: " + mine.map(\.message).joined(separator: " | "))
        }
        return problems.map { "\(rule.id): \(shouldFire ? "fires" : "passes") '\(example.name)': \($0)" }
    }

    /// The example as a document like the seeds: one fenced block per record, the key on
    /// its first line, the value (indented when it is JSON) below.
    public func markdownDocument(for rule: Rule, _ example: RuleExample) throws(RuleError) -> String {
        var out = "# \(rule.id): \(example.name)\n\n\(rule.summary)\n\n"
        let named = example.name == rule.examples.fires.first?.name ? "" : " --example '\(example.name)'"
        out += "Made from the rule's example with `etcd-audit rules --sample \(rule.id)\(named)`.\n"
        for entry in try entries(for: example) {
            out += "\n```\n\(entry.key)\n\(entry.raw ?? entry.value?.prettyText ?? "null")\n```\n"
        }
        return out
    }

    /// The example as JSON lines (`jsonl`), which carry revisions where the example sets them.
    public func jsonLines(for example: RuleExample) throws(RuleError) -> String {
        try entries(for: example).map { entry in
            var members = [JSONMember("key", .string(entry.key)),
                           JSONMember("value", .string(entry.raw ?? entry.value?.text ?? "null"))]
            if let revision = entry.revision {
                members += [JSONMember("create_revision", .integer(revision)), JSONMember("mod_revision", .integer(revision))]
            }
            return JSONValue.object(members).text + "\n"
        }.joined()
    }

    /// The example's records, in the order of the bases, changes applied.
    public func records(for example: RuleExample) throws(RuleError) -> [RawRecord] {
        try entries(for: example).enumerated().map { index, entry in
            RawRecord(key: entry.key, value: Array((entry.raw ?? entry.value?.text ?? "null").utf8),
                      createRevision: entry.revision, modRevision: entry.revision,
                      location: SourceLocation(path: "example", line: index + 1))
        }
    }

    private typealias ExampleEntry = (key: String, value: JSONValue?, raw: String?, revision: Int64?)

    private func entries(for example: RuleExample) throws(RuleError) -> [ExampleEntry] {
        var keys: [String] = []
        var values: [String: JSONValue] = [:]
        var rawTexts: [String: String] = [:]
        for name in example.bases {
            guard let base = catalog.exampleBases[name] else { throw RuleError("unknown example base \(name)") }
            for (key, value) in base {
                if values[key] == nil { keys.append(key) }
                values[key] = value
            }
        }
        let firstBase = Set((catalog.exampleBases[example.bases.first ?? ""] ?? []).map(\.key))
        func resolve(_ target: String) throws(RuleError) -> String {
            if target.hasPrefix("/") { return target }
            guard let key = keys.first(where: { firstBase.contains($0) && catalog.layouts.match($0)?.kind.rawValue == target })
            else { throw RuleError("example '\(example.name)': no \(target) record in base \(example.bases.first ?? "")") }
            return key
        }
        func drop(_ key: String) {
            keys.removeAll { $0 == key }
            values[key] = nil
        }
        for (target, patch) in example.patch {
            let key = try resolve(target)
            if patch == .null {
                drop(key)
            } else {
                values[key] = Self.mergePatch(values[key] ?? .null, patch)
            }
        }
        for target in example.remove { drop(try resolve(target)) }
        for (key, value) in example.set {
            if values[key] == nil { keys.append(key) }
            values[key] = value
        }
        for (target, text) in example.raw {
            let key = try resolve(target)
            if values[key] == nil && rawTexts[key] == nil { keys.append(key) }
            rawTexts[key] = text
        }
        var revisions: [String: Int64] = [:]
        for (target, revision) in example.revisions { revisions[try resolve(target)] = revision }
        var out: [ExampleEntry] = keys.map { (key: $0, value: values[$0], raw: rawTexts[$0], revision: revisions[$0]) }
        for (target, patch) in example.again {
            let key = try resolve(target)
            out.append((key: key, value: Self.mergePatch(values[key] ?? .null, patch), raw: nil, revision: nil))
        }
        return out
    }

    /// RFC 7396: objects merge member by member, null removes, anything else replaces.
    /// One extension: an object whose member names are all numbers patches those elements
    /// of an array (`{"1": {"action": "modify"}}` changes the job object of a job record).
    static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        if case .array(var items) = target, !patchMembers.isEmpty,
           patchMembers.allSatisfy({ Int($0.name).map { items.indices.contains($0) } ?? false }) {
            for change in patchMembers {
                let index = Int(change.name)!
                items[index] = mergePatch(items[index], change.value)
            }
            return .array(items)
        }
        var members: [JSONMember]
        if case .object(let existing) = target { members = existing } else { members = [] }
        for change in patchMembers {
            if change.value == .null {
                members.removeAll { $0.name == change.name }
            } else if let index = members.firstIndex(where: { $0.name == change.name }) {
                members[index].value = mergePatch(members[index].value, change.value)
            } else {
                members.append(JSONMember(change.name, mergePatch(.null, change.value)))
            }
        }
        return .object(members)
    }
}
