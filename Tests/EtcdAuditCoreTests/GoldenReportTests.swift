@testable import EtcdAuditCore
import Foundation
import Testing

/// The reports of every sample, compared byte for byte with Samples/golden/. After a
/// deliberate change: `UPDATE_GOLDENS=1 swift test --filter GoldenReportTests`, then
/// review `git diff Samples/golden`.
struct GoldenReportTests {
    static let seeds = ["Samples/seeds/000_1cd8ab2a63ae2a87.txt", "Samples/seeds/003_316c7d162925404b.txt"]

    static var samples: [(name: String, inputs: [String])] {
        var list: [(String, [String])] = [
            ("create-seed", [seeds[0]]),
            ("update-seed", [seeds[1]]),
            ("both-seeds", seeds),
            ("fixture-etcdctl", ["Samples/fixtures/seeds.etcdctl.txt"]),
            ("fixture-etcdctl-json", ["Samples/fixtures/seeds.etcdctl.json"]),
            ("fixture-gateway", ["Samples/fixtures/seeds.gateway.json"]),
            ("fixture-jsonl", ["Samples/fixtures/seeds.jsonl"]),
            ("fixture-snapshot", ["Samples/fixtures/seeds.snapshot.db"]),
            ("fixture-etcd-v2", ["Samples/fixtures/seeds.etcd-v2.json"]),
            ("networks-subnets", ["Samples/other-types/networks-subnets.md"]),
        ]
        for file in brokenSamples {
            // A failed discovery keeps its stand-in name, which the test then fails on.
            let name = file.hasPrefix(TestSupport.Discovery.marker) ? file
                : "broken-" + file.split(separator: ".").dropLast().joined(separator: ".")
            list.append((name, ["Samples/broken/" + file]))
        }
        return list
    }

    static var brokenSamples: [String] {
        TestSupport.discover("Samples/broken") { $0.hasSuffix(".md") || $0.hasSuffix(".jsonl") }
    }

    static var sampleNames: [String] { samples.map(\.name) }

    func compare(_ text: String, golden relative: String) throws {
        let path = TestSupport.path(relative)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] != nil {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == expected, "\(relative) differs; regenerate with UPDATE_GOLDENS=1 and review the diff")
    }

    @Test("JSON report of each sample", arguments: sampleNames)
    func jsonReport(name: String) throws {
        try TestSupport.Discovery.check(name)
        let sample = Self.samples.first { $0.name == name }!
        let result = TestSupport.audit(sample.inputs)
        try compare(try JSONReporter().render(result, options: ReportOptions()), golden: "Samples/golden/\(name).json")
    }

    @Test func junitAndTextReportsOfBothSeeds() throws {
        let result = TestSupport.audit(Self.seeds)
        try compare(try JUnitReporter().render(result, options: ReportOptions()), golden: "Samples/golden/both-seeds.junit.xml")
        try compare(try TextReporter().render(result, options: ReportOptions()), golden: "Samples/golden/both-seeds.txt")
    }

    /// `check --per-file Samples/seeds`: each seed its own store, every report grouped by file.
    @Test func perFileReportsOfTheSeedsFolder() throws {
        let result = try TestSupport.auditPerFile(["Samples/seeds"])
        try compare(try JSONReporter().render(result, options: ReportOptions()), golden: "Samples/golden/per-file-seeds.json")
        try compare(try TextReporter().render(result, options: ReportOptions()), golden: "Samples/golden/per-file-seeds.txt")
        try compare(try JUnitReporter().render(result, options: ReportOptions()),
                    golden: "Samples/golden/per-file-seeds.junit.xml")
    }

    /// `explain` on the update seed's port (its six records, every applicable rule's verdict,
    /// the four findings of SPEC §3), and on the snapshot of both seeds (the write order).
    @Test func explainReports() throws {
        let update = try ExplainTests.explain([ExplainTests.updatePort], [ExplainTests.update])
        try compare(ExplainTextReport.render(update), golden: "Samples/golden/explain-update-seed.txt")
        try compare(try ExplainJSONReport.render(update), golden: "Samples/golden/explain-update-seed.json")
        let snapshot = try ExplainTests.explain([ExplainTests.updatePort], ["Samples/fixtures/seeds.snapshot.db"])
        try compare(ExplainTextReport.render(snapshot), golden: "Samples/golden/explain-fixture-snapshot.txt")
    }

    /// `diff` of the create seed against a copy with its MAC fault repaired and a tenant
    /// fault planted, run as a user runs it (paths as given): text and JSON.
    @Test func diffReports() throws {
        for (report, ext) in [("text", "txt"), ("json", "json")] {
            let run = try TestSupport.run(CommandLineTests.binary, ["diff", "--no-config", "--report", report,
                                                                    DiffTests.create, DiffTests.planted])
            #expect(run.code == 1)
            try compare(run.out, golden: "Samples/golden/diff-create-seed-planted.\(ext)")
        }
    }

    @Test("code-host reports", arguments: ["both-seeds", "fixture-etcdctl-json"])
    func codeHostReports(name: String) throws {
        let sample = Self.samples.first { $0.name == name }!
        let result = TestSupport.audit(sample.inputs)
        let options = ReportOptions(workingDirectory: TestSupport.root.path)
        let reports: [(Reporter, String)] = [(SARIFReporter(), "sarif"), (GitHubReporter(), "github.txt"),
                                             (GitLabReporter(), "gitlab.json"), (CheckstyleReporter(), "checkstyle.xml")]
        for (reporter, suffix) in reports {
            try compare(try reporter.render(result, options: options), golden: "Samples/golden/\(name).\(suffix)")
        }
    }

    @Test("every rule has a broken sample that fires it and only it", arguments: TestSupport.catalog.rules.map(\.id))
    func brokenSampleFires(rule: String) {
        guard let file = ["md", "jsonl"].map({ "Samples/broken/\(rule).\($0)" })
            .first(where: { FileManager.default.fileExists(atPath: TestSupport.path($0)) }) else {
            Issue.record("no broken sample for \(rule) (make one: scripts/make-broken-samples.sh)")
            return
        }
        let result = TestSupport.audit([file])
        #expect(Set(result.findings.map(\.rule)) == [rule], "\(file) should fire \(rule) and only it")
        #expect(!result.hasInputErrors)
    }
}
