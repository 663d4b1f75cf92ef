import Yams

/// The fields of a rule that are not its logic: texts, `applies_to` and examples. Each is
/// checked for its type when read, so that a typo stops the load (exit 2, naming file,
/// rule and field) instead of making an example pass or fail for the wrong reason.
extension CatalogLoader {
    /// A text field (`summary`, `rationale`, an example's `name`): a YAML string, not a
    /// number, a list or a mapping. nil when absent or null.
    static func text(_ node: Node?, _ field: String, fail: (String, String) -> RuleError) throws -> String? {
        guard let node else { return nil }
        switch JSONValue(yaml: node) {
        case .null: return nil
        case .string(let text): return text
        case .array, .object:
            throw fail(field, "must be text, not \(describe(JSONValue(yaml: node)))")
        case let scalar:
            // YAML reads `42`, `yes` or `1.0` as a number or a boolean.
            throw fail(field, "must be text, not \(describe(scalar)) (quote it if it is meant as text)")
        }
    }

    /// `applies_to`: a list of texts; whether each names a resource type is checked once
    /// every file's `resource_types` are known (`checkAppliesTo`).
    static func appliesTo(_ node: Node, fail: (String, String) -> RuleError) throws -> [String] {
        guard let items = node.sequence else { throw fail("applies_to", "must be a list of singular type names") }
        return try items.enumerated().map { index, item in
            guard let name = try text(item, "applies_to[\(index)]", fail: fail) else {
                throw fail("applies_to[\(index)]", "must be a singular type name")
            }
            return name
        }
    }

    /// Every name in `applies_to` must be a resource type's singular name: a rule that
    /// names no type would check nothing, silently.
    static func checkAppliesTo(_ rules: [Rule], types: [ResourceType], setIn files: [String: String]) throws {
        let known = types.map(\.singular)
        for rule in rules {
            for (index, name) in (rule.appliesTo ?? []).enumerated() where !known.contains(name) {
                var message = "\(name) names no resource type (known: \(known.joined(separator: ", ")))"
                if let close = closest(name, in: known + types.map(\.plural)) {
                    message += "; did you mean \(types.first { $0.plural == close }?.singular ?? close)?"
                }
                throw RuleError(file: files[rule.id] ?? rule.source, rule: rule.id, field: "applies_to[\(index)]", message)
            }
        }
    }

    /// The candidate a few edits from `name` (two, or a third of its length up to three;
    /// the fewest wins, ties by order), if any.
    static func closest(_ name: String, in candidates: [String]) -> String? {
        let wanted = Array(name.lowercased().unicodeScalars)
        var best: (distance: Int, name: String)?
        for candidate in candidates {
            let limit = min(3, max(2, wanted.count / 3))
            guard let distance = ResourceQuery.editDistance(wanted, Array(candidate.lowercased().unicodeScalars), atMost: limit)
            else { continue }
            if best == nil || distance < best!.distance { best = (distance, candidate) }
        }
        return best?.name
    }

    private static let exampleFields: Set<String> = ["name", "base", "patch", "remove", "set", "raw", "again", "revisions",
                                                     "count", "at", "pointer"]
    /// What only an example that fires can say (a passing one has no finding to count).
    private static let firesOnlyFields: Set<String> = ["count", "at", "pointer"]

    static func loadExamples(_ node: Node?, fail: (String, String) -> RuleError) throws -> RuleExamples {
        var examples = RuleExamples()
        guard let node else { return examples }
        guard let groups = node.mapping else { throw fail("examples", "must be a mapping with fires and passes") }
        for key in groups.keys where !["fires", "passes"].contains(key.string ?? "") {
            throw fail("examples.\(key.string ?? "")", "unknown example group (known: fires, passes)")
        }
        for (group, keyPath) in [("fires", \RuleExamples.fires), ("passes", \RuleExamples.passes)] {
            guard let list = node[group] else { continue }
            guard let items = list.sequence else { throw fail("examples.\(group)", "must be a list") }
            for (index, item) in items.enumerated() {
                let field = "examples.\(group)[\(index)]"
                examples[keyPath: keyPath].append(try loadExample(item, field: field, fires: group == "fires",
                                                                  defaultName: "\(group) #\(index + 1)", fail: fail))
            }
        }
        return examples
    }

