@testable import EtcdAuditCore
import Foundation
import Testing

/// `check --per-file`, directory arguments, `--include`/`--exclude`: each fixture gives its
/// own findings, and every report says which file each belongs to.
struct PerFileTests {
    static let createSeed = "Samples/seeds/000_1cd8ab2a63ae2a87.txt"
    static let updateSeed = "Samples/seeds/003_316c7d162925404b.txt"
    static let createPort = "ddc14be4-3480-4e97-a978-817b18f9904c"
    static let updatePort = "23464cbc-d910-430a-93f7-3776ea07f992"
    /// SPEC §3, each seed audited alone.
    static let createFindings = ["heat-outputs.mac-mismatch \(createPort)"]
    static let updateFindings = ["heat-outputs.mac-mismatch \(updatePort)", "monitoring.failed \(updatePort)",
                                 "refs.duplicate \(updatePort)", "refs.duplicate \(updatePort)"]

    func run(_ arguments: [String]) throws -> (code: Int32, out: String, err: String) {
        try TestSupport.run(CommandLineTests.binary, arguments)
    }

    /// Runs the tool with a JSON report and returns it parsed.
    func jsonReport(_ arguments: [String]) throws -> (code: Int32, report: [String: Any], err: String) {
        let output = try TestSupport.temporaryDirectory().appendingPathComponent("report.json").path
        let result = try run(arguments + ["--report", "json", "--output", output])
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [String: Any]
        return (result.code, report ?? [:], result.err)
    }

    static func findings(_ report: [String: Any]) -> [[String: Any]] { report["findings"] as? [[String: Any]] ?? [] }

    /// "rule resource-id" of the findings located in `path`, sorted.
    static func pairs(_ report: [String: Any], in path: String? = nil) -> [String] {
        findings(report).filter { path == nil || ($0["location"] as? [String: Any])?["path"] as? String == path }
            .map { "\($0["rule"] as? String ?? "") \($0["resource_id"] as? String ?? "")" }.sorted()
    }

