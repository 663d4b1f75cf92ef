import ArgumentParser
import EtcdAuditCore
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Audit one or more etcd dumps as one store.",
        discussion: """
            Exit status: 0 no finding at or above --fail-on, 1 findings at or above it, \
            2 usage error, unreadable input or invalid rules (reports are still written).
            """)

    @Argument(help: "Dumps to audit (markdown, etcdctl, etcdctl-json, jsonl; .gz works; - is stdin).")
    var inputs: [String]

    @Option(help: "Input format, instead of detecting it from the first bytes.")
    var format: InputFormat?

    @Option(name: .customLong("report"), help: "Report format: json, junit, text (repeatable; default text).")
    var reports: [ReportFormat] = []

    @Option(name: .customLong("output"), help: "File for the report of the same position (repeatable; default stdout).")
    var outputs: [String] = []

    @Option(help: "Rule files that add, change or disable rules (every *.yaml in the folder).")
    var rules: String?

    @Option(help: "A JSON report of an earlier audit: report and fail only on findings it does not contain.")
    var baseline: String?

    @Option(name: .customLong("fail-on"), help: "Lowest severity that makes the exit status 1: error, warning, info, never.")
    var failOn: FailOn = .error

    @Option(name: .customLong("only"), help: "Run only this rule (repeatable).")
    var only: [String] = []

    @Option(name: .customLong("skip"), help: "Do not run this rule (repeatable).")
    var skip: [String] = []

    @Option(name: .customLong("severity"), help: "Override a rule's severity: RULE=error|warning|info (repeatable).")
    var severityOverrides: [String] = []

    @Option(help: "Threads that parse values (default: the number of cores). Findings do not depend on it.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Record the elapsed time in the JSON report (reports are otherwise repeatable byte for byte).")
    var timing = false

    @Flag(help: "Print nothing on stderr but errors.")
    var quiet = false

    func validate() throws {
        if outputs.count > max(reports.count, 1) {
            throw ValidationError("more --output than --report: each --output belongs to the --report in the same position")
        }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if max(reports.count, 1) - outputs.count > 1 {
            throw ValidationError("only one report can go to stdout: give --output for the others")
        }
    }

    func run() throws {
        let catalog: Catalog
        let selected: [Rule]
        let old: Baseline?
        do {
            old = try baseline.map { try Baseline(path: $0) }
            catalog = try Catalog.load(rulesDirectory: rules)
            selected = try RuleSelection(only: only, skip: skip, severities: severityOverrides).apply(to: catalog.rules)
        } catch {
            printError("etcd-audit: \(error)")
            throw ExitCode(2)
        }
        let started = Date()
        let progress = quiet || isatty(STDERR_FILENO) != 1 ? nil : Progress(started: started)
        var result = Auditor(catalog: catalog, rules: selected)
            .audit(paths: inputs, format: format, jobs: jobs, progress: progress.map { p in { p.update(records: $0, bytes: $1) } })
        progress?.done()
        old?.apply(to: &result)
        if timing { result.elapsedSeconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000 }

        let formats = reports.isEmpty ? [.text] : reports
        let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        for (index, reportFormat) in formats.enumerated() {
            let destination = index < outputs.count ? outputs[index] : "-"
            let options = ReportOptions(failOn: failOn.severity, color: destination == "-" && stdoutIsTerminal)
            do {
                let text = try Reporters.reporter(for: reportFormat).render(result, options: options)
                if destination == "-" {
                    FileHandle.standardOutput.write(Data(text.utf8))
                } else {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: destination))
                }
            } catch {
                printError("etcd-audit: cannot write the \(reportFormat.rawValue) report to \(destination): \(error)")
                throw ExitCode(2)
            }
        }
        for input in result.inputs {
            if let error = input.error { printError("etcd-audit: \(error)") }
            if !quiet {
                for problem in input.problems { printError("etcd-audit: \(problem.location.display): \(problem.message)") }
            }
        }
        let code = result.exitCode(failOn: failOn.severity)
        if code != 0 { throw ExitCode(code) }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Records, megabytes and rate on stderr while a long audit runs on a terminal; never in
/// a report.
final class Progress {
    private let started: Date
    private var last = Date.distantPast
    private var shown = false

    init(started: Date) {
        self.started = started
    }

    func update(records: Int, bytes: Int) {
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.5, now.timeIntervalSince(started) >= 1 else { return }
        last = now
        shown = true
        let mb = Double(bytes) / 1_048_576
        let rate = mb / max(now.timeIntervalSince(started), 0.001)
        let line = String(format: "\r%d records, %.0f MB read, %.1f MB/s ", records, mb, rate)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func done() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
