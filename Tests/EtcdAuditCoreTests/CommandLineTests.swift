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

    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws
        -> (code: Int32, out: String, err: String)
    {
        try TestSupport.run(Self.binary, arguments, stdin: stdin.map { Data($0.utf8) }, environment: environment)
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

    /// A report over a file being audited (a gate's typo would replace the fixture), or two
    /// reports into one file (the second would replace the first), is refused before
    /// anything is read or written; a report's missing folders are made; a baseline may be
    /// written over the baseline it read.
    @Test func reportsNeitherReplaceInputsNorEachOther() throws {
        let dir = try TestSupport.temporaryDirectory()
        let fixture = dir.appendingPathComponent("fixture.txt").path
        let original = try Data(contentsOf: URL(fileURLWithPath: TestSupport.path("Samples/seeds/000_1cd8ab2a63ae2a87.txt")))
        try original.write(to: URL(fileURLWithPath: fixture))

        let overInput = try run(["check", fixture, "--report", "json", "--output", fixture])
        #expect(overInput.code == 2)
        #expect(overInput.err.contains("written over \(fixture)"))
        // Named otherwise, and found by walking its folder: still the same file.
        let spelled = dir.path + "/./fixture.txt"
        #expect(try run(["check", dir.path, "--report", "html", "--output", spelled]).code == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture)) == original)

        let same = dir.appendingPathComponent("out/r").path
        let twice = try run(["check", fixture, "--report", "json", "--output", same,
                             "--report", "sarif", "--output", dir.path + "/out/../out/r"])
        #expect(twice.code == 2)
        #expect(twice.err.contains("two reports would go to the same file"))
        #expect(!FileManager.default.fileExists(atPath: same))

        let deep = dir.appendingPathComponent("build/reports/r.xml").path
        #expect(try run(["check", fixture, "--report", "junit", "--output", deep]).code == 0)
        #expect(try String(contentsOfFile: deep, encoding: .utf8).contains("<testsuites"))

        let baseline = dir.appendingPathComponent("baseline.json").path
        #expect(try run(["check", fixture, "--report", "json", "--output", baseline]).code == 0)
        #expect(try run(["check", fixture, "--baseline", baseline, "--write-baseline", baseline]).code == 0)

        let missing = try run(["check", fixture, "--baseline", dir.appendingPathComponent("none.json").path])
        #expect(missing.code == 2)
        #expect(missing.err.hasSuffix("cannot read the baseline: No such file or directory\n"))
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
        #expect(only.out.contains("1 finding (1 error"))
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
        #expect((parsed?["rules"] as? [Any])?.count == 30)
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

    /// The subcommands as the root help lists them (so new ones are covered as they come).
    func subcommands() throws -> [String] {
        let help = try run(["--help"]).out
        let section = try #require(help.components(separatedBy: "SUBCOMMANDS:").last)
        // The list ends at the first blank line ("See 'etcd-audit help <subcommand>'" follows).
        let list = section.components(separatedBy: "\n\n").first { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? ""
        return list.split(separator: "\n").compactMap { line in
            // Entries start two spaces in; their wrapped summaries further.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { return nil }
            return String(name)
        }
    }

    @Test func anUnknownFirstWordIsAUsageErrorListingTheSubcommands() throws {
        let names = try subcommands()
        #expect(names.contains("check") && names.contains("rules") && names.contains("history"))
        // A subcommand this version lacks (explain, history once were).
        let result = try run(["blame", "X", "Samples/fixtures/seeds.jsonl"])
        #expect(result.code == 2)
        #expect(result.out.isEmpty)  // no report: nothing was audited
        #expect(result.err.contains("`blame` is neither a subcommand nor an existing file or directory"))
        for name in names { #expect(result.err.contains(name), "\(name) missing from: \(result.err)") }
        #expect(result.err.contains("check (default)"))
        // A missing dump named first is the same mistake, caught before any reading.
        let missing = try run(["/nonexistent.txt"])
        #expect(missing.code == 2 && missing.err.contains("`/nonexistent.txt` is neither a subcommand"))
    }

    @Test func checkStaysTheDefaultForFilesOptionsAndStdin() throws {
        let seed = "Samples/seeds/000_1cd8ab2a63ae2a87.txt"
        #expect(try run([seed]).code == run(["check", seed]).code)
        #expect(try run([seed]).out == run(["check", seed]).out)
        #expect(try run(["--fail-on", "never", seed]).code == 0)
        let text = try String(contentsOfFile: TestSupport.path("Samples/fixtures/seeds.etcdctl.txt"), encoding: .utf8)
        #expect(try run(["-"], stdin: text).code == 1)
        // A directory named first is walked, as by check.
        #expect(try run(["Samples/seeds"]).code == run(["check", "Samples/seeds"]).code)
    }

    @Test func aSubcommandNameWinsOverAFileOfThatName() throws {
        let dir = try TestSupport.temporaryDirectory()
        try FileManager.default.copyItem(atPath: TestSupport.path("Samples/fixtures/seeds.etcdctl.txt"),
                                         toPath: dir.appendingPathComponent("rules").path)
        let listed = try TestSupport.run(Self.binary, ["rules"], in: dir)
        #expect(listed.code == 0 && listed.out.contains("unique.vmi"))
        let audited = try TestSupport.run(Self.binary, ["check", "rules"], in: dir)
        #expect(audited.code == 1 && audited.out.contains("7 findings"))
    }

    @Test func eachSubcommandHasItsOwnHelp() throws {
        let names = try subcommands()
        for name in names {
            for arguments in [[name, "--help"], ["help", name]] {
                let help = try run(arguments)
                #expect(help.code == 0, "\(arguments)")
                #expect(help.out.contains("USAGE: etcd-audit \(name) "), "\(arguments): \(help.out.prefix(200))")
                for other in names where other != name {
                    #expect(!help.out.contains("USAGE: etcd-audit \(other) "), "\(arguments) shows \(other)'s usage")
                }
            }
        }
        #expect(try run(["check", "--help"]).out.contains("--revision"))
    }

    /// A script may give --quiet to every subcommand that reads inputs: the report and the
    /// exit status stay, stderr keeps nothing but errors, and each help says so.
    @Test func everySubcommandTakesQuiet() throws {
        let snapshot = "Samples/fixtures/seeds.snapshot.db", port = "ports/23464cbc-d910-430a-93f7-3776ea07f992"
        for arguments in [["check", snapshot], ["explain", port, snapshot], ["history", snapshot, port],
                          ["diff", snapshot, "--old-revision", "8", "--new-revision", "9"], ["rules"]] {
            let loud = try run(arguments), quiet = try run(arguments + ["--quiet"])
            #expect(quiet.code == loud.code && quiet.out == loud.out && !quiet.out.isEmpty, "\(arguments)")
            #expect(quiet.err.isEmpty, "\(arguments): \(quiet.err)")
            let help = try run([arguments[0], "--help"]).out.split(separator: "\n")
            #expect(help.contains { $0.contains("--quiet") && $0.hasSuffix("Print nothing on stderr but errors.") },
                    "\(arguments[0]) --help")
        }
        let notSnapshot = try run(["history", "Samples/fixtures/seeds.jsonl", "--quiet"])
        #expect(notSnapshot.code == 2 && notSnapshot.err.contains("history replays an etcd snapshot"))
        let cut = try run(["diff", "Samples/fixtures/seeds.jsonl", "Tests/Cases/etcdctl-json-cut-off/input.json", "--quiet"])
        #expect(cut.code == 2 && cut.err.contains("Tests/Cases/etcdctl-json-cut-off/input.json: at byte"))
    }

    @Test func revisionReadsASnapshotAsItWas() throws {
        let snapshot = "Samples/fixtures/seeds.snapshot.db"
        let old = try run(["check", "--revision", "11", "--report", "json", snapshot])
        #expect(old.code == 1)
        let report = try JSONSerialization.jsonObject(with: Data(old.out.utf8)) as? [String: Any]
        let input = (report?["inputs"] as? [[String: Any]])?.first
        #expect(input?["revision"] as? Int == 11 && input?["records"] as? Int == 10)
        #expect(try run(["check", "--revision", "11", snapshot]).out.contains("(snapshot): 10 records, 57376 bytes, revision 11"))
        let future = try run(["check", "--revision", "13", snapshot])
        #expect(future.code == 2)
        #expect(future.err.contains("\(snapshot): revision 13 is newer than the store: this snapshot holds revisions 1 to 12"))
        let dump = try run(["check", "--revision", "11", "Samples/fixtures/seeds.jsonl"])
        #expect(dump.code == 2 && dump.err.contains("--revision 11 needs a snapshot"))
        #expect(try run(["check", "--revision", "0", snapshot]).code == 2)
        let pageSize = try run(["check", "--page-size", "3", snapshot])
        #expect(pageSize.code == 2 && pageSize.err.contains("only apply with --endpoint"))
    }
}
