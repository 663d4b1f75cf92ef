import ArgumentParser
import EtcdAuditCore
import Foundation

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Replay the revisions a snapshot holds: which write introduced each finding, and which cleared the others.",
        usage: "etcd-audit history SNAPSHOT [RESOURCE...] [options]",
        discussion: """
            The store at the first revision (the snapshot's compaction, or --since) is audited \
            whole; then each write after it is applied in revision order and only the \
            resources it touched are checked again (uniqueness across resources included). \
            The report is the check report of the last revision (the newest, or --revision), \
            in which each finding carries `introduced` {revision, key}: the write after \
            which it first held and held ever since (key null: it already held at the first \
            revision replayed); plus `cleared`: findings that held and then stopped, each with \
            `introduced` and `cleared` {revision, key}. A finding is the same one across \
            revisions when its fingerprint is (rule, resource, record key, values compared): \
            a changed value is a new finding and the old one is cleared.

            RESOURCE (ports/<id>, port:<id>, a record's key or a bare id, as explain takes it) \
            limits the report to those resources, a resource deleted during the replay included.

            Exit status: 0 no finding of the last revision at or above --fail-on (among the \
            resources shown), 1 some, 2 usage error, a file that is not a snapshot, a \
            revision outside the ones it holds, an unknown resource, or invalid rules.
            """)

    @Argument(help: "The etcd v3 snapshot (etcdctl snapshot save; .gz works).")
    var snapshot: String

    @Argument(help: "Resources to show (default: every resource).")
    var resources: [String] = []

    @Option(help: "The first revision replayed (default: the oldest the snapshot holds, its compaction).")
    var since: Int64?

    @Option(help: "The last revision replayed, whose findings are reported (default: the newest).")
    var revision: Int64?

    @Option(name: .customLong("type"), help: "The type of a bare id (singular or plural: port, ports).")
    var type: String?

    enum Report: String, ExpressibleByArgument, CaseIterable { case text, json, html }

    @Option(name: .customLong("report"), help: "text (a timeline for a person, the default), json (the check report, dated) or html (the check page of the last revision with a chart of findings over revisions).")
    var report: Report = .text

    @Option(name: .customLong("output"), help: "File to write the report to (default stdout).")
    var output: String?

    @Option(name: .customLong("fail-on"), help: "Lowest severity that makes the exit status 1: error, warning, info, never (default: the configuration's fail_on, else error).")
    var failOn: FailOn?

    @OptionGroup var ruleOptions: RuleOptions

    // Errors are all history prints on stderr but the worker pool's warning (fewer threads than
    // asked), which --quiet silences; whatever else history comes to print there must honour it.
    @Flag(help: "Print nothing on stderr but errors.")
    var quiet = false

    @OptionGroup var configOptions: ConfigOptions

    func validate() throws {
        if let since, since < 1 { throw ValidationError("--since must be at least 1") }
        if let revision, revision < 1 { throw ValidationError("--revision must be at least 1") }
        if let since, let revision, since > revision {
            throw ValidationError("--since \(since) is after --revision \(revision)")
        }
    }

    func run() throws {
        if quiet { Warnings.silence() }
        let config = try configOptions.load()
        let catalog: Catalog
        let selected: [Rule]
        let queries: [ResourceQuery]
        do {
            (catalog, selected) = try ruleOptions.load(config: config)
            queries = try resources.map { try ResourceQuery($0, type: type, layouts: catalog.layouts) }
        } catch {
            printError("etcd-audit: history: \(error)")
            throw ExitCode(2)
        }
        var history: History
        do {
            history = try Auditor(catalog: catalog, rules: selected)
                .history(HistoryRequest(path: snapshot, since: since, revision: revision, jobs: ruleOptions.jobs))
            if !queries.isEmpty { history = history.limited(to: try history.resolve(queries)) }
        } catch {
            printError("etcd-audit: history: \(error)")
            throw ExitCode(2)
        }
        config?.applyWaivers(to: &history.result, today: Waiver.today(),
                             workingDirectory: FileManager.default.currentDirectoryPath)
        history = history.describingChanges(catalog: catalog, rules: selected)
        let failOn = (failOn ?? config?.failOn ?? .error).severity
        var options = ReportOptions(failOn: failOn)
        options.layouts = catalog.layouts
        options.jobs = ruleOptions.jobs
        let text: String
        switch report {
        case .json: text = try HistoryJSONReport.render(history, options: options)
        case .html: text = try HistoryHTMLReport.render(history, options: options)
        case .text: text = HistoryTextReport.render(history)
        }
        try ReportFile.emit(text, to: output, report: "history")
        let code = history.result.exitCode(failOn: failOn)
        if code != 0 { throw ExitCode(code) }
    }
}
