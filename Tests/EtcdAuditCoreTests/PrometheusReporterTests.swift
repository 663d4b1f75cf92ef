@testable import EtcdAuditCore
import Foundation
import Testing

/// The Prometheus text format for node_exporter's textfile collector. `promtool check
/// metrics` (Debian package `prometheus`) reads every report made here; scripts/test also
/// runs ../shared/conformance/check_prometheus.sh on the seeds, every broken sample and a
/// generated store.
struct PrometheusReporterTests {
    static let completed = Date(timeIntervalSince1970: 1_796_256_154.5)

    func render(_ result: AuditResult, options: ReportOptions = ReportOptions(completedAt: completed)) throws -> String {
        try PrometheusReporter().render(result, options: options)
    }

    /// Sample lines: series (name and labels as written) → value.
    static func samples(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let space = line.lastIndex(of: " ")!
            out[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return out
    }

    /// promtool's own linter, as the collector's operators would run it.
    static func promtool(_ arguments: [String], stdin: String? = nil) throws -> (code: Int32, out: String) {
        guard let promtool = TestSupport.which("promtool") else {
            throw EtcdServer.Failure("promtool is not installed: apt-get install prometheus (scripts/install-deps does); CI runs these tests")
        }
        let run = try TestSupport.run(promtool, arguments, stdin: stdin.map { Data($0.utf8) })
        return (run.code, run.out + run.err)
    }

    @Test func everyRuleHasASeriesAtItsSeverityZeroWhenItFoundNothing() throws {
        let result = TestSupport.audit(GoldenReportTests.seeds)
        let samples = Self.samples(try render(result))
        for rule in result.rules {
            let count = result.findings.filter { $0.rule == rule.id }.count
            #expect(samples["etcd_audit_findings{rule=\"\(rule.id)\",severity=\"\(rule.severity.rawValue)\"}"] == "\(count)",
                    "rule \(rule.id)")
        }
        #expect(samples.keys.filter { $0.hasPrefix("etcd_audit_findings{") }.count == result.rules.count)
        #expect(samples["etcd_audit_findings{rule=\"unique.vmi\",severity=\"error\"}"] == "2")
        // Every type of the layouts, the ones with no resource too.
        #expect(samples["etcd_audit_resources{type=\"port\"}"] == "2")
        #expect(samples["etcd_audit_resources{type=\"network\"}"] == "0")
        #expect(samples["etcd_audit_records"] == "\(result.recordsRead)")
        #expect(samples["etcd_audit_input_errors"] == "0")
        #expect(samples["etcd_audit_findings_waived"] == "0")
        // No duration unless measured; the completion time always, with its milliseconds.
        #expect(samples["etcd_audit_run_duration_seconds"] == nil)
        #expect(samples["etcd_audit_last_run_timestamp_seconds"] == "1796256154.5")
        // Without --baseline there is nothing to be new against.
        #expect(samples.keys.allSatisfy { !$0.hasPrefix("etcd_audit_baseline_findings") })
    }

    @Test func baselineWaiverRevisionAndDurationSeries() throws {
        var result = CodeHostReportSupport.locatedResult()  // one finding waived
        result.baseline = BaselineSummary(path: "last.json", new: 3, existing: 4,
                                          resolved: Array(repeating: .object([:]), count: 5),
                                          notChecked: Array(repeating: .object([:]), count: 2))
        result.elapsedSeconds = 12.25
        result.inputs[0].revision = 900
        result.inputs[1].revision = 1200
        let samples = Self.samples(try render(result))
        #expect(samples["etcd_audit_baseline_findings{status=\"new\"}"] == "3")
        #expect(samples["etcd_audit_baseline_findings{status=\"existing\"}"] == "4")
        #expect(samples["etcd_audit_baseline_findings{status=\"resolved\"}"] == "5")
        #expect(samples["etcd_audit_baseline_findings{status=\"not_checked\"}"] == "2")
        #expect(samples["etcd_audit_findings_waived"] == "1")
        #expect(samples["etcd_audit_store_revision"] == "1200")
        #expect(samples["etcd_audit_run_duration_seconds"] == "12.25")
    }

