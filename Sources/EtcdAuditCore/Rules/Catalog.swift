import Foundation
import Yams

/// One rule of the catalog, as data: what it is, why, and its examples.
public struct Rule: Sendable {
    public var id: String
    public var severity: Severity
    public var kind: String
    public var summary: String
    public var rationale: String
    /// Singular resource type names; nil means every type.
    public var appliesTo: [String]?
    public var params: RuleParams
    public var examples: RuleExamples
    public var check: any Check
    /// The file the rule was last defined or changed in.
    public var source: String

    public func applies(to type: ResourceType) -> Bool {
        appliesTo?.contains(type.singular) ?? true
    }
}

/// Records a rule must fire on, and records it must not.
public struct RuleExamples: Sendable {
    public var fires: [RuleExample] = []
    public var passes: [RuleExample] = []
}

/// One example: base record sets (from `Rules/examples.yaml`), changed as it says.
public struct RuleExample: Sendable {
    public var name: String
    public var bases: [String]
    /// Record kind (of the base's first resource) or full key → JSON merge patch.
    public var patch: [(target: String, patch: JSONValue)]
    /// Record kinds or keys to drop from the base.
    public var remove: [String]
    /// Full key → value to add or replace (JSON value).
    public var set: [(key: String, value: JSONValue)]
    /// Record kind or key → value text used verbatim (e.g. invalid JSON).
    public var raw: [(target: String, text: String)]
    /// Record kind or key → merge patch: the same key stored again, after every other
    /// record, with the base value changed so (an empty patch: the same value again).
    public var again: [(target: String, patch: JSONValue)] = []
    /// Record kind or key → mod_revision (and create_revision) of that record.
    public var revisions: [(target: String, revision: Int64)] = []
    /// How many findings of the rule (fires only); nil means at least one.
    public var count: Int?
    /// The record kind every finding of the rule must point at.
    public var at: String?
    /// The JSON pointer of the member every finding of the rule must point at, in that record.
    public var pointer: String?

    public init(name: String, bases: [String], patch: [(target: String, patch: JSONValue)] = [], remove: [String] = [],
                set: [(key: String, value: JSONValue)] = [], raw: [(target: String, text: String)] = [],
                count: Int? = nil, at: String? = nil) {
        self.name = name
        self.bases = bases
        self.patch = patch
        self.remove = remove
        self.set = set
        self.raw = raw
        self.count = count
        self.at = at
    }
}

/// The catalog: layouts plus rules, loaded from YAML.
public struct Catalog: Sendable {
    public var layouts: Layouts
    public var rules: [Rule]
    /// Named record sets the examples start from.
    public var exampleBases: [String: [(key: String, value: JSONValue)]]

    /// The catalog built into the binary (the files of `Rules/`).
    public static func builtIn() throws -> Catalog {
        try CatalogLoader.load(files: BuiltinRules.files)
    }

    /// The built-in catalog changed by an operator's rule files (`--rules DIR`: every
    /// `*.yaml`/`*.yml` in it, in name order).
    public static func load(rulesDirectory: String?) throws -> Catalog {
        try load(rulesDirectories: rulesDirectory.map { [$0] } ?? [])
    }

    /// The built-in catalog changed by the rule files of several folders, folder after
    /// folder (`--rules` repeated, or the configuration's `rules` list).
    public static func load(rulesDirectories: [String]) throws -> Catalog {
        var files = BuiltinRules.files
        for rulesDirectory in rulesDirectories {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: rulesDirectory)
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            } catch {
                throw RuleError(file: rulesDirectory, "cannot read the rules folder: \(error.localizedDescription)")
            }
            for name in names {
                let path = (rulesDirectory as NSString).appendingPathComponent(name)
                guard let data = FileManager.default.contents(atPath: path),
                      let text = String(data: data, encoding: .utf8) else {
                    throw RuleError(file: path, "cannot be read as UTF-8 text")
                }
                files.append((path, text))
            }
        }
        return try CatalogLoader.load(files: files)
    }

    public var plan: ExtractionPlan {
        var plan = ExtractionPlan()
        for rule in rules { plan.merge(rule.check.plan) }
        return plan
    }
}

/// The YAML files of `Rules/`, embedded at build time so the binary needs no data files.
enum BuiltinRules {
    static let files: [(name: String, text: String)] = [
        ("layouts.yaml", String(decoding: PackageResources.layouts_yaml, as: UTF8.self)),
        ("rules.yaml", String(decoding: PackageResources.rules_yaml, as: UTF8.self)),
        ("examples.yaml", String(decoding: PackageResources.examples_yaml, as: UTF8.self)),
    ]
}
