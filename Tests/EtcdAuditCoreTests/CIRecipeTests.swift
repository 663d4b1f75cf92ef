import Foundation
import Testing
import Yams

/// The CI recipes of docs/ci and the pre-commit hook manifest: each YAML file parses,
/// holds what its host needs, and every etcd-audit command line in them uses options
/// `check --help` knows, with each --output after its --report.
struct CIRecipeTests {
    func yaml(_ relative: String) throws -> Node {
        let text = try String(contentsOfFile: TestSupport.path(relative), encoding: .utf8)
        return try #require(try Yams.compose(yaml: text), "\(relative) is empty")
    }

    /// Every text of a YAML document (run: blocks, script lines), depth first.
    func texts(_ node: Node) -> [String] {
        if let mapping = node.mapping { return mapping.values.flatMap(texts) }
        if let sequence = node.sequence { return sequence.flatMap(texts) }
        return node.string.map { [$0] } ?? []
    }

    /// `etcd-audit check ...` command lines in a text: continuation lines joined, one
    /// command per line, up to a shell operator; `$(...)` left out (another command's words).
    func commands(in text: String) -> [[String]] {
        let joined = text.replacingOccurrences(of: "\\\n", with: " ")
        return joined.split(separator: "\n").compactMap { line -> [String]? in
            guard let start = line.range(of: "etcd-audit check") else { return nil }
            var words: [String] = []
            var inSubshell = false
            for word in line[start.upperBound...].split(separator: " ") {
                if word.hasPrefix("$(") { inSubshell = true }
                if inSubshell {
                    inSubshell = !word.hasSuffix(")")
                    continue
                }
                if ["&&", "||", ";", "|", ">", "#"].contains(word) { break }
                words.append(String(word))
            }
            return words
        }
    }

    static let checkOptions: Set<String> = {
        let help = (try? TestSupport.run(CommandLineTests.binary, ["check", "--help"]).out) ?? ""
        let regex = try! NSRegularExpression(pattern: "--[a-z][a-z-]*")
        let range = NSRange(help.startIndex..., in: help)
        return Set(regex.matches(in: help, range: range).map { String(help[Range($0.range, in: help)!]) })
    }()

    /// SPEC §4's report formats (the binary knows some; the code-host ones come with their reporters).
    static let reportFormats: Set<String> = ["json", "junit", "text", "sarif", "github", "gitlab", "checkstyle",
                                             "jsonl", "prometheus", "html"]

    func expectValid(_ command: [String], in file: String) {
        #expect(Self.checkOptions.contains("--per-file"), "check --help could not be read")
        var reports = 0, outputs = 0
        for (index, word) in command.enumerated() where word.hasPrefix("--") {
            let option = String(word.prefix { $0 != "=" })
            #expect(Self.checkOptions.contains(option), "\(file): \(option) is no option of etcd-audit check")
            let value = index + 1 < command.count ? command[index + 1] : ""
            if option == "--report" {
                reports += 1
                #expect(Self.reportFormats.contains(value), "\(file): --report \(value)")
            }
            if option == "--output" {
                outputs += 1
                // Each --output belongs to the --report in the same position.
                #expect(outputs == reports, "\(file): --output \(value) does not follow its --report")
            }
        }
    }

