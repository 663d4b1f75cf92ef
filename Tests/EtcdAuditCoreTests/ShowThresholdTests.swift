@testable import EtcdAuditCore
import Foundation
import Testing

/// `--show`: what the text, GitHub and JUnit reports list, apart from what fails the run.
/// The seeds have 2 errors (unique.vmi) and 5 warnings.
struct ShowThresholdTests {
    static let result = TestSupport.audit(GoldenReportTests.seeds)

    @Test func textListsFindingsAtOrAboveShowAndCountsTheRest() throws {
        let text = try TextReporter().render(Self.result, options: ReportOptions(show: .error))
        #expect(text.contains("unique.vmi:"))
        #expect(!text.contains("monitoring.failed:") && !text.contains("refs.duplicate:"))
        #expect(text.contains("7 findings (2 error, 5 warning, 0 info), 5 not shown (below --show error)"))
        // The table per rule still has every rule that found something.
        #expect(text.contains("findings per rule:"))
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("  refs.duplicate ") })
        #expect(row.split(separator: " ").map(String.init) == ["refs.duplicate", "warning", "2", "0", "2"])
        let vmi = try #require(text.split(separator: "\n").first { $0.hasPrefix("  unique.vmi ") })
        #expect(vmi.split(separator: " ").map(String.init) == ["unique.vmi", "error", "2", "2", "0"])
    }

    @Test func aFindingThatFailsTheRunIsAlwaysShown() throws {
        let options = ReportOptions(failOn: .warning, show: .error)
        let text = try TextReporter().render(Self.result, options: options)
        #expect(text.contains("monitoring.failed:") && !text.contains("not shown"))
        #expect(try GitHubReporter().render(Self.result, options: options).split(separator: "\n").count == 7)
    }

    @Test func defaultShowsEverythingAndTheTableSumsToTheFindings() throws {
        let text = try TextReporter().render(Self.result, options: ReportOptions())
        #expect(!text.contains("not shown"))
        let table = text.components(separatedBy: "findings per rule:\n")[1].split(separator: "\n").dropFirst()
        let counts = table.map { Int($0.split(separator: " ")[2])! }
        #expect(counts.reduce(0, +) == Self.result.findings.count)
        #expect(counts == counts.sorted(by: >))
        // No findings, no table.
        var clean = Self.result
        clean.findings = []
        #expect(!(try TextReporter().render(clean, options: ReportOptions())).contains("findings per rule"))
    }

    @Test func githubAnnotatesOnlyShownFindingsAndSaysHowManyItLeftOut() throws {
        let options = ReportOptions(show: .error)
        let lines = try GitHubReporter().render(Self.result, options: options).split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.hasPrefix("::error ") })
        #expect(GitHubReporter.summary(Self.result, options: options).hasSuffix(", 5 not shown (below --show error)"))
    }

    @Test func junitLeavesHiddenFindingsOutOfSystemOutButKeepsFailures() throws {
        let all = try JUnitReporter().render(Self.result, options: ReportOptions())
        let shown = try JUnitReporter().render(Self.result, options: ReportOptions(show: .error))
        #expect(all.contains("monitoring.failed") && all.contains("<system-out>"))
        #expect(!shown.contains("<system-out>"))
        #expect(shown.components(separatedBy: "<failure").count == all.components(separatedBy: "<failure").count)
    }

    @Test func otherReportsListEveryFinding() throws {
        let options = ReportOptions(show: .error)
        let json = try JSONReporter().render(Self.result, options: options)
        #expect(json.components(separatedBy: "\"rule\" : \"").count - 1 == Self.result.findings.count)
        let metrics = try PrometheusReporter().render(Self.result, options: options)
        #expect(metrics.contains("etcd_audit_findings{rule=\"refs.duplicate\",severity=\"warning\"} 2"))
    }

    @Test func configurationAndCommandLine() throws {
        let config = try AuditConfig.parse("show: warning\n", path: "repo/.etcd-audit.yaml", directory: "/repo")
        #expect(config.show == .warning)
        #expect(throws: ConfigError.self) { try AuditConfig.parse("show: never\n", path: "c.yaml", directory: "/") }
        let run = try TestSupport.run(CommandLineTests.binary, ["check", "--no-config", "--show", "error"] + GoldenReportTests.seeds)
        #expect(run.code == 1)
        #expect(run.out.contains("5 not shown (below --show error)") && !run.out.contains("refs.duplicate:"))
        let bad = try TestSupport.run(CommandLineTests.binary, ["check", "--show", "never"] + GoldenReportTests.seeds)
        #expect(bad.code == 2)
    }
}
