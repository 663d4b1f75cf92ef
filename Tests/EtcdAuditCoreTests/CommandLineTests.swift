import Foundation
import Testing

/// The executable itself: exit codes, --report/--output pairs, stdin.
struct CommandLineTests {
    static let binary: String = {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [here, here.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("etcd-audit")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url.path }
        }
        return TestSupport.path(".build/debug/etcd-audit")
    }()

    func run(_ arguments: [String], stdin: String? = nil) throws -> (code: Int32, out: String, err: String) {
        try TestSupport.run(Self.binary, arguments, stdin: stdin.map { Data($0.utf8) })
    }

    @Test func exitCodesFollowFailOn() throws {
        let seed = "Samples/seeds/003_316c7d162925404b.txt"
        #expect(try run(["check", seed]).code == 0)  // warnings only
        #expect(try run(["check", "--fail-on", "warning", seed]).code == 1)
        #expect(try run(["check", "--fail-on", "never", "Samples/seeds/000_1cd8ab2a63ae2a87.txt", seed]).code == 0)
        #expect(try run(["check", "Samples/seeds/000_1cd8ab2a63ae2a87.txt", seed]).code == 1)
    }

    @Test func usageErrorsAndUnreadableInputsExitTwo() throws {
        #expect(try run(["check", "--report", "yaml", "x"]).code == 2)
        #expect(try run(["check", "--only", "no.such-rule", "Samples/seeds/000_1cd8ab2a63ae2a87.txt"]).code == 2)
        let missing = try run(["check", "/nonexistent.txt"])
        #expect(missing.code == 2)
        #expect(missing.err.contains("/nonexistent.txt"))
    }

    @Test func reportsGoToTheirOutputs() throws {
        let dir = try TestSupport.temporaryDirectory()
        let json = dir.appendingPathComponent("r.json").path, xml = dir.appendingPathComponent("r.xml").path
        let result = try run(["check", "Samples/fixtures/seeds.etcdctl.json", "--report", "json", "--output", json,
                              "--report", "junit", "--output", xml, "--report", "text"])
        #expect(result.code == 1)
        #expect(result.out.contains("unique.vmi"))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        #expect(report?["schema_version"] as? Int == 4)
        #expect((report?["findings"] as? [Any])?.count == 7)
        #expect(try String(contentsOfFile: xml, encoding: .utf8).contains("<testsuite name=\"unique.vmi\""))
    }

    @Test func stdinIsAnInput() throws {
        let text = try String(contentsOfFile: TestSupport.path("Samples/fixtures/seeds.etcdctl.txt"), encoding: .utf8)
        let result = try run(["check", "--report", "json", "-"], stdin: text)
        #expect(result.code == 1)
        #expect(result.out.contains("\"path\" : \"-\""))
    }

    @Test func onlySkipAndSeverity() throws {
        let seeds = ["Samples/seeds/000_1cd8ab2a63ae2a87.txt", "Samples/seeds/003_316c7d162925404b.txt"]
        #expect(try run(["check", "--skip", "unique.vmi"] + seeds).code == 0)
        let only = try run(["check", "--only", "monitoring.failed", "--severity", "monitoring.failed=error"] + seeds)
        #expect(only.code == 1)
        #expect(only.out.contains("1 findings (1 error"))
    }

    @Test func invalidRuleFilesExitTwoNamingFileRuleAndField() throws {
        let result = try run(["check", "--rules", "Tests/Cases/rules-bad-severity/rules", "Samples/seeds/000_1cd8ab2a63ae2a87.txt"])
        #expect(result.code == 2)
        #expect(result.err.contains("a.yaml") && result.err.contains("monitoring.failed") && result.err.contains("severity"))
    }

    @Test func baselineMarksNewFindingsAndFailsOnThem() throws {
        let dir = try TestSupport.temporaryDirectory()
        let old = dir.appendingPathComponent("old.json").path
        _ = try run(["check", "Samples/seeds/003_316c7d162925404b.txt", "--report", "json", "--output", old])
        let both = try run(["check", "--baseline", old, "--report", "text",
                            "Samples/seeds/000_1cd8ab2a63ae2a87.txt", "Samples/seeds/003_316c7d162925404b.txt"])
        #expect(both.code == 1)  // unique.vmi on both ports is new, and an error
        #expect(both.out.contains("3 new, 4 existing, 0 resolved, 0 not checked"))
        #expect(both.out.contains("error   new unique.vmi:") && both.out.contains("warning existing monitoring.failed:"))  // the create seed's MAC, unique.vmi twice
        #expect(try run(["check", "--baseline", "/nonexistent.json", "Samples/seeds/000_1cd8ab2a63ae2a87.txt"]).code == 2)
    }

    @Test func rulesListsTheCatalog() throws {
        let result = try run(["rules"])
        #expect(result.code == 0)
        #expect(result.out.contains("unique.vmi"))
        let json = try run(["rules", "--format", "json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        #expect((parsed?["rules"] as? [Any])?.count == 28)
        #expect(try run(["rules", "--verbose"]).out.contains("param failed_values: [\"FAIL\"]"))
        #expect(try run(["rules", "--verify"]).out.hasSuffix("0 failed\n"))
    }

    @Test func codeHostReportsAndTheGitHubSummaryOnStderr() throws {
        let dir = try TestSupport.temporaryDirectory()
        let seeds = ["Samples/seeds/000_1cd8ab2a63ae2a87.txt", "Samples/seeds/003_316c7d162925404b.txt"]
        let files = ["sarif", "gitlab", "checkstyle"].map { dir.appendingPathComponent("r.\($0)").path }
        // An --output belongs to the --report in the same position: the last report goes to stdout.
        let result = try run(["check"] + seeds + ["--report", "sarif", "--output", files[0], "--report", "gitlab",
                                                  "--output", files[1], "--report", "checkstyle", "--output", files[2],
                                                  "--report", "github"])
        #expect(result.code == 1)
        #expect(result.out.split(separator: "\n").count == 7)
        #expect(result.out.hasPrefix("::warning file=Samples/seeds/003_316c7d162925404b.txt,line=275,col=13,"))
        #expect(result.err.contains("etcd-audit: 7 findings (2 error, 5 warning, 0 info; 0 waived), 2 inputs, 0 input errors"))
        #expect(try String(contentsOfFile: files[0], encoding: .utf8).contains("\"version\" : \"2.1.0\""))
        #expect(try String(contentsOfFile: files[1], encoding: .utf8).contains("\"check_name\" : \"unique.vmi\""))
        #expect(try String(contentsOfFile: files[2], encoding: .utf8).contains("source=\"etcd-audit.unique.vmi\""))
        #expect(try run(["check", "--quiet", "--report", "github"] + seeds).err.isEmpty)
    }

    @Test func junitFileAttributesOnlyWhenAsked() throws {
        let seed = "Samples/seeds/003_316c7d162925404b.txt"
        #expect(try !run(["check", seed, "--report", "junit"]).out.contains(" file=\""))
        let asked = try run(["check", seed, "--report", "junit", "--junit-file-attributes"]).out
        #expect(asked.contains("file=\"\(seed)\" line=\"385\""))
    }
}