    private static func loadExample(_ item: Node, field: String, fires: Bool, defaultName: String,
                                    fail: (String, String) -> RuleError) throws -> RuleExample {
        guard let mapping = item.mapping else { throw fail(field, "must be a mapping") }
        for name in mapping.keys.map({ $0.string ?? "" }) {
            guard exampleFields.contains(name) else {
                throw fail("\(field).\(name)", "unknown example field (known: \(exampleFields.sorted().joined(separator: ", ")))")
            }
            if !fires && firesOnlyFields.contains(name) {
                throw fail("\(field).\(name)", "only an example that fires can say \(name)")
            }
        }
        func pairs(_ name: String) throws -> [(String, JSONValue)] {
            guard let value = item[name] else { return [] }
            guard let map = value.mapping else { throw fail("\(field).\(name)", "must be a mapping") }
            return try map.map { key, value in
                let target = key.string ?? ""
                // `set` names full keys only; the others a record kind or a key.
                if name == "set" {
                    guard target.hasPrefix("/") else { throw fail("\(field).set.\(target)", "must be a full key (starting with /)") }
                    return (target, JSONValue(yaml: value))
                }
                return (try fieldTarget(target, "\(field).\(name).\(target)", fail: fail), JSONValue(yaml: value))
            }
        }
        let raw = try pairs("raw").map { target, value -> (String, String) in
            guard case .string(let text) = value else { throw fail("\(field).raw.\(target)", "must be text") }
            return (target, text)
        }
        var remove: [String] = []
        if let node = item["remove"] {
            guard let list = node.sequence else { throw fail("\(field).remove", "must be a list of record kinds or keys") }
            remove = try list.enumerated().map { index, entry in
                guard let name = try text(entry, "\(field).remove[\(index)]", fail: fail) else {
                    throw fail("\(field).remove[\(index)]", "must be a record kind or a key")
                }
                return try fieldTarget(name, "\(field).remove[\(index)]", fail: fail)
            }
        }
        var bases = ["port"]
        if let node = item["base"] {
            let list = node.sequence ?? [node]
            bases = try list.map { entry in
                guard let name = try text(entry, "\(field).base", fail: fail) else {
                    throw fail("\(field).base", "must be a base name or a list of them")
                }
                return name
            }
        }
        var count: Int?
        if let node = item["count"] {
            guard case .integer(let value) = JSONValue(yaml: node), value >= 1 else {
                throw fail("\(field).count", "must be a whole number of findings, at least 1")
            }
            count = Int(value)
        }
        var at: String?
        if let node = item["at"] {
            guard let name = try text(node, "\(field).at", fail: fail), RecordKind(rawValue: name) != nil else {
                let given = node.string.map { "\($0) is not a record kind" } ?? "must be a record kind"
                throw fail("\(field).at", given + kindHint(node.string ?? ""))
            }
            at = name
        }
        var example = RuleExample(
            name: try text(item["name"], "\(field).name", fail: fail) ?? defaultName,
            bases: bases,
            patch: try pairs("patch").map { (target: $0.0, patch: $0.1) },
            remove: remove,
            set: try pairs("set").map { (key: $0.0, value: $0.1) },
            raw: raw.map { (target: $0.0, text: $0.1) },
            count: count,
            at: at)
        if let node = item["pointer"] {
            guard let pointer = try text(node, "\(field).pointer", fail: fail), pointer.isEmpty || pointer.hasPrefix("/") else {
                throw fail("\(field).pointer", "must be a JSON pointer: text, empty or starting with /")
            }
            example.pointer = pointer
        }
        example.again = try pairs("again").map { (target: $0.0, patch: $0.1) }
        example.revisions = try pairs("revisions").map { target, value -> (target: String, revision: Int64) in
            guard case .integer(let revision) = value else { throw fail("\(field).revisions.\(target)", "must be an integer") }
            return (target, revision)
        }
        return example
    }

    /// What an example changes: a record kind of its first base, or a full key.
    private static func fieldTarget(_ name: String, _ at: String, fail: (String, String) -> RuleError) throws -> String {
        guard name.hasPrefix("/") || RecordKind(rawValue: name) != nil else {
            throw fail(at, "\(name) is neither a record kind nor a key" + kindHint(name))
        }
        return name
    }

    /// The record kinds, and the closest one to `name` if it looks like a typo.
    private static func kindHint(_ name: String) -> String {
        let kinds = RecordKind.allCases.map(\.rawValue)
        return " (record kinds: \(kinds.joined(separator: ", ")))" + (closest(name, in: kinds).map { "; did you mean \($0)?" } ?? "")
    }

    /// A check's error, placed in the rule. An error in a place of a declared rule that a
    /// `{param: NAME}` fills is the param's value's fault (an operator gave `failed_values:
    /// FAIL` where the rule needs a list): it names `params.NAME`, and where it is used.
    static func blamingParams(_ error: RuleError, _ params: RuleParams, file: String, rule: String) -> RuleError {
        var uses: [(field: String, name: String)] = []
        var knobs = Set<String>()
        if case .object(let members)? = params.values[DeclaredCheck.knobs] { knobs = Set(members.map(\.name)) }
        // The fields are spelt as the rule language's parser spells them (`check.all[1].equals`).
        func walk(_ value: JSONValue, _ field: String) {
            switch value {
            case .object(let members) where members.count == 1 && members[0].name == "param":
                // A name that is no param is the reference's own fault: its field says so.
                if let name = members[0].value.stringValue, knobs.contains(name) { uses.append((field, name)) }
            case .object(let members): for m in members { walk(m.value, "\(field).\(m.name)") }
            case .array(let items): for (i, item) in items.enumerated() { walk(item, "\(field)[\(i)]") }
            default: break
            }
        }
        for (name, value) in params.values where name != DeclaredCheck.knobs { walk(value, name) }
        guard let field = error.field,
              let use = uses.first(where: { field == $0.field || field.hasPrefix($0.field + ".") || field.hasPrefix($0.field + "[") })
        else { return RuleError(file: file, rule: rule, field: error.field, error.message) }
        return RuleError(file: file, rule: rule, field: "params.\(use.name)", "\(error.message) (used as {param: \(use.name)} in \(field))")
    }

    /// How a YAML value reads in a message.
    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .array: return "a list"
        case .object: return "a mapping"
        case .bool: return "true or false"
        case .integer, .real: return "a number"
        case .string: return "text"
        case .null: return "null"
        }
    }
}
