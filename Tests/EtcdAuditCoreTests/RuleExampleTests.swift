@testable import EtcdAuditCore
import Testing

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

    @Test("every check kind the catalog names exists and every rule has a rationale")
    func catalogIsComplete() {
        for rule in TestSupport.catalog.rules {
            #expect(!rule.rationale.isEmpty, "\(rule.id) has no rationale")
        }
        #expect(Set(TestSupport.catalog.rules.map(\.id)).count == TestSupport.catalog.rules.count)
    }
}

extension RuleExampleTests {
    /// The job_name's version part is what `split(separator: ":").last` gives.
    @Test(arguments: ["port:x:2", "port:x:", "2", "", ":", "::", "a::b", "port:x:2::", ":2"])
    func jobNameVersionIsTheLastPart(name: String) {
        #expect(JobVersionConsistencyCheck.lastPart(of: name).map(String.init) == name.split(separator: ":").last.map(String.init))
    }
}
