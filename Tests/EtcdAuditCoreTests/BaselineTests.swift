@testable import EtcdAuditCore
import Foundation
import Testing

/// Baselines that round-trip: two generated nights, faults planted and repaired between
/// them, audited with the CLI as a nightly job would.
struct BaselineTests {
    /// Night 1 and night 2 of one generated store (jsonl), and what changed between them.
    struct Nights {
        var directory: URL
        var night1: String
        var night2: String
        /// Healthy on the generator's side: monitoring FAIL planted on night 1 (repaired on
        /// night 2), and on night 2 only.
        var repaired: [String]
        var planted: String
        /// A faulty port deleted before night 2: all its findings are resolved.
        var deleted: String
    }

    static func makeNights() throws -> Nights {
        let dir = try TestSupport.temporaryDirectory()
        let store = dir.appendingPathComponent("store.jsonl").path, faults = dir.appendingPathComponent("faults.jsonl").path
        let python = try #require(TestSupport.which("python3"))
        let made = try TestSupport.run(python, ["scripts/generate-dump.py", "--resources", "40", "--format", "jsonl",
                                                "--fault-rate", "0.3", "--seed", "11", "--out", store, "--faults-out", faults])
        #expect(made.code == 0, "generate-dump.py: \(made.err)")
        var faulty: [String: String] = [:]
        for line in try String(contentsOfFile: faults, encoding: .utf8).split(separator: "\n") {
            let fault = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            faulty[fault["resource_id"]!] = fault["rule"]!
        }
        let lines = try String(contentsOfFile: store, encoding: .utf8).split(separator: "\n").map(String.init)
        let monitoring = "/monitoring/v2.0/ports/"
        let ids = lines.compactMap { line -> String? in
            guard let start = line.range(of: monitoring) else { return nil }
            return String(line[start.upperBound...].prefix(36))
        }
        let healthy = ids.filter { faulty[$0] == nil }.sorted()
        // A fault that stays on its own port (unique.vmi would resolve its partner's too).
        let deleted = try #require(faulty.filter { ["identity.mismatch", "status.mismatch"].contains($0.value) }.keys.sorted().first)
        func failing(_ ports: [String], without gone: String? = nil) -> String {
            lines.filter { line in gone.map { !line.contains($0) } ?? true }.map { line in
                guard ports.contains(where: { line.contains(monitoring + $0) }) else { return line }
                return line.replacingOccurrences(of: #"\"vmi\": \"OK\""#, with: #"\"vmi\": \"FAIL\""#)
            }.joined(separator: "\n") + "\n"
        }
        let nights = Nights(directory: dir, night1: dir.appendingPathComponent("night1.jsonl").path,
                            night2: dir.appendingPathComponent("night2.jsonl").path,
                            repaired: Array(healthy.prefix(2)), planted: healthy[2], deleted: deleted)
        try failing(nights.repaired).write(toFile: nights.night1, atomically: true, encoding: .utf8)
        try failing([nights.planted], without: deleted).write(toFile: nights.night2, atomically: true, encoding: .utf8)
        return nights
    }

    func check(_ arguments: [String]) throws -> (code: Int32, report: ReportJSON) {
        let out = try TestSupport.temporaryFile("", name: "report.json")
        let run = try TestSupport.run(CommandLineTests.binary, ["check", "--quiet", "--report", "json", "--output", out] + arguments)
        return (run.code, try JSONDecoder().decode(ReportJSON.self, from: Data(contentsOf: URL(fileURLWithPath: out))))
    }

    func list(_ report: ReportJSON, _ member: String) -> [ReportJSON] {
        if case .array(let items)? = report[member: member] { return items }
        return []
    }

    func counts(_ report: ReportJSON) -> [String: Int] {
        guard case .object(let members)? = report[member: "summary"]?[member: "baseline"] else { return [:] }
        return members.compactMapValues { if case .integer(let n) = $0 { return Int(n) } else { return nil } }
    }

    /// rule and resource of findings, sorted: what a person checks.
    func ruleAndResource(_ findings: [ReportJSON]) -> [String] {
        findings.map { "\($0[member: "rule"]?.string ?? "") \($0[member: "resource_id"]?.string ?? "")" }.sorted()
    }

    /// What a fingerprint sees of a compared value: blanks around it dropped (Unicode's
    /// too), a JSON object or array written one canonical way, anything else as it is.
    @Test("a compared value as the fingerprint sees it", arguments: [
        ("fa:16:3e:84:84:13", "fa:16:3e:84:84:13"), ("  padded\n", "padded"), ("\u{A0}nbsp\u{2028}", "nbsp"),
        (#"{ "b": 1, "a": [2, "x/y"] }"#, #"{"a":[2,"x/y"],"b":1}"#), (" [1, 2] ", "[1,2]"), ("{not json", "{not json"),
        ("", ""), ("é", "é"),
    ] as [(String, String)])
    func normalisedValues(value: String, expected: String) {
        #expect(Finding.normalised(value) == expected)
    }

    @Test func twoNightsMarkExactlyThePlantedNewAndListTheRepairedResolved() throws {
        let nights = try Self.makeNights()
        let (code1, report1) = try check(["--fail-on", "never", nights.night1])
        #expect(code1 == 0)
        let baseline1 = nights.directory.appendingPathComponent("report1.json").path
        try JSONEncoder().encode(report1).write(to: URL(fileURLWithPath: baseline1))

        let written = nights.directory.appendingPathComponent("written.json").path
        let (code2, report2) = try check(["--baseline", baseline1, "--write-baseline", written, nights.night2])
        // The generator's errors are old: only the planted warning is new, and it is no error.
        #expect(code2 == 0)
        #expect(try check(["--baseline", baseline1, "--fail-on", "warning", nights.night2]).code == 1)
        let findings2 = list(report2, "findings")
        #expect(findings2.allSatisfy { $0[member: "fingerprint"]?.string?.isEmpty == false })
        #expect(ruleAndResource(findings2.filter { $0[member: "baseline"]?.string == "new" })
                == ["monitoring.failed \(nights.planted)"])
        #expect(findings2.allSatisfy { ["new", "existing"].contains($0[member: "baseline"]?.string ?? "") })

        // Resolved: exactly the repaired ones and the deleted port's, as report 1 had them.
        let findings1 = list(report1, "findings")
        let expected = findings1.filter { old in
            let id = old[member: "resource_id"]?.string ?? ""
            return id == nights.deleted || (nights.repaired.contains(id) && old[member: "rule"]?.string == "monitoring.failed")
        }
        #expect(expected.count >= 3)
        #expect(list(report2, "resolved") == expected)
        #expect(list(report2, "not_checked").isEmpty)
        #expect(counts(report2) == ["new": 1, "existing": findings2.count - 1, "resolved": expected.count, "not_checked": 0])
        #expect(try JSONDecoder().decode(ReportJSON.self, from: Data(contentsOf: URL(fileURLWithPath: written))) == report2)

        // Tonight's report is tomorrow's baseline: night 2 against itself changes nothing.
        let baseline2 = nights.directory.appendingPathComponent("report2.json").path
        try JSONEncoder().encode(report2).write(to: URL(fileURLWithPath: baseline2))
        for baseline in [baseline2, written] {
            let (code, again) = try check(["--baseline", baseline, "--fail-on", "info", nights.night2])
            #expect(code == 0)
            #expect(counts(again) == ["new": 0, "existing": findings2.count, "resolved": 0, "not_checked": 0])
            #expect(list(again, "resolved").isEmpty)
        }
    }

    @Test func aTruncatedNightLeavesOldFindingsNotCheckedAndCarriesThemOn() throws {
        let nights = try Self.makeNights()
        let (_, report1) = try check(["--fail-on", "never", nights.night1])
        let baseline1 = nights.directory.appendingPathComponent("report1.json").path
        try JSONEncoder().encode(report1).write(to: URL(fileURLWithPath: baseline1))
        let full = try Data(contentsOf: URL(fileURLWithPath: nights.night2))
        let cut = nights.directory.appendingPathComponent("cut.jsonl").path
        try full.prefix(full.count * 3 / 5).write(to: URL(fileURLWithPath: cut))

        let (code, truncated) = try check(["--baseline", baseline1, cut])
        #expect(code == 2)
        let summary = counts(truncated)
        #expect(summary["resolved"] == 0)
        #expect(list(truncated, "resolved").isEmpty)
        // Every old finding is either seen again or not checked; none is lost.
        #expect(summary["existing"]! + summary["not_checked"]! == list(report1, "findings").count)
        #expect(summary["not_checked"]! > 0)
        let oldPrints = Set(list(report1, "findings").compactMap { Baseline.fingerprint(of: $0) })
        #expect(Set(list(truncated, "not_checked").compactMap { Baseline.fingerprint(of: $0) }).isSubset(of: oldPrints))

        // The truncated night's report as the next baseline: what the full night 2 resolves
        // against night 1 it still resolves, and nothing is newer than against night 1.
        let baseline3 = nights.directory.appendingPathComponent("report3.json").path
        try JSONEncoder().encode(truncated).write(to: URL(fileURLWithPath: baseline3))
        let (_, against1) = try check(["--baseline", baseline1, nights.night2])
        let (_, against3) = try check(["--baseline", baseline3, nights.night2])
        let prints = { (items: [ReportJSON]) in Set(items.compactMap { Baseline.fingerprint(of: $0) }) }
        #expect(prints(list(against3, "resolved")).isSuperset(of: prints(list(against1, "resolved"))))
        let new = { (report: ReportJSON) in prints(list(report, "findings").filter { $0[member: "baseline"]?.string == "new" }) }
        #expect(new(against3).isSubset(of: new(against1)))
    }

    /// With --per-file, only the file that stopped early leaves its old findings unchecked.
    @Test func perFileOnlyTheCutFileIsNotChecked() throws {
        let dir = try TestSupport.temporaryDirectory()
        let a = dir.appendingPathComponent("a.md").path, b = dir.appendingPathComponent("b.md").path
        try FileManager.default.copyItem(atPath: TestSupport.path("Samples/broken/monitoring.failed.md"), toPath: a)
        try FileManager.default.copyItem(atPath: TestSupport.path("Samples/broken/unique.vmi.md"), toPath: b)
        let (_, old) = try check(["--per-file", "--fail-on", "never", a, b])
        let baseline = dir.appendingPathComponent("old.json").path
        try JSONEncoder().encode(old).write(to: URL(fileURLWithPath: baseline))
        // a.md is gone; b.md is cut inside its third record (a code block never closed).
        try FileManager.default.removeItem(atPath: a)
        let text = try String(contentsOfFile: b, encoding: .utf8)
        let blocks = text.ranges(of: "```\n/")
        try #require(blocks.count > 3)
        try String(text[..<blocks[2].upperBound]).write(toFile: b, atomically: true, encoding: .utf8)
        let (code, now) = try check(["--per-file", "--baseline", baseline, b])
        #expect(code == 2)
        let paths = { (items: [ReportJSON]) in Set(items.compactMap { $0[member: "location"]?[member: "path"]?.string }) }
        #expect(paths(list(now, "not_checked")) == [b])
        #expect(list(now, "not_checked").count + counts(now)["existing"]! == list(old, "findings").filter {
            $0[member: "location"]?[member: "path"]?.string == b }.count)
        #expect(paths(list(now, "resolved")) == [a])
    }

    @Test func oldReportsWithoutFingerprintsStillMatch() throws {
        let seeds = ["Samples/seeds/000_1cd8ab2a63ae2a87.txt", "Samples/seeds/003_316c7d162925404b.txt"]
        let result = TestSupport.audit(seeds)
        // A schema 2 report: the same findings, no fingerprint member.
        let json = try Reporters.reporter(for: .json).render(result, options: ReportOptions())
        var tree = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        tree["findings"] = (tree["findings"] as! [[String: Any]]).map { var f = $0; f["fingerprint"] = nil; return f }
        let old = try TestSupport.temporaryFile(String(decoding: try JSONSerialization.data(withJSONObject: tree), as: UTF8.self),
                                                name: "v2.json")
        var again = result
        try Baseline(path: old).apply(to: &again)
        #expect(again.baseline?.new == 0 && again.baseline?.existing == result.findings.count)
        #expect(again.findings.allSatisfy { $0.baseline == .existing })
    }

    /// A baseline that is not JSON says where it breaks, not Swift's DecodingError.
    @Test func aBaselineThatIsNotJSONSaysWhere() throws {
        let path = try TestSupport.temporaryFile("not json {\n", name: "last.json")
        #expect {
            try Baseline(path: path)
        } throws: { error in
            (error as? InputError)?.message == "cannot be read as an etcd-audit JSON report (--baseline): it is not JSON: "
                + "invalid token near 'not' (line 1, column 3)"
        }
    }

    @Test func sarifSaysNewOrUnchanged() throws {
        let old = try TestSupport.temporaryFile(
            try Reporters.reporter(for: .json).render(TestSupport.audit(["Samples/seeds/003_316c7d162925404b.txt"]),
                                                      options: ReportOptions()), name: "old.json")
        var result = TestSupport.audit(["Samples/seeds/000_1cd8ab2a63ae2a87.txt", "Samples/seeds/003_316c7d162925404b.txt"])
        try Baseline(path: old).apply(to: &result)
        let sarif = try JSONSerialization.jsonObject(with: Data(try Reporters.reporter(for: .sarif)
            .render(result, options: ReportOptions()).utf8)) as! [String: Any]
        let results = ((sarif["runs"] as! [[String: Any]])[0]["results"] as! [[String: Any]])
        let states = results.map { $0["baselineState"] as? String ?? "" }
        #expect(states.count == result.findings.count)
        #expect(states.filter { $0 == "new" }.count == result.baseline?.new)
        #expect(states.filter { $0 == "unchanged" }.count == result.baseline?.existing)
    }

    @Test func fingerprintsIgnoreLocationAndMessageButNotValues() {
        let base = Finding(rule: "r", severity: .error, resourceType: "port", resourceID: "p", message: "m",
                           keys: ["/k"], expected: #"{"a": 1, "b": [2]}"#, actual: "x",
                           location: SourceLocation(path: "a.txt", line: 3))
        var moved = base
        moved.location = SourceLocation(path: "b.txt", line: 90)
        moved.message = "other words"
        moved.expected = #" {"b":[2],"a":1}"#
        #expect(moved.fingerprint == base.fingerprint)
        var changed = base
        changed.actual = "y"
        #expect(changed.fingerprint != base.fingerprint)
    }
}
