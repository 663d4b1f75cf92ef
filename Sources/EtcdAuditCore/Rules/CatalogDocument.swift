import Foundation

/// The catalog written out for people (markdown, the reference in docs/RULES.md) and for
/// programs (JSON): one source, the rule data, for both.
public enum CatalogDocument {
    public static func markdown(_ catalog: Catalog) -> String {
        var out = """
            # Rule reference

            Generated from `Rules/` by `etcd-audit rules --format markdown`; do not edit by hand
            (the test suite checks that this file is up to date). Rules marked *declared* are
            written in [the rule language](#the-rule-language), described at the end; the others
            name a check kind written in Swift.

            | id | severity | summary |
            |---|---|---|

            """
        for rule in catalog.rules {
            out += "| [`\(rule.id)`](#\(anchor(rule.id))) | \(rule.severity.rawValue) | \(rule.summary) |\n"
        }
        for rule in catalog.rules {
            out += "\n## \(rule.id)\n\n"
            let declaration = declaration(rule)
            out += "**\(rule.severity.rawValue)**, " + (declaration == nil ? "check kind `\(rule.kind)`" : "*declared*")
            out += rule.appliesTo.map { ", applies to \($0.joined(separator: ", "))" } ?? ", applies to every resource type"
            out += ".\n\n\(rule.summary)\n\n\(rule.rationale.trimmingCharacters(in: .whitespacesAndNewlines))\n"
            if let declaration { out += "\n```yaml\n\(declaration)```\n" }
            let params = knobs(rule)
            if !params.isEmpty {
                out += "\nParameters:\n\n"
                for (name, value) in params { out += "- `\(name)`: `\(value.text)`\n" }
            }
            out += "\nExamples (run by the test suite):\n\n"
            for example in rule.examples.fires {
                out += "- fires: \(example.name)" + (example.count.map { " (\($0) finding\($0 == 1 ? "" : "s"))" } ?? "") + "\n"
            }
            for example in rule.examples.passes { out += "- passes: \(example.name)\n" }
        }
        return out + languageSection
    }

    public static func json(_ catalog: Catalog) -> String {
        let rules: [JSONValue] = catalog.rules.map { rule in
            var members = [
                JSONMember("id", .string(rule.id)), JSONMember("severity", .string(rule.severity.rawValue)),
                JSONMember("kind", .string(rule.kind)), JSONMember("summary", .string(rule.summary)),
                JSONMember("rationale", .string(rule.rationale.trimmingCharacters(in: .whitespacesAndNewlines))),
                JSONMember("applies_to", rule.appliesTo.map { .array($0.map(JSONValue.string)) } ?? .null),
                JSONMember("params", .object(knobs(rule).map { JSONMember($0.0, $0.1) })),
                JSONMember("declaration", rule.kind == DeclaredCheck.kind
                    ? .object(declarationFields.compactMap { f in rule.params.values[f].map { JSONMember(f, $0) } }) : .null),
            ]
            members.append(JSONMember("examples", .object([
                JSONMember("fires", .array(rule.examples.fires.map { .string($0.name) })),
                JSONMember("passes", .array(rule.examples.passes.map { .string($0.name) })),
            ])))
            members.append(JSONMember("source", .string(rule.source)))
            return .object(members)
        }
        return JSONValue.object([JSONMember("rules", .array(rules))]).prettyText + "\n"
    }

    /// The catalog as a table: id, severity, summary (with `verbose`, rationale and params).
    public static func table(_ catalog: Catalog, verbose: Bool) -> String {
        let width = catalog.rules.map(\.id.count).max() ?? 0
        var out = ""
        for rule in catalog.rules {
            let id = rule.id.padding(toLength: width, withPad: " ", startingAt: 0)
            let severity = rule.severity.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
            out += "\(id)  \(severity)  \(rule.summary)\n"
            guard verbose else { continue }
            let indent = String(repeating: " ", count: width + 11)
            out += indent + "kind: \(rule.kind)" + (rule.appliesTo.map { ", applies to: \($0.joined(separator: ", "))" } ?? "") + "\n"
            out += indent + rule.rationale.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
            if let declaration = declaration(rule) {
                for line in declaration.split(separator: "\n") { out += indent + line + "\n" }
            }
            for (name, value) in knobs(rule) { out += indent + "param \(name): \(value.text)\n" }
            for example in rule.examples.fires { out += indent + "fires: \(example.name)\n" }
            for example in rule.examples.passes { out += indent + "passes: \(example.name)\n" }
            out += "\n"
        }
        return out
    }

    /// GitHub's heading anchors: lower case, punctuation but `-` dropped.
    static func anchor(_ id: String) -> String {
        String(id.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" })
    }
}
