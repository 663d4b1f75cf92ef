@testable import EtcdAuditCore
import Foundation
import Testing
import Yams

/// Every example of every rule in Rules/ behaves as it says: the rule's documentation
/// and its tests are the same data.
struct RuleExampleTests {
    static let ruleIDs = TestSupport.catalog.rules.map(\.id)

    @Test("each rule's examples fire and pass as declared", arguments: ruleIDs)
    func examples(ruleID: String) {
        let catalog = TestSupport.catalog
        let rule = catalog.rules.first { $0.id == ruleID }!
        let runner = ExampleRunner(catalog: catalog)
        #expect(!rule.examples.fires.isEmpty, "\(ruleID) has no example that fires")
        #expect(!rule.examples.passes.isEmpty, "\(ruleID) has no example that must pass")
        for example in rule.examples.fires {
            for problem in runner.verify(rule, example, shouldFire: true) { Issue.record("\(problem)") }
        }
        for example in rule.examples.passes {
            for problem in runner.verify(rule, example, shouldFire: false) { Issue.record("\(problem)") }
        }
    }

    @Test("each example base is a healthy store: no rule fires on it",
          arguments: TestSupport.catalog.exampleBases.keys.sorted())
    func basesAreHealthy(base: String) throws {
        let runner = ExampleRunner(catalog: TestSupport.catalog)
        let example = RuleExample(name: base, bases: [base])
        let result = Auditor(catalog: TestSupport.catalog).audit(records: try runner.records(for: example))
        #expect(result.findings.map { "\($0.rule): \($0.message)" } == [])
    }

    /// Read from Rules/rules.yaml itself, not from the catalog it loads, so that a rule the
    /// loader dropped or a kind it mapped wrongly shows.
    @Test("the catalog is complete: every rule of Rules/rules.yaml is loaded, names a check kind that exists (and every kind is used), has a rationale and examples that fire and pass, and docs/RULES.md lists it")
    func catalogIsComplete() throws {
        let catalog = TestSupport.catalog
        let yaml = try String(contentsOfFile: TestSupport.path("Rules/rules.yaml"), encoding: .utf8)
        let declared = try #require((try Yams.load(yaml: yaml) as? [String: Any])?["rules"] as? [[String: Any]],
                                    "Rules/rules.yaml has no rules list")
        let declaredKinds = declared.compactMap { rule in (rule["id"] as? String).map { ($0, rule["kind"] as? String) } }
        #expect(declaredKinds.count == declared.count, "a rule of Rules/rules.yaml has no id")
        #expect(!declaredKinds.isEmpty, "Rules/rules.yaml declares no rule")
        #expect(catalog.rules.map(\.id) == declaredKinds.map(\.0), "the catalog is not the rules Rules/rules.yaml declares")
        #expect(Set(catalog.rules.map(\.id)).count == catalog.rules.count, "a rule id is used twice")

        let reference = try String(contentsOfFile: TestSupport.path("docs/RULES.md"), encoding: .utf8)
        let headings = Set(reference.split(separator: "\n").filter { $0.hasPrefix("## ") }.map { String($0.dropFirst(3)) })
        let runner = ExampleRunner(catalog: catalog)
        for (id, kind) in declaredKinds {
            guard let rule = catalog.rules.first(where: { $0.id == id }) else { continue }
            if let kind {
                #expect(CheckKinds.byName[kind] != nil, "\(id): check kind \(kind) does not exist")
                #expect(type(of: rule.check).kind == kind, "\(id) runs check kind \(type(of: rule.check).kind), not \(kind)")
            }
            #expect(!rule.rationale.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(id) has no rationale")
            #expect(!rule.examples.fires.isEmpty, "\(id) has no example that fires")
            #expect(!rule.examples.passes.isEmpty, "\(id) has no example that must pass")
            for example in rule.examples.fires {
                for problem in runner.verify(rule, example, shouldFire: true) { Issue.record("\(problem)") }
            }
            for example in rule.examples.passes {
                for problem in runner.verify(rule, example, shouldFire: false) { Issue.record("\(problem)") }
            }
            #expect(headings.contains(id), "docs/RULES.md has no section for \(id)")
            #expect(reference.contains("| [`\(id)`](#"), "docs/RULES.md's table does not list \(id)")
        }
        // No check kind is left behind that no rule uses (kinds merged into one go).
        #expect(Set(CheckKinds.all.map { $0.kind }).subtracting(catalog.rules.map(\.kind)).sorted() == [],
                "check kinds no built-in rule uses")
        // Nor does the reference list a rule the catalog lacks.
        let known = Set(catalog.rules.map(\.id))
        #expect(headings.filter { !known.contains($0) && !$0.contains(" ") }.sorted() == [],
                "docs/RULES.md documents rules the catalog does not have")
    }
}

extension RuleExampleTests {
    /// The job_name's version part is what `split(separator: ":").last` gives.
    @Test(arguments: ["port:x:2", "port:x:", "2", "", ":", "::", "a::b", "port:x:2::", ":2"])
    func jobNameVersionIsTheLastPart(name: String) {
        #expect(JobVersionConsistencyCheck.lastPart(of: name).map(String.init) == name.split(separator: ":").last.map(String.init))
    }
}
