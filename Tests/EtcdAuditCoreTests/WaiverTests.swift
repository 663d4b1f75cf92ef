@testable import EtcdAuditCore
import Foundation
import Testing

/// Waivers: which findings they cover, expiry against an injected "today", and what the
/// exit status and the reports make of a waived finding.
struct WaiverTests {
    @Test func ruleAndResourcePatterns() throws {
        let rule = try PathGlob("heat-outputs.*")
        #expect(rule.matches("heat-outputs.mac-mismatch") && !rule.matches("unique.vmi"))
        #expect(try PathGlob("unique.???").matches("unique.vmi") && !PathGlob("unique.???").matches("unique.mac-address"))
        let id = "23464cbc-d910-430a-93f7-3776ea07f992"
        for text in ["port/\(id)", "ports/\(id)", "port:\(id)", "port/*", "*/23464cbc-*", "p*/*f992", "port/[0-9]*"] {
            #expect(try ResourcePattern(text).matches(type: "port", plural: "ports", id: id), "\(text)")
        }
        #expect(try !ResourcePattern("network/*").matches(type: "port", plural: "ports", id: id))
        #expect(try !ResourcePattern("port/ddc14be4-*").matches(type: "port", plural: "ports", id: id))
        for bad in [id, "port/", "/x", "port/[a-"] {
            #expect(throws: PathGlob.Invalid.self, "\(bad)") { try ResourcePattern(bad) }
        }
    }

    @Test func datesAndExpiry() throws {
        #expect(Waiver.isDate("2028-02-29") && !Waiver.isDate("2027-02-29") && !Waiver.isDate("2027-13-01"))
        #expect(!Waiver.isDate("2027-1-31") && !Waiver.isDate("27-01-31") && !Waiver.isDate("2027-01-31T00:00"))
        let waiver = try Waiver(rule: "*", reason: "r", expires: "2027-01-31")
        #expect(!waiver.isExpired(today: "2027-01-31"))  // the last day it applies
        #expect(waiver.isExpired(today: "2027-02-01"))
        #expect(try !Waiver(rule: "*", reason: "r").isExpired(today: "2999-12-31"))
        #expect(Waiver.today(Date(timeIntervalSince1970: 86_399)) == "1970-01-01")  // UTC, not local time
        #expect(Waiver.today(Date(timeIntervalSince1970: 86_400)) == "1970-01-02")
    }

    /// Both seeds together: unique.vmi (error) on both ports, the MAC warning on both,
    /// refs.duplicate twice and monitoring.failed on the update seed.
    func seeds() -> AuditResult {
        TestSupport.audit(["Samples/seeds/000_1cd8ab2a63ae2a87.txt", "Samples/seeds/003_316c7d162925404b.txt"])
    }

    func config(_ waivers: [Waiver], directory: String = TestSupport.root.path) -> AuditConfig {
        var config = AuditConfig(path: ".etcd-audit.yaml", directory: directory)
        config.waivers = waivers
        return config
    }

    @Test func waivedFindingsStayButNoLongerFail() throws {
        var result = seeds()
        #expect(result.exitCode(failOn: .error) == 1)
        let waivers = config([try Waiver(index: 0, rule: "unique.vmi", resource: "port/*", reason: "shared VMI in the seeds",
                                     expires: "2027-01-31")])
        waivers.applyWaivers(to: &result, today: "2027-01-31", workingDirectory: TestSupport.root.path)
        #expect(result.findings.count == 7)
        let waived = result.findings.filter { $0.waiver != nil }
        #expect(waived.map(\.rule) == ["unique.vmi", "unique.vmi"])
        #expect(waived.first?.waiver == WaiverMark(reason: "shared VMI in the seeds", expires: "2027-01-31"))
        #expect(result.exitCode(failOn: .error) == 0)
        #expect(result.exitCode(failOn: .warning) == 1)  // the warnings are not waived
        #expect(result.waivers == WaiverSummary(applied: 2, expired: [], unmatched: []))
        #expect(result.config == ".etcd-audit.yaml")
    }

    @Test func anExpiredWaiverAppliesNoMoreAndIsListed() throws {
        var result = seeds()
        let waivers = config([try Waiver(index: 0, rule: "unique.vmi", reason: "r", expires: "2027-01-31")])
        waivers.applyWaivers(to: &result, today: "2027-02-01", workingDirectory: TestSupport.root.path)
        #expect(result.findings.allSatisfy { $0.waiver == nil })
        #expect(result.exitCode(failOn: .error) == 1)
        #expect(result.waivers?.applied == 0)
        #expect(result.waivers?.expired.map(\.index) == [0])
        #expect(result.waivers?.expired.first?.findings == 2)  // what it would have covered
        #expect(result.waivers?.unmatched.isEmpty == true)
    }