    /// A fixtures folder as a repository holds it: both seeds (one in a subfolder), a
    /// README, a link to a seed outside the tree, a hidden folder holding a seed.
    func fixturesFolder() throws -> URL {
        let dir = try TestSupport.temporaryDirectory().appendingPathComponent("fixtures")
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("update"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: TestSupport.path(Self.createSeed), toPath: dir.appendingPathComponent("create.md").path)
        try fm.copyItem(atPath: TestSupport.path(Self.updateSeed), toPath: dir.appendingPathComponent("update/seed.md").path)
        try fm.copyItem(atPath: TestSupport.path(Self.updateSeed), toPath: dir.appendingPathComponent(".git/seed.md").path)
        try Data("# Fixtures\n\nOne scenario per file.\n".utf8).write(to: dir.appendingPathComponent("README.md"))
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("linked.md").path,
                                  withDestinationPath: TestSupport.path(Self.updateSeed))
        return dir
    }

    @Test func eachSeedOfAFolderGivesItsOwnFindingsAndNoUniqueVMI() throws {
        let dir = try fixturesFolder().path
        let (code, report, _) = try jsonReport(["check", "--per-file", dir])
        #expect(code == 0, "only warnings: the unique.vmi errors of one store must not appear")
        #expect(Self.pairs(report, in: dir + "/create.md") == Self.createFindings)
        #expect(Self.pairs(report, in: dir + "/update/seed.md") == Self.updateFindings)
        #expect(Self.pairs(report) == (Self.createFindings + Self.updateFindings).sorted())

        let files = report["files"] as? [[String: Any]] ?? []
        #expect(files.map { $0["path"] as? String } == [dir + "/create.md", dir + "/update/seed.md"])
        #expect(files.map { $0["findings"] as? Int } == [1, 4])
        #expect(files.map { $0["resources"] as? Int } == [1, 1])
        #expect((report["summary"] as? [String: Any])?["resources"] as? Int == 2)
        #expect((report["inputs"] as? [Any])?.count == 2)
        let skipped = report["skipped_files"] as? [[String: String]] ?? []
        #expect(skipped.map { $0["path"] } == [dir + "/README.md", dir + "/linked.md"])
        #expect(skipped.last?["reason"] == "symbolic link, not followed")
        #expect(skipped.first?["reason"]?.contains("no records read as markdown") == true)
    }

    @Test func theSameFolderWithoutPerFileIsOneStore() throws {
        let dir = try fixturesFolder().path
        let (code, report, _) = try jsonReport(["check", dir])
        #expect(code == 1)
        #expect(Self.pairs(report).filter { $0.hasPrefix("unique.vmi") }.count == 2)
        #expect(report["files"] == nil)
        #expect((report["skipped_files"] as? [Any])?.count == 2)
    }

    @Test func everyBrokenSampleFiresItsRuleWhenAuditedPerFile() throws {
        let samples = try FileManager.default.contentsOfDirectory(atPath: TestSupport.path("Samples/broken")).sorted()
        let (code, report, _) = try jsonReport(["check", "--per-file", "--fail-on", "never", "Samples/broken/"])
        #expect(code == 0)
        #expect((report["files"] as? [Any])?.count == samples.count)
        let ruleIDs = TestSupport.catalog.rules.map(\.id)
        for sample in samples {
            // <rule>.md, or <rule>.<what it shows>.md for a rule's further samples.
            let rule = try #require(ruleIDs.filter { sample.hasPrefix($0 + ".") }.max { $0.count < $1.count },
                                    "Samples/broken/\(sample) is named after no rule")
            let fired = Set(Self.findings(report)
                .filter { ($0["location"] as? [String: Any])?["path"] as? String == "Samples/broken/\(sample)" }
                .compactMap { $0["rule"] as? String })
            #expect(fired.contains(rule), "Samples/broken/\(sample) audited alone should fire \(rule): \(fired)")
        }
    }

    @Test func textAndJUnitReportsSayWhichFileEachFindingBelongsTo() throws {
        // One sample under two names: the same resource in two stores.
        let dir = try TestSupport.temporaryDirectory()
        for name in ["a.md", "b.md"] {
            try FileManager.default.copyItem(atPath: TestSupport.path("Samples/broken/monitoring.failed.md"),
                                             toPath: dir.appendingPathComponent(name).path)
        }
        let text = try run(["check", "--per-file", "--report", "text", dir.path]).out
        let a = try #require(text.range(of: "== \(dir.path)/a.md\n")), b = try #require(text.range(of: "== \(dir.path)/b.md\n"))
        #expect(a.upperBound < b.lowerBound)
        #expect(text[a.upperBound..<b.lowerBound].contains("at \(dir.path)/a.md:"))
        #expect(text[b.upperBound...].contains("at \(dir.path)/b.md:"))
        #expect(text.contains("2 files audited one by one"))

        let junit = try run(["check", "--per-file", "--report", "junit", dir.path]).out
        let names = junit.components(separatedBy: "<testcase ").dropFirst()
            .filter { $0.contains("classname=\"monitoring.failed\"") }
            .compactMap { $0.components(separatedBy: "name=\"").dropFirst().first?.components(separatedBy: "\"").first }
        #expect(names.count == 2)
        #expect(Set(names).count == 2, "one testcase per file and resource: \(names)")
        #expect(names.allSatisfy { $0.hasPrefix(dir.path + "/a.md: ports/") || $0.hasPrefix(dir.path + "/b.md: ports/") })
    }

    @Test func filesAreReportedInPathOrderWhateverTheArgumentOrder() throws {
        let forward = try TestSupport.auditPerFile([Self.createSeed, Self.updateSeed])
        let backward = try TestSupport.auditPerFile([Self.updateSeed, Self.createSeed, Self.updateSeed])
        #expect(backward.files?.map(\.path) == [Self.createSeed, Self.updateSeed])
        #expect(try JSONReporter().render(forward, options: ReportOptions())
            == JSONReporter().render(backward, options: ReportOptions()))
    }

    /// `a.md` and `./a.md` (or a walk that meets a file named too) are one file: audited
    /// once, under the spelling first named, with the skipped files and then the
    /// totals of all on the last line of the text report.
    @Test func aFileNamedTwiceHoweverSpelledIsAuditedOnce() throws {
        let dir = try TestSupport.temporaryDirectory()
        try FileManager.default.copyItem(atPath: TestSupport.path("Samples/broken/monitoring.failed.md"),
                                         toPath: dir.appendingPathComponent("a.md").path)
        try Data("# notes, no records\n".utf8).write(to: dir.appendingPathComponent("NOTES.md"))
        let a = dir.path + "/a.md"
        let text = try run(["check", "--per-file", "--report", "text", a, dir.path + "/./a.md", dir.path]).out
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.filter { $0.hasPrefix("== ") } == ["== \(a)"], "\(text)")
        let totals = try #require(lines.firstIndex { $0.hasPrefix("1 file audited one by one; in all: ") }, "\(text)")
        #expect(lines[totals - 1].hasPrefix("skipped \(dir.path)/NOTES.md: "))
    }

    @Test func includeAndExcludeSelectWalkedAndNamedFiles() throws {
        let dir = try TestSupport.temporaryDirectory()
        for file in ["a.md", "old/b.md", "c.txt", "sub/README.md", "sub/deep/d.md", ".hidden/e.md"] {
            let url = dir.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("x\n".utf8).write(to: url)
        }
        func walked(_ include: [String], _ exclude: [String]) throws -> [String] {
            try InputSelection(arguments: [dir.path], filter: PathFilter(include: include, exclude: exclude))
                .inputs.compactMap(\.filePath).map { String($0.dropFirst(dir.path.count + 1)) }
        }
        #expect(try walked([], []) == ["a.md", "c.txt", "old/b.md", "sub/README.md", "sub/deep/d.md"])
        #expect(try walked(["*.md"], ["old"]) == ["a.md", "sub/README.md", "sub/deep/d.md"])
        #expect(try walked([], ["**/README.md", "*.txt"]) == ["a.md", "old/b.md", "sub/deep/d.md"])
        #expect(try walked(["sub/*"], []) == ["sub/README.md"])
        #expect(try walked(["sub/**"], ["deep"]) == ["sub/README.md"])
        #expect(try walked(["\(dir.path)/old/*"], []) == ["old/b.md"])  // the path as reports show it

        let named = try InputSelection(arguments: [dir.appendingPathComponent("c.txt").path, "-"],
                                       filter: PathFilter(include: [], exclude: ["*.txt", "-"]))
        #expect(named.inputs.compactMap(\.filePath) == ["-"])
        #expect(named.skipped.map(\.reason) == ["excluded by --exclude *.txt"])
        #expect(throws: PathGlob.Invalid.self) { try PathFilter(include: ["[a-"], exclude: []) }
    }

    @Test(arguments: [
        ("*.md", "a.md", true), ("*.md", "dir/a.md", false), ("**/*.md", "a.md", true), ("**/*.md", "x/y/a.md", true),
        ("dir/**", "dir/x/y", true), ("dir/**", "other/x", false), ("a/**/b", "a/b", true), ("a/**/b", "a/x/y/b", true),
        ("a?c", "abc", true), ("a?c", "a/c", false), ("[ab]x", "bx", true), ("[!ab]x", "bx", false), ("[a-c]x", "cx", true),
        ("\\*x", "*x", true), ("\\*x", "ax", false), ("*", "", true), ("seeds/*.txt", "seeds/000.txt", true),
    ])
    func globs(pattern: String, path: String, matches: Bool) throws {
        #expect(try PathGlob(pattern).matches(path) == matches, "\(pattern) on \(path)")
    }

    @Test func aFolderThatGivesNothingToAuditIsAnInputError() throws {
        let empty = try TestSupport.temporaryDirectory()
        let none = try run(["check", "--per-file", empty.path])
        #expect(none.code == 2)
        #expect(none.err.contains("holds no file to audit"))
        try Data("# Notes\n".utf8).write(to: empty.appendingPathComponent("README.md"))
        let readme = try run(["check", empty.path])
        #expect(readme.code == 2)
        #expect(readme.err.contains("holds no file with records (1 skipped"))
    }

    @Test func aWalkedStrayFileIsSkippedButACutOffExportIsAnError() throws {
        let dir = try TestSupport.temporaryDirectory()
        try FileManager.default.copyItem(atPath: TestSupport.path(Self.createSeed), toPath: dir.appendingPathComponent("seed.md").path)
        // A JSON file with no newline at its end reads as cut-off jsonl; it holds no records of any format.
        try Data("{\n  \"name\": \"fixtures\"\n}".utf8).write(to: dir.appendingPathComponent("package.json"))
        // Binary data (an image beside the fixtures) is no dump of any format, not a markdown one without records.
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]).write(to: dir.appendingPathComponent("diagram.png"))
        let stray = try jsonReport(["check", dir.path])
        #expect(stray.code == 0)
        let skipped = stray.report["skipped_files"] as? [[String: String]] ?? []
        #expect(skipped.map { $0["path"] } == [dir.path + "/diagram.png", dir.path + "/package.json"])
        #expect(skipped.first?["reason"] == "binary data (it holds NUL bytes), not a dump in any format etcd-audit reads")
        // An etcd export cut before its first record: a dump, broken, not a stray file.
        try Data("{\"header\":{\"revision\":\"3\"},\"kvs\":[{\"key\":\"L2Nv".utf8).write(to: dir.appendingPathComponent("cut.json"))
        let cut = try run(["check", dir.path])
        #expect(cut.code == 2)
        #expect(cut.err.contains("cut.json"))
    }
}
