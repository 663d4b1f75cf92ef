import Foundation
import Testing

/// `.etcd-audit.yaml` through the executable: discovery, --config, --no-config, the
/// command line winning over the file, waivers and their warnings, bad files (exit 2).
struct ConfigCommandLineTests {
    let create = TestSupport.path("Samples/seeds/000_1cd8ab2a63ae2a87.txt")
    let update = TestSupport.path("Samples/seeds/003_316c7d162925404b.txt")

    /// A temporary repository holding `config` as its `.etcd-audit.yaml`, with a `sub/` folder.
    func repository(_ config: String) throws -> URL {
        let dir = try TestSupport.temporaryDirectory()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try config.write(to: dir.appendingPathComponent(".etcd-audit.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    func run(_ arguments: [String], in directory: URL) throws -> (code: Int32, out: String, err: String) {
        try TestSupport.run(CommandLineTests.binary, arguments, in: directory)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func theFileIsFoundAboveAndTheCommandLineWins() throws {
        let repo = try repository("fail_on: warning\n")
        let sub = repo.appendingPathComponent("sub")
        #expect(try run(["check", update], in: sub).code == 1)  // warnings fail, as the file says
        #expect(try run(["check", "--fail-on", "error", update], in: sub).code == 0)
        #expect(try run(["check", "--no-config", update], in: sub).code == 0)
        let report = try json(try run(["check", update, "--report", "json"], in: sub).out)
        #expect((report["summary"] as? [String: Any])?["config"] as? String == "../.etcd-audit.yaml")
        let named = try run(["check", "--config", repo.appendingPathComponent(".etcd-audit.yaml").path, update],
                            in: TestSupport.root)
        #expect(named.code == 1)
        #expect(try run(["check", "--config", "x.yaml", "--no-config", update], in: sub).code == 2)
        let missing = try run(["check", "--config", "nowhere.yaml", update], in: sub)
        #expect(missing.code == 2 && missing.err.contains("nowhere.yaml"))
    }

    @Test func selectionSeveritiesAndReportsComeFromTheFile() throws {
        let repo = try repository("""
            skip: [unique.vmi]
            severity: {monitoring.failed: error}
            reports:
              - {format: json, output: out/audit.json}
              - {format: text}
            """)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("out"), withIntermediateDirectories: true)
        let result = try run(["check", create, update], in: repo.appendingPathComponent("sub"))
        #expect(result.code == 1)  // monitoring.failed made an error; unique.vmi skipped
        #expect(result.out.contains("monitoring.failed") && !result.out.contains("unique.vmi"))
        // The output path is the file's folder's, not the working directory's.
        let written = try json(try String(contentsOf: repo.appendingPathComponent("out/audit.json"), encoding: .utf8))
        #expect((written["summary"] as? [String: Any])?["by_rule"] as? [String: Int]
                == ["heat-outputs.mac-mismatch": 2, "monitoring.failed": 1, "refs.duplicate": 2])
        // Lists on the command line replace the file's: --skip refs.duplicate brings unique.vmi back.
        let replaced = try run(["check", "--skip", "refs.duplicate", "--report", "text", create, update], in: repo)
        #expect(replaced.out.contains("unique.vmi") && !replaced.out.contains("refs.duplicate"))
        // --severity overrides the file's severity rule by rule.
        #expect(try run(["check", "--severity", "monitoring.failed=warning", update], in: repo).code == 0)
    }

    @Test func perFileAndFiltersComeFromTheFile() throws {
        let repo = try repository("per_file: true\nexclude: [\"003_*\"]\n")
        let seeds = TestSupport.path("Samples/seeds")
        let report = try json(try run(["check", seeds, "--report", "json"], in: repo).out)
        let files = try #require(report["files"] as? [[String: Any]])
        #expect(files.map { ($0["path"] as? String ?? "").hasSuffix("000_1cd8ab2a63ae2a87.txt") } == [true])
        // --no-per-file and --exclude on the command line win: both seeds, one store, unique.vmi.
        let together = try json(try run(["check", seeds, "--no-per-file", "--exclude", "*.md", "--report", "json"], in: repo).out)
        #expect(together["files"] == nil)
        #expect((together["summary"] as? [String: Any])?["resources"] as? Int == 2)
        let bad = try run(["check", seeds], in: try repository("include: [\"[a-\"]\n"))
        #expect(bad.code == 2 && bad.err.contains("field include"))
    }

    /// A named file left out says whose pattern left it out: the file's (named as found)
    /// or the command line's, so that whoever reads it knows what to change.
    @Test func aFileLeftOutNamesWherePatternCameFrom() throws {
        let repo = try repository("include: [\"*.txt\"]\nexclude: [\"003_*\"]\n")
        let named = [update, TestSupport.path("Samples/broken/monitoring.failed.md")]
        func skipped(_ arguments: [String]) throws -> [String] {
            let report = try json(try run(["check", "--report", "json"] + arguments + named, in: repo.appendingPathComponent("sub")).out)
            return (report["skipped_files"] as? [[String: String]] ?? []).map { "\($0["path"] ?? ""): \($0["reason"] ?? "")" }
        }
        #expect(try skipped([]) == ["\(named[1]): matched by no ../.etcd-audit.yaml include: pattern",
                                    "\(update): excluded by ../.etcd-audit.yaml exclude: 003_*"])
        #expect(try skipped(["--config", repo.appendingPathComponent(".etcd-audit.yaml").path]).last
                == "\(update): excluded by \(repo.path)/.etcd-audit.yaml exclude: 003_*")
        #expect(try skipped(["--exclude", "0*", "--include", "*.md"]) == ["\(update): excluded by --exclude 0*"])
        #expect(try skipped(["--include", "*.md"]) == ["\(update): excluded by ../.etcd-audit.yaml exclude: 003_*"])
        #expect(try skipped(["--exclude", "*.txt"]) == ["\(named[1]): matched by no ../.etcd-audit.yaml include: pattern",
                                                        "\(update): excluded by --exclude *.txt"])
    }

    @Test func waiversKeepFindingsButNotTheFailure() throws {
        let repo = try repository("""
            waivers:
              - rule: unique.vmi
                resource: ports/*
                reason: the two seeds were recorded from one VMI
                expires: 2999-12-31
              - rule: heat-outputs.*
                resource: "port:ddc14be4-*"
                path: "**/000_*.txt"
                reason: the create seed's MAC was edited by hand
              - rule: unique.mac-address
                reason: matches nothing
            """)
        let result = try run(["check", create, update, "--report", "json"], in: repo)
        #expect(result.code == 0)
        let report = try json(result.out)
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.count == 7)
        let waived = findings.filter { $0["waiver"] != nil }.map { $0["rule"] as? String ?? "" }.sorted()
        #expect(waived == ["heat-outputs.mac-mismatch", "unique.vmi", "unique.vmi"])
        let summary = try #require((report["summary"] as? [String: Any])?["waivers"] as? [String: Any])
        #expect(summary["applied"] as? Int == 3)
        #expect((summary["unmatched"] as? [[String: Any]])?.first?["index"] as? Int == 2)
        #expect(result.err.contains(".etcd-audit.yaml: waivers[2] at line 10 (rule unique.mac-address) matched no finding"))
        #expect(!result.err.contains("expired"))
        #expect(try run(["check", "--quiet", create, update], in: repo).err.isEmpty)
    }

    @Test func anExpiredWaiverFailsAgainWithAWarning() throws {
        let repo = try repository("""
            waivers:
              - rule: unique.vmi
                resource: port/*
                reason: was fixed upstream in 2020
                expires: 2020-06-30
            """)
        let result = try run(["check", create, update], in: repo)
        #expect(result.code == 1)
        #expect(result.err.contains(
            "warning: .etcd-audit.yaml: waivers[0] at line 2 (rule unique.vmi, resource port/*) expired on 2020-06-30"))
        #expect(!result.out.contains("waived:"))
    }

    @Test func badFilesExitTwoNamingFileAndField() throws {
        for (text, says) in [
            ("waivers:\n  - rule: unique.vmi\n    resource: port/*\n", ".etcd-audit.yaml:2: field waivers[0].reason: is required"),
            ("fail_on: warning\nreport: []\n", ".etcd-audit.yaml:2: field report: unknown field"),
            ("only: [unique.vmj]\n", ".etcd-audit.yaml:1: field only: no such rule unique.vmj"),
            ("fail_on: error\nskip:\n  - unique.vmi\n  - unique.vmj\n", ".etcd-audit.yaml:4: field skip: no such rule unique.vmj"),
            ("severity:\n  unique.vmi: info\n  unique.vmj: error\n", ".etcd-audit.yaml:3: field severity.unique.vmj: no such rule"),
            ("rules: [missing-folder]\n", "missing-folder"),
        ] {
            let result = try run(["check", create], in: try repository(text))
            #expect(result.code == 2, "\(text)")
            #expect(result.err.contains(says), "\(text): \(result.err)")
        }
    }

    @Test func ruleFoldersAreTheFilesAndRulesShowsThem() throws {
        let repo = try repository("rules: [rules]\n")
        try FileManager.default.copyItem(atPath: TestSupport.path("Samples/rules"),
                                         toPath: repo.appendingPathComponent("rules").path)
        let firewalls = TestSupport.path("Samples/other-types/firewalls.md")
        let withFile = try run(["check", firewalls, "--report", "json"], in: repo.appendingPathComponent("sub"))
        let without = try run(["check", "--no-config", firewalls, "--report", "json"], in: repo)
        #expect(withFile.out != without.out)
        #expect(try run(["rules"], in: repo).out.contains("firewall"))
        #expect(!(try run(["rules", "--no-config"], in: repo).out.contains("firewall")))
    }
}