    @Test func everyMetricHasHelpAndTypeAndNoSampleHasATimestamp() throws {
        let text = try render(TestSupport.audit(GoldenReportTests.seeds))
        var described: Set<String> = []
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("# TYPE ") {
                #expect(words[3] == "gauge")
                described.insert(String(words[2]))
            } else if !line.hasPrefix("#") {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                #expect(described.contains(name), "\(name) before its TYPE")
                // name{labels} value: the value is the last word, and no third word follows it.
                let afterLabels = line.split(separator: "}").last!.split(separator: " ")
                #expect(afterLabels.count == (line.contains("{") ? 1 : 2), "\(line)")
            }
        }
        #expect(text.hasSuffix("\n"))
    }

    @Test func labelValuesAreEscaped() throws {
        #expect(PrometheusReporter.escapeLabel(#"a"b\c"# + "\nd") == #"a\"b\\c\nd"#)
        #expect(PrometheusReporter.escapeHelp("a\\b\nc \"q\"") == #"a\\b\nc "q""#)
        // A rule id from an operator's --rules folder can hold any of them.
        var result = TestSupport.audit(GoldenReportTests.seeds)
        result.findings[0].rule = "odd\"rule\\x"
        let text = try render(result)
        #expect(text.contains(#"etcd_audit_findings{rule="odd\"rule\\x",severity=""#))
        let lint = try Self.promtool(["check", "metrics"], stdin: text)
        #expect(lint.code == 0, "\(lint.out)")
    }

    @Test func numbersReadPlainly() {
        #expect(PrometheusReporter.number(0) == "0")
        #expect(PrometheusReporter.number(1_796_256_154) == "1796256154")
        #expect(PrometheusReporter.number(0.0225) == "0.023" || PrometheusReporter.number(0.0225) == "0.022")
        #expect(PrometheusReporter.number(2.5) == "2.5")
    }

    @Test func promtoolAcceptsTheReportsOfTheSeedsAndOfEveryBrokenSample() throws {
        var inputs = [GoldenReportTests.seeds]
        let broken = try FileManager.default.contentsOfDirectory(atPath: TestSupport.path("Samples/broken"))
        inputs += broken.sorted().map { ["Samples/broken/\($0)"] }
        for paths in inputs {
            var result = TestSupport.audit(paths)
            result.elapsedSeconds = 0.5
            let lint = try Self.promtool(["check", "metrics"], stdin: try render(result))
            #expect(lint.code == 0, "\(paths): \(lint.out)")
            // promtool lints names (counters without _total, units) on stdout: none here.
            #expect(lint.out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(paths): \(lint.out)")
        }
    }

    @Test func suggestedAlertRulesPassPromtool() throws {
        let check = try Self.promtool(["check", "rules", TestSupport.path("docs/nightly-alerts.yml")])
        #expect(check.code == 0, "\(check.out)")
        // Each alert reads a metric the report writes.
        let rules = try String(contentsOfFile: TestSupport.path("docs/nightly-alerts.yml"), encoding: .utf8)
        let report = try render(TestSupport.audit(GoldenReportTests.seeds))
        for name in ["etcd_audit_findings", "etcd_audit_baseline_findings", "etcd_audit_input_errors",
                     "etcd_audit_last_run_timestamp_seconds"] {
            #expect(rules.contains(name), "\(name) unused")
        }
        for used in Set(rules.matches(of: /etcd_audit_[a-z_]+/).map { String($0.output) }) where used != "etcd_audit_baseline_findings" {
            #expect(report.contains("# TYPE \(used) gauge"), "alert rules read \(used), which the report does not write")
        }
    }

    @Test func commandLineWritesTheFileWholeWithItsDuration() throws {
        let directory = try TestSupport.temporaryDirectory()
        let target = directory.appendingPathComponent("etcd_audit.prom").path
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        let json = directory.appendingPathComponent("r.json").path
        let run = try TestSupport.run(CommandLineTests.binary, ["check", "--fail-on", "never"] + GoldenReportTests.seeds
                                      + ["--report", "prometheus", "--output", target, "--report", "json", "--output", json])
        #expect(run.code == 0, "\(run.err)")
        // Renamed over the old file; no temporary file left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["etcd_audit.prom", "r.json"])
        let samples = Self.samples(try String(contentsOfFile: target, encoding: .utf8))
        #expect(samples["etcd_audit_run_duration_seconds"] != nil)
        let stamp = try #require(samples["etcd_audit_last_run_timestamp_seconds"].flatMap(Double.init))
        #expect(abs(stamp - Date().timeIntervalSince1970) < 600)
        // The JSON report stays repeatable: no duration without --timing.
        #expect(try String(contentsOfFile: json, encoding: .utf8).contains("\"elapsed_s\" : null"))
        // A device is written to, not replaced.
        let null = try TestSupport.run(CommandLineTests.binary, ["check", GoldenReportTests.seeds[1], "--report", "prometheus", "--output", "/dev/null"])
        #expect(null.code == 0)
        var status = stat()
        #expect(stat("/dev/null", &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR)
    }
}
