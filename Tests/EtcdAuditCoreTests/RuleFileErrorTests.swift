@testable import EtcdAuditCore
import Foundation
import Testing

/// Every `Tests/Cases/rules-*` folder through the executable: `check --rules DIR` and
/// `rules --verify --rules DIR` both stop with exit 2, before reading any input or running
/// any example, and say what the case's `rules_error_contains` lists (file, rule, field).
struct RuleFileErrorTests {
    static let cases = TestSupport.discover("Tests/Cases") { $0.hasPrefix("rules-") }

    struct Expected: Decodable {
        var rules_error_contains: [String]
    }

    @Test("a bad rule file stops check and rules --verify", arguments: cases)
    func badRuleFileExitsTwo(name: String) throws {
        try TestSupport.Discovery.check(name)
        let dir = "Tests/Cases/\(name)"
        let expected = try JSONDecoder().decode(Expected.self,
                                                from: Data(contentsOf: URL(fileURLWithPath: TestSupport.path("\(dir)/expected.json"))))
        #expect(!expected.rules_error_contains.isEmpty, "\(dir): say what the error must name")
        let rules = TestSupport.path("\(dir)/rules")
        for arguments in [["check", "--rules", rules, TestSupport.path("Samples/seeds/000_1cd8ab2a63ae2a87.txt")],
                          ["rules", "--verify", "--rules", rules]] {
            let result = try TestSupport.run(CommandLineTests.binary, arguments)
            #expect(result.code == 2, "\(arguments[0]) on \(dir): exit \(result.code)")
            #expect(result.out.isEmpty, "\(arguments[0]) on \(dir) wrote a report: \(result.out)")
            for gist in expected.rules_error_contains {
                #expect(result.err.contains(gist), "\(arguments[0]) on \(dir): the error should name \(gist): \(result.err)")
            }
        }
    }
}

/// The same checks where a case folder cannot show them: changes to a built-in rule, and
/// the order of files.
extension RuleFileErrorTests {
    static func load(_ files: [(String, String)]) throws -> Catalog {
        try CatalogLoader.load(files: BuiltinRules.files + files)
    }

    static func error(_ files: [(String, String)]) -> String? {
        do {
            _ = try load(files)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aChangeToABuiltInRuleIsCheckedLikeANewRule() {
        let applies = Self.error([("c.yaml", "rules:\n  - id: monitoring.failed\n    applies_to: [prot]\n")])
        #expect(applies?.contains("c.yaml: rule monitoring.failed: field applies_to[0]: prot names no resource type") == true,
                "\(applies ?? "loaded")")
        #expect(applies?.contains("did you mean port?") == true)
        let summary = Self.error([("c.yaml", "rules:\n  - id: monitoring.failed\n    summary: {a: b}\n")])
        #expect(summary?.contains("c.yaml: rule monitoring.failed: field summary: must be text, not a mapping") == true,
                "\(summary ?? "loaded")")
        let number = Self.error([("c.yaml", "rules:\n  - id: monitoring.failed\n    rationale: 42\n")])
        #expect(number?.contains("field rationale: must be text, not a number (quote it") == true, "\(number ?? "loaded")")
    }

    /// A resource type's plural or singular name may be declared once: a second type by
    /// either name would make keys ambiguous.
    @Test func aResourceTypeNameIsDeclaredOnce() {
        for twice in ["{plural: ports, singular: portx}", "{plural: portz, singular: port}"] {
            let error = Self.error([("t.yaml", "resource_types:\n  - " + twice + "\n")])
            #expect(error?.contains("is declared twice") == true, "\(twice): \(error ?? "loaded")")
        }
        #expect(throws: Never.self) { try Self.load([("t.yaml", "resource_types:\n  - {plural: firewalls, singular: firewall}\n")]) }
    }

    /// A rule may name a type a later file declares: applies_to is checked once all are read.
    @Test func appliesToMayNameATypeALaterFileAdds() throws {
        let rule = ("a.yaml", "rules:\n  - id: my.rule\n    severity: info\n    kind: in-flight\n    summary: x\n    applies_to: [firewall]\n")
        let type = ("b.yaml", "resource_types:\n  - {plural: firewalls, singular: firewall}\n")
        #expect(try Self.load([rule, type]).rules.first { $0.id == "my.rule" }?.appliesTo == ["firewall"])
        #expect(Self.error([rule])?.contains("a.yaml: rule my.rule: field applies_to[0]: firewall names no resource type") == true)
        // A disabled rule checks nothing, whatever it names.
        let disabled = ("c.yaml", "rules:\n  - id: my.rule\n    disabled: true\n")
        #expect(throws: Never.self) { try Self.load([rule, disabled]) }
    }

    @Test func exampleFieldsOfTheWrongTypeNameTheirField() {
        func exampleError(_ example: String) -> String? {
            Self.error([("e.yaml", "rules:\n  - id: my.rule\n    severity: info\n    kind: in-flight\n    summary: x\n"
                                   + "    examples:\n      fires:\n        - " + example + "\n")])
        }
        let cases: [(String, String)] = [
            ("{remove: [config], count: 0}", "examples.fires[0].count: must be a whole number"),
            ("{remove: [config], count: 1.5}", "examples.fires[0].count: must be a whole number"),
            ("{remove: config}", "examples.fires[0].remove: must be a list"),
            ("{remove: [confg]}", "examples.fires[0].remove[0]: confg is neither a record kind nor a key"),
            ("{set: {config: {}}}", "examples.fires[0].set.config: must be a full key"),
            ("{base: {port: 1}}", "examples.fires[0].base: must be text, not a mapping"),
            ("{name: 7}", "examples.fires[0].name: must be text, not a number"),
            ("{remove: [config], pointer: body}", "examples.fires[0].pointer: must be a JSON pointer"),
            ("{remove: [config], at: [config]}", "examples.fires[0].at: must be text, not a list"),
        ]
        for (example, gist) in cases {
            let message = exampleError(example)
            #expect(message?.contains("e.yaml: rule my.rule: field " + gist) == true, "\(example): \(message ?? "loaded")")
        }
        #expect(exampleError("{remove: [config], count: 2, at: config, pointer: '', base: port, name: ok}") == nil)
    }
}
