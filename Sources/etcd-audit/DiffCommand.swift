import ArgumentParser
import EtcdAuditCore
import Foundation

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two stores: the resources and records added, removed and changed, and the findings new, resolved and persisting.",
        usage: """
            etcd-audit diff OLD NEW [options]
            etcd-audit diff OLD.db NEW.db --old-revision N --new-revision M
            etcd-audit diff SNAPSHOT --old-revision N --new-revision M [options]
            """,
        discussion: """
            OLD and NEW are files in any input format (dumps, snapshots, gzipped or not), \
            each audited as its own store, exactly as `check FILE` audits it. With \
            --old-revision/--new-revision a snapshot side is read as the store was at that \
            revision (any revision since its last compaction); one SNAPSHOT with both options \
            compares the file with itself at two revisions.

            Resources are matched by type and id, records by key: a record changed when its \
            value did (a digest of the whole value decides), and for each changed record the \
            members the rules read are shown, old → new. Findings are matched by fingerprint, \
            as --baseline matches them: new (NEW has it, OLD not), resolved (OLD had it), \
            persisting (both).

            Each side is read twice (audited, then again for the changed records' values), so \
            standard input (-) cannot be a side. The configuration's rules, only, skip, \
            severity and fail_on apply; waivers do not (a diff is not a gate on old debt).

            Exit status: 0 no new finding at or above --fail-on, 1 new findings at or above \
            it, 2 usage error, invalid rules, or either side unreadable or cut off (the \
            report is still written, comparing what was read).
            """)

    @Argument(help: ArgumentHelp("OLD and NEW, or one snapshot with --old-revision and --new-revision.",
                                 valueName: "old-and-new"))
    var paths: [String] = []

    @Option(name: .customLong("old-revision"), help: "Read OLD (a snapshot) as the store was at this revision.")
    var oldRevision: Int64?

    @Option(name: .customLong("new-revision"), help: "Read NEW (a snapshot) as the store was at this revision.")
    var newRevision: Int64?

    enum Report: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(name: .customLong("report"), help: "text (for a person, the default) or json (for tools).")
    var report: Report = .text

    @Option(name: .customLong("output"), help: "File to write the report to (default stdout).")
    var output: String?

    @Option(name: .customLong("fail-on"), help: "Lowest severity of a NEW finding that makes the exit status 1: error, warning, info, never (default: the configuration's fail_on, else error).")
    var failOn: FailOn?

    @Option(help: "Input format of both sides, instead of detecting it from the first bytes.")
    var format: InputFormat?

    @OptionGroup var ruleOptions: RuleOptions

    // Errors are all diff prints on stderr but the worker pool's warning (fewer threads than
    // asked), which --quiet silences; whatever else diff comes to print there must honour it.
    @Flag(help: "Print nothing on stderr but errors.")
    var quiet = false

    @OptionGroup var configOptions: ConfigOptions

    /// OLD and NEW as the arguments give them (one path: the same file twice).
    var sides: (old: DiffSide, new: DiffSide) {
        (DiffSide(path: paths[0], revision: oldRevision), DiffSide(path: paths.count > 1 ? paths[1] : paths[0], revision: newRevision))
    }

    func validate() throws {
        switch paths.count {
        case 2: break
        case 1 where oldRevision != nil && newRevision != nil: break
        case 1: throw ValidationError("give OLD and NEW (diff OLD NEW), or one snapshot with --old-revision and --new-revision")
        default: throw ValidationError("diff compares two inputs: diff OLD NEW (got \(paths.count))")
        }
        if paths.contains("-") {
            throw ValidationError("diff reads each side twice, so standard input (-) cannot be one: save it to a file")
        }
        for revision in [oldRevision, newRevision].compactMap({ $0 }) where revision < 1 {
            throw ValidationError("--old-revision and --new-revision must be at least 1")
        }
        // Before anything is read: a side that cannot be read would show the other side's
        // whole store as added or removed before the error.
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("\(path) does not exist: diff compares two dumps or snapshots")
            }
            if isDirectory.boolValue {
                throw ValidationError("\(path) is a directory: diff compares two dumps or snapshots, one file each")
            }
        }
    }

    func run() throws {
        if quiet { Warnings.silence() }
        let config = try configOptions.load()
        let selected: [Rule]
        let catalog: Catalog
        do {
            (catalog, selected) = try ruleOptions.load(config: config)
        } catch {
            printError("etcd-audit: diff: \(error)")
            throw ExitCode(2)
        }
        let (old, new) = sides
        let diff = Auditor(catalog: catalog, rules: selected).diff(old: old, new: new, format: format, jobs: ruleOptions.jobs)
        for input in diff.old.inputs + diff.new.inputs {
            if let error = input.error { printError("etcd-audit: \(error)") }
        }
        let text = report == .json ? try DiffJSONReport.render(diff) : DiffTextReport.render(diff)
        try ReportFile.emit(text, to: output, report: "diff")
        let code = diff.exitCode(failOn: (failOn ?? config?.failOn ?? .error).severity)
        if code != 0 { throw ExitCode(code) }
    }
}
