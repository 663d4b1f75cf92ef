import EtcdAuditCore
import Foundation
import Testing

/// `--rules DIR`, `--baseline`, and the generated rule reference.
struct OperatorRulesTests {
    static let seeds = ["Samples/seeds/000_1cd8ab2a63ae2a87.txt", "Samples/seeds/003_316c7d162925404b.txt"]

    @Test func aRuleFileAddsARuleAndChangesSeverityAndParams() throws {
        let folder = try TestSupport.temporaryDirectory()
        try """
            rules:
              - id: tenant.same-as-stack-status
                severity: info
                summary: A silly rule that shows a new rule declared over the joined records.
                check: {path: stack.stack_status, equals: {path: config.body.status}}
              - id: monitoring.failed
                severity: error
                params: {failed_values: [FAIL, DEGRADED]}
              - id: heat-outputs.mac-mismatch
                disabled: true
            """.write(to: folder.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)
        let catalog = try Catalog.load(rulesDirectory: folder.path)
        #expect(catalog.rules.contains { $0.id == "tenant.same-as-stack-status" })
        #expect(!catalog.rules.contains { $0.id == "heat-outputs.mac-mismatch" })
        let result = TestSupport.audit(Self.seeds, catalog: catalog)
        let pairs = TestSupport.pairs(result)
        // The new rule fires on both ports (status PENDING_* vs stack *_COMPLETE).
        #expect(pairs.filter { $0.hasPrefix("tenant.same-as-stack-status ") }.count == 2)
        // monitoring.failed is an error now (its default is warning), with the new param.
        #expect(TestSupport.catalog.rules.first { $0.id == "monitoring.failed" }?.severity == .warning)
        #expect(result.findings.filter { $0.rule == "monitoring.failed" }.map(\.severity) == [.error])
        #expect(catalog.rules.first { $0.id == "monitoring.failed" }?.knobs.contains { $0.0 == "failed_values" } == true)
        #expect(!pairs.contains { $0.hasPrefix("heat-outputs.mac-mismatch") })
        #expect(result.findings.first { $0.rule == "unique.vmi" }?.severity == .error)
    }

    @Test func theSampleRuleFolderAuditsANewResourceType() throws {
        let catalog = try Catalog.load(rulesDirectory: TestSupport.path("Samples/rules"))
        let result = TestSupport.audit(["Samples/other-types/firewalls.md"], catalog: catalog)
        #expect(TestSupport.pairs(result) == ["firewall.policy-mismatch f1f1f1f1-0000-4000-8000-000000000002",
                                              "monitoring.failed f1f1f1f1-0000-4000-8000-000000000002"])
        #expect(result.findings.allSatisfy { $0.severity == .error })
        let runner = ExampleRunner(catalog: catalog)
        for rule in catalog.rules {
            for example in rule.examples.fires { #expect(runner.verify(rule, example, shouldFire: true) == []) }
            for example in rule.examples.passes { #expect(runner.verify(rule, example, shouldFire: false) == []) }
        }
        // Without the rule file the new type's keys are only counted.
        let plain = TestSupport.audit(["Samples/other-types/firewalls.md"])
        #expect(plain.findings.isEmpty && plain.skippedKeys == 5)
    }

    @Test func genericRulesCheckNetworksAndSubnets() {
        let result = TestSupport.audit(["Samples/other-types/networks-subnets.md"])
        let rules = Set(result.findings.map(\.rule))
        #expect(rules == ["identity.mismatch", "version.mismatch", "status.mismatch", "heat-outputs.mismatch",
                          "heat-outputs.not-encoded", "refs.duplicate", "record.orphan"])
        #expect(Set(result.findings.map(\.resourceType)) == ["network", "subnet"])
    }

    func report(_ paths: [String]) throws -> String {
        let json = try Reporters.reporter(for: .json).render(TestSupport.audit(paths), options: ReportOptions())
        return try TestSupport.temporaryFile(json, name: "baseline.json")
    }

    @Test func baselineOfAnUnchangedStoreLeavesNothingNew() throws {
        let baseline = try Baseline(path: try report(Self.seeds))
        var result = TestSupport.audit(Self.seeds)
        let before = result.findings.count
        baseline.apply(to: &result)
        #expect(result.findings.count == before && result.findings.allSatisfy { $0.baseline == .existing })
        #expect(result.baseline == BaselineSummary(path: baseline.path, new: 0, existing: before, resolved: [], notChecked: []))
        #expect(result.exitCode(failOn: .error) == 0)  // the unique.vmi errors are old
    }

    @Test func baselineReportsExactlyOnePlantedFault() throws {
        let baseline = try Baseline(path: try report(["Samples/fixtures/seeds.etcdctl.txt"]))
        // The same store with one more fault: the update seed's monitoring gains a failed component.
        var text = try String(contentsOfFile: TestSupport.path("Samples/fixtures/seeds.etcdctl.txt"), encoding: .utf8)
        text = text.replacingOccurrences(of: #""vmi": "FAIL"}"#, with: #""vmi": "FAIL", "link": "FAIL"}"#)
        let changed = try TestSupport.temporaryFile(text, name: "changed.txt")
        var result = Auditor(catalog: TestSupport.catalog).audit(paths: [changed])
        baseline.apply(to: &result)
        #expect(result.findings.filter { $0.baseline == .new }.map { "\($0.rule) \($0.actual ?? "")" }
                == ["monitoring.failed link"])
        #expect(result.baseline?.existing == 7)
        #expect(result.baseline?.resolved == [])
    }

    @Test func baselineCountsResolvedFindings() throws {
        let baseline = try Baseline(path: try report(Self.seeds))
        var result = TestSupport.audit([Self.seeds[0]])
        baseline.apply(to: &result)
        #expect(result.findings.count == 1 && result.findings[0].baseline == .existing)
        #expect(result.baseline?.existing == 1)
        #expect(result.baseline?.resolved.count == 6)
    }

    @Test func theRuleReferenceIsUpToDate() throws {
        let committed = try String(contentsOfFile: TestSupport.path("docs/RULES.md"), encoding: .utf8)
        #expect(committed == CatalogDocument.markdown(TestSupport.catalog),
                "docs/RULES.md is stale: etcd-audit rules --format markdown > docs/RULES.md")
    }
}
