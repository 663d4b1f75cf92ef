@testable import EtcdAuditCore
import Foundation

/// What the tests of the code-host reporters (SARIF, GitHub, GitLab, Checkstyle) share:
/// results with what the finding model can hold filled in, and the validators of
/// scripts/conformance.
enum CodeHostReportSupport {
    static let seeds = GoldenReportTests.seeds

    /// The seeds' findings, then the first one located to a member (line, column,
    /// pointer, mod_revision) and the second waived: what the finding locator and the
    /// configuration's waivers fill in.
    static func locatedResult() -> AuditResult {
        var result = TestSupport.audit(seeds)
        result.findings[0].location.column = 7
        result.findings[0].location.pointer = "/output/0/output_value"
        result.findings[0].location.modRevision = 42
        result.findings[1].waiver = WaiverMark(reason: "known, see OPS-1: monitoring is down", expires: "2027-01-31")
        return result
    }

    /// An input without lines (etcdctl -w json): findings have a byte offset and a revision.
    static func linelessResult() -> AuditResult {
        TestSupport.audit(["Samples/fixtures/seeds.etcdctl.json"])
    }

    /// Options whose working directory is the package root (where the tests' paths start).
    static let options = ReportOptions(workingDirectory: TestSupport.root.path)

    /// Runs one of scripts/conformance's validators on `text` (written to a file named
    /// `name`), with `extra` arguments; returns its exit code and output.
    static func validate(_ script: String, _ text: String, name: String, extra: [String] = []) throws
        -> (code: Int32, out: String)
    {
        let file = try TestSupport.temporaryFile(text, name: name)
        let run = try TestSupport.run("/usr/bin/env", ["python3", TestSupport.path("scripts/conformance/\(script)"), file] + extra)
        return (run.code, run.out + run.err)
    }

    /// The JSON report of `result`, in a file, for the validators' `--against`.
    static func jsonReportFile(_ result: AuditResult) throws -> String {
        try TestSupport.temporaryFile(try JSONReporter().render(result, options: options), name: "report.json")
    }
}