    @Test func unmatchedWaiversAreListedAndTheFirstMatchWins() throws {
        var result = seeds()
        let waivers = config([
            try Waiver(index: 0, rule: "heat-outputs.*", resource: "port/ddc14be4-*", reason: "first"),
            try Waiver(index: 1, rule: "heat-outputs.mac-mismatch", reason: "second"),
            try Waiver(index: 2, rule: "unique.mac-address", reason: "no such finding"),
            try Waiver(index: 3, rule: "monitoring.failed", resource: "network/*", reason: "wrong type"),
        ])
        waivers.applyWaivers(to: &result, today: "2027-01-01", workingDirectory: TestSupport.root.path)
        let macs = result.findings.filter { $0.rule == "heat-outputs.mac-mismatch" }
        #expect(macs.map { $0.waiver?.reason } == ["second", "first"])  // 23464cbc… sorts first
        #expect(result.waivers?.unmatched.map(\.index) == [2, 3])
        #expect(result.waivers?.applied == 2)
    }

    @Test func pathGlobsSeeTheFileAsGivenAndFromTheConfigurationsFolder() throws {
        // unique.vmi fires once in each seed file.
        let create = ["Samples/seeds/000_1cd8ab2a63ae2a87.txt"], update = ["Samples/seeds/003_316c7d162925404b.txt"]
        for (pattern, directory, waivedPaths) in [
            ("Samples/seeds/000_*.txt", TestSupport.root.path, create),
            ("**/000_*.txt", TestSupport.root.path, create),
            ("000_*.txt", TestSupport.root.path, create),  // no /: the file name, in any folder
            ("seeds/000_*.txt", TestSupport.path("Samples"), create),  // a configuration in Samples/
            ("seeds/000_*.txt", TestSupport.root.path, []),
            ("Samples/seeds/003_*.txt", TestSupport.root.path, update),
            ("Samples/*.txt", TestSupport.root.path, []),
        ] {
            var result = seeds()
            let waivers = config([try Waiver(rule: "unique.vmi", path: pattern, reason: "r")], directory: directory)
            waivers.applyWaivers(to: &result, today: "2027-01-01", workingDirectory: TestSupport.root.path)
            let waived = result.findings.filter { $0.waiver != nil }
            #expect(waived.map(\.location.path) == waivedPaths, "\(pattern) from \(directory)")
        }
    }

    @Test func reportsMarkWaivedFindings() throws {
        var result = seeds()
        config([try Waiver(index: 0, rule: "unique.vmi", reason: "shared VMI", expires: "2027-01-31"),
                try Waiver(index: 1, rule: "refs.*", reason: "stale", expires: "2026-01-01")])
            .applyWaivers(to: &result, today: "2026-06-01", workingDirectory: TestSupport.root.path)
        let json = try Reporters.reporter(for: .json).render(result, options: ReportOptions())
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        let marks = findings.compactMap { $0["waiver"] as? [String: String] }
        #expect(marks == [["reason": "shared VMI", "expires": "2027-01-31"], ["reason": "shared VMI", "expires": "2027-01-31"]])
        let summary = try #require(document["summary"] as? [String: Any])
        #expect(summary["config"] as? String == ".etcd-audit.yaml")
        let waivers = try #require(summary["waivers"] as? [String: Any])
        #expect(waivers["applied"] as? Int == 2)
        #expect((waivers["expired"] as? [[String: Any]])?.first?["rule"] as? String == "refs.*")

        // JUnit: the waived errors go to system-out with the reason; no failure remains.
        let junit = try Reporters.reporter(for: .junit).render(result, options: ReportOptions(failOn: .error))
        #expect(!junit.contains("<failure"))
        #expect(junit.contains("error, waived: shared VMI, until 2027-01-31:"))
        #expect(junit.contains("failures=\"0\""))

        let text = try Reporters.reporter(for: .text).render(result, options: ReportOptions())
        #expect(text.contains("waived: shared VMI (until 2027-01-31)"))
        #expect(text.contains("7 findings (2 error, 5 warning, 0 info), 2 waived"))
        #expect(text.contains("waivers of .etcd-audit.yaml: 1 expired, 0 matched nothing"))
    }
}
