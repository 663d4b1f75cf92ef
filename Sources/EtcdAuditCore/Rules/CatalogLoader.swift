import Yams

/// Reads catalog files: `record_kinds` and `resource_types` (layouts), `rules`, and
/// `example_bases`. Every problem names the file, the rule and the field.
///
/// Later files build on earlier ones (the built-in catalog first, then an operator's
/// `--rules DIR`): a rule with a `kind` is a new rule; a rule without one changes the rule
/// of that id (its severity, params merged member by member, texts, `applies_to`,
/// examples) or, with `disabled: true`, removes it. Two files that change one field of one
/// rule differently are a conflict.
enum CatalogLoader {
    static func load(files: [(name: String, text: String)]) throws -> Catalog {
        var patterns: [(RecordKind, KeyPattern)] = []
        var types: [ResourceType] = []
        var rules: [Rule] = []
        var bases: [String: [(key: String, value: JSONValue)]] = [:]
        var changedBy: [String: String] = [:]  // "rule id/field" → file that changed it
        var disabled: Set<String> = []
        var appliesToFile: [String: String] = [:]  // rule id → file that last set its applies_to

        for (file, text) in files {
            let root: Node?
            do {
                root = try composeYAML(text)
            } catch {
                throw RuleError(file: file, "is not valid YAML: \(error)")
            }
            guard let root else { continue }
            guard let mapping = root.mapping else { throw RuleError(file: file, "must be a mapping at the top level") }
            for (keyNode, value) in mapping {
                let section = keyNode.string ?? ""
                switch section {
                case "record_kinds":
                    guard let kinds = value.mapping else { throw RuleError(file: file, field: section, "must be a mapping kind → key pattern") }
                    for (kindNode, patternNode) in kinds {
                        guard let kind = RecordKind(rawValue: kindNode.string ?? "") else {
                            throw RuleError(file: file, field: "record_kinds.\(kindNode.string ?? "")",
                                            "unknown record kind (known: \(RecordKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                        }
                        do {
                            patterns.append((kind, try KeyPattern(patternNode.string ?? "")))
                        } catch {
                            throw RuleError(file: file, field: "record_kinds.\(kind.rawValue)", error.description)
                        }
                    }
                case "resource_types":
                    guard let list = value.sequence else { throw RuleError(file: file, field: section, "must be a list") }
                    for item in list {
                        guard let plural = item["plural"]?.string, let singular = item["singular"]?.string,
                              !plural.isEmpty, !singular.isEmpty else {
                            throw RuleError(file: file, field: section, "each entry needs plural and singular names")
                        }
                        types.append(ResourceType(plural: plural, singular: singular))
                    }
                case "rules":
                    guard let list = value.sequence else { throw RuleError(file: file, field: section, "must be a list") }
                    for item in list {
                        if item["applies_to"] != nil, let id = item["id"]?.string { appliesToFile[id] = file }
                        let declares = DeclaredCheck.declares.contains { item[$0] != nil }
                        if item["kind"] == nil, !declares, let id = item["id"]?.string {
                            guard let index = rules.firstIndex(where: { $0.id == id }) else {
                                throw RuleError(file: file, rule: id, field: "kind",
                                                "there is no rule \(id) to change; a new rule needs kind, severity and summary")
                            }
                            if try applyChanges(item, to: &rules[index], file: file, changedBy: &changedBy) {
                                disabled.insert(id)
                            }
                            continue
                        }
                        let rule = try loadRule(item, file: file)
                        if let existing = rules.first(where: { $0.id == rule.id }) {
                            throw RuleError(file: file, rule: rule.id, field: "kind",
                                            "is already defined in \(existing.source); to change it, give only the fields to change (no kind)")
                        }
                        rules.append(rule)
                    }
                case "example_bases":
                    guard let named = value.mapping else { throw RuleError(file: file, field: section, "must be a mapping") }
                    for (nameNode, records) in named {
                        guard let recordMap = records.mapping else {
                            throw RuleError(file: file, field: "example_bases.\(nameNode.string ?? "")", "must map keys to values")
                        }
                        bases[nameNode.string ?? ""] = recordMap.map { ($0.key.string ?? "", JSONValue(yaml: $0.value)) }
                    }
                default:
                    throw RuleError(file: file, field: section, "unknown section (known: record_kinds, resource_types, rules, example_bases)")
                }
            }
        }
        let layouts: Layouts
        do {
            layouts = try Layouts(patterns: patterns, types: types)
        } catch {
            throw RuleError(error.description)
        }
        let enabled = rules.filter { !disabled.contains($0.id) }
        // Only now: a later file may add the resource type a rule names.
        try checkAppliesTo(enabled, types: types, setIn: appliesToFile)
        return Catalog(layouts: layouts, rules: enabled, exampleBases: bases)
    }

    private static let changeableFields: Set<String> = ["id", "severity", "summary", "rationale", "applies_to", "params",
                                                         "examples", "disabled"]

    /// Applies an operator's change to a rule; returns true when it disables the rule.
    private static func applyChanges(_ node: Node, to rule: inout Rule, file: String,
                                     changedBy: inout [String: String]) throws -> Bool {
        let id = rule.id
        func fail(_ field: String, _ message: String) -> RuleError { RuleError(file: file, rule: id, field: field, message) }
        let fields: [(String, Node)] = node.mapping.map { $0.map { ($0.key.string ?? "", $0.value) } } ?? []
        for (field, value) in fields where field != "id" {
            guard changeableFields.contains(field) else {
                throw fail(field, "cannot be changed (changeable: \(changeableFields.subtracting(["id"]).sorted().joined(separator: ", ")))")
            }
            // The same field changed by two files to different values is a conflict; each
            // param counts as its own field.
            let names = field == "params" ? (value.mapping.map { $0.keys.map { "params.\($0.string ?? "")" } } ?? [field]) : [field]
            for name in names {
                let slot = "\(id)/\(name)"
                if let other = changedBy[slot], other != file {
                    throw fail(name, "is also changed by \(other); keep one of the two")
                }
                changedBy[slot] = file
            }
        }
        var merged = rule.params.values
        for (field, value) in fields {
            switch field {
            case "severity":
                guard let severity = value.string.flatMap(Severity.init(rawValue:)) else {
                    throw fail(field, "\(value.string.map { "\($0) is not a severity: " } ?? "")must be error, warning or info")
                }
                rule.severity = severity
            case "summary":
                guard let summary = try text(value, field, fail: fail), !summary.isEmpty else { throw fail(field, "must not be empty") }
                rule.summary = summary
            case "rationale": rule.rationale = try text(value, field, fail: fail) ?? ""
            case "applies_to": rule.appliesTo = try appliesTo(value, fail: fail)
            case "params":
                guard let map = value.mapping else { throw fail(field, "must be a mapping") }
                if rule.kind == DeclaredCheck.kind {
                    // A declared rule keeps its knobs in one member beside its declaration.
                    var knobs: [JSONMember] = []
                    if case .object(let members)? = merged[DeclaredCheck.knobs] { knobs = members }
                    for (k, v) in map {
                        let name = k.string ?? ""
                        guard knobs.contains(where: { $0.name == name }) else {
                            throw fail("params.\(name)", "is not a param of this rule (it has: \(knobs.map(\.name).sorted().joined(separator: ", ")))")
                        }
                        knobs = knobs.map { $0.name == name ? JSONMember(name, JSONValue(yaml: v)) : $0 }
                    }
                    merged[DeclaredCheck.knobs] = .object(knobs)
                } else {
                    for (k, v) in map { merged[k.string ?? ""] = JSONValue(yaml: v) }
                }
            case "examples": rule.examples = try loadExamples(value, fail: fail)
            case "disabled":
                guard let flag = value.bool else { throw fail(field, "must be true or false") }
                if flag { return true }
            default: break
            }
        }
        rule.params = RuleParams(merged)
        do {
            rule.check = try CheckKinds.byName[rule.kind]!.init(params: rule.params)
        } catch {
            throw blamingParams(error, rule.params, file: file, rule: id)
        }
        rule.source = file
        return false
    }

    private static let ruleFields: Set<String> = Set(["id", "severity", "kind", "summary", "rationale", "applies_to", "params",
                                                       "examples"]).union(DeclaredCheck.fields)

    static func loadRule(_ node: Node, file: String) throws -> Rule {
        guard let mapping = node.mapping else { throw RuleError(file: file, "each rule must be a mapping") }
        guard let id = node["id"]?.string, !id.isEmpty else { throw RuleError(file: file, field: "id", "a rule needs an id") }
        func fail(_ field: String, _ message: String) -> RuleError {
            RuleError(file: file, rule: id, field: field, message)
        }
        for key in mapping.keys {
            let name = key.string ?? ""
            if !ruleFields.contains(name) {
                throw fail(name, "unknown field (known: \(ruleFields.sorted().joined(separator: ", ")))")
            }
        }
        guard let severityText = node["severity"]?.string else { throw fail("severity", "is required") }
        guard let severity = Severity(rawValue: severityText) else {
            throw fail("severity", "\(severityText) is not a severity: must be error, warning or info")
        }
        // A rule in the rule language declares what it checks instead of naming a kind.
        // An array: the keys are a lazy collection, whose [0] is the mapping's first key.
        let declared = Array(mapping.keys.compactMap(\.string).filter { DeclaredCheck.fields.contains($0) })
        if !declared.isEmpty, node["kind"] != nil {
            throw fail(declared[0], "a rule either names a check kind (with params) or declares check, unique or refers_to, not both")
        }
        guard let kind = declared.isEmpty ? node["kind"]?.string : DeclaredCheck.kind else {
            throw fail("kind", "is required (or declare check, unique or refers_to)")
        }
        guard let checkType = CheckKinds.byName[kind] else {
            throw fail("kind", "unknown check kind \(kind) (known: \(CheckKinds.byName.keys.sorted().joined(separator: ", ")))")
        }
        guard let summary = try text(node["summary"], "summary", fail: fail), !summary.isEmpty else {
            throw fail("summary", "is required (one line of text)")
        }
        let rationale = try text(node["rationale"], "rationale", fail: fail) ?? ""
        let appliesTo = try node["applies_to"].map { try Self.appliesTo($0, fail: fail) }
        var paramValues: [String: JSONValue] = [:]
        for name in declared { paramValues[name] = JSONValue(yaml: node[name]!) }
        if let params = node["params"] {
            guard let map = params.mapping else { throw fail("params", "must be a mapping") }
            var knobs: [JSONMember] = []
            for (k, v) in map {
                if declared.isEmpty { paramValues[k.string ?? ""] = JSONValue(yaml: v) } else { knobs.append(JSONMember(k.string ?? "", JSONValue(yaml: v))) }
            }
            if !declared.isEmpty { paramValues[DeclaredCheck.knobs] = .object(knobs) }
        }
        let params = RuleParams(paramValues)
        let check: any Check
        do {
            check = try checkType.init(params: params)
        } catch {
            throw blamingParams(error, params, file: file, rule: id)
        }
        let examples = try loadExamples(node["examples"], fail: fail)
        return Rule(id: id, severity: severity, kind: kind, summary: summary, rationale: rationale,
                    appliesTo: appliesTo, params: params, examples: examples, check: check, source: file)
    }
}