    @Test func preCommitHookManifest() throws {
        let hooks = try #require(try yaml(".pre-commit-hooks.yaml").sequence)
        let hook = try #require(hooks.first { $0["id"]?.string == "etcd-audit" })
        #expect(hook["language"]?.string == "swift")
        #expect(hook["pass_filenames"]?.bool == true)
        let entry = try #require(hook["entry"]?.string)
        #expect(entry.hasPrefix("etcd-audit check") && entry.contains("--per-file"))
        for command in commands(in: entry) { expectValid(command, in: ".pre-commit-hooks.yaml") }
        let files = try NSRegularExpression(pattern: try #require(hook["files"]?.string))
        func selects(_ path: String) -> Bool {
            files.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
        }
        #expect(selects("fixtures/ports/create.md") && selects("dump.json") && selects("a.jsonl") && selects("x.txt"))
        #expect(!selects(".etcd-audit.yaml") && !selects("Package.swift"))
    }

    @Test func githubActionsWorkflow() throws {
        let workflow = try yaml("docs/ci/github-actions.yml")
        let jobs = try #require(workflow["jobs"]?.mapping)
        #expect(!jobs.isEmpty)
        let steps = jobs.values.flatMap { $0["steps"]?.sequence ?? [] }
        let uses = steps.compactMap { $0["uses"]?.string }
        #expect(uses.contains { $0.hasPrefix("github/codeql-action/upload-sarif@") })
        #expect(uses.contains { $0.hasPrefix("actions/upload-artifact@") })
        #expect(workflow["permissions"]?["security-events"]?.string == "write")
        let runs = steps.compactMap { $0["run"]?.string }.flatMap { commands(in: $0) }
        #expect(runs.count == 1)
        for command in runs { expectValid(command, in: "github-actions.yml") }
        let audit = runs.first?.joined(separator: " ") ?? ""
        #expect(audit.contains("--report sarif --output etcd-audit.sarif") && audit.contains("--report github"))
        let sarifUpload = steps.first { $0["uses"]?.string?.hasPrefix("github/codeql-action/upload-sarif@") == true }
        #expect(sarifUpload?["with"]?["sarif_file"]?.string == "etcd-audit.sarif")
        #expect(audit.contains("--report junit --output etcd-audit.junit.xml"))
    }

    @Test func gitlabJob() throws {
        let jobs = try #require(try yaml("docs/ci/gitlab-ci.yml").mapping)
        let job = try #require(jobs["etcd-audit"])
        let reports = try #require(job["artifacts"]?["reports"])
        #expect(job["artifacts"]?["when"]?.string == "always")
        let script = texts(try #require(job["script"])).joined(separator: "\n")
        let runs = commands(in: script)
        #expect(runs.count == 1)
        for command in runs { expectValid(command, in: "gitlab-ci.yml") }
        let audit = runs.first?.joined(separator: " ") ?? ""
        let codequality = try #require(reports["codequality"]?.string), junit = try #require(reports["junit"]?.string)
        #expect(audit.contains("--report gitlab --output \(codequality)"))
        #expect(audit.contains("--report junit --output \(junit)"))
    }

    @Test func newFindingsOnlyRecipe() throws {
        let text = try String(contentsOfFile: TestSupport.path("docs/ci/new-findings-only.md"), encoding: .utf8)
        let runs = commands(in: text)
        #expect(runs.count >= 4)
        for command in runs { expectValid(command, in: "new-findings-only.md") }
        #expect(runs.contains { $0.contains("--baseline") })
        // The YAML snippet parses and audits with --baseline.
        let snippet = try #require(text.components(separatedBy: "```yaml\n").dropFirst().first?
            .components(separatedBy: "```").first)
        let steps = try #require(try Yams.compose(yaml: snippet)?.sequence)
        #expect(steps.compactMap { $0["run"]?.string }.contains { $0.contains("--baseline base.json") })
    }

    @Test func readmeCommandLines() throws {
        let text = try String(contentsOfFile: TestSupport.path("README.md"), encoding: .utf8)
        let runs = commands(in: text)
        #expect(runs.count >= 8)
        for command in runs { expectValid(command, in: "README.md") }
    }

    /// The recipe's two runs, for real, on the seeds: the base (the update seed) and the
    /// change (both seeds): only the findings the create seed brings are reported.
    @Test func theBaselineRecipeReportsOnlyNewFindings() throws {
        let dir = try TestSupport.temporaryDirectory()
        let base = dir.appendingPathComponent("base.json").path
        let seeds = "Samples/seeds/"
        let first = try TestSupport.run(CommandLineTests.binary, [
            "check", seeds + "003_316c7d162925404b.txt", "--per-file", "--fail-on", "never", "--quiet",
            "--report", "json", "--output", base])
        #expect(first.code == 0)
        let change = try TestSupport.run(CommandLineTests.binary, [
            "check", seeds + "003_316c7d162925404b.txt", seeds + "000_1cd8ab2a63ae2a87.txt", "--per-file",
            "--baseline", base, "--report", "text"])
        #expect(change.code == 0)  // the create seed brings a warning only
        #expect(change.out.contains("1 new, 4 existing, 0 resolved, 0 not checked"))
    }
}
