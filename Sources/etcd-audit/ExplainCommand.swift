import ArgumentParser
import EtcdAuditCore
import Foundation

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Everything about one resource: its records, every rule's verdict on it, and the order its records were written in.",
        usage: """
            etcd-audit explain RESOURCE INPUT... [options]
            etcd-audit explain --id RESOURCE [--id RESOURCE ...] INPUT... [options]
            """,
        discussion: """
            RESOURCE is ports/<id> (or port/<id>), port:<id>, a record's key as reports print it \
            (/state/v2.0/ports/<id>), or a bare id (--type says which type when several hold it). \
            The inputs are audited as one store, exactly as `check` audits them, so every \
            verdict is the one `check` gives (uniqueness across resources included); the \
            configuration's rules, only, skip, severity and waivers apply.

            For each resource: every record (key, kind, where it was read, create and mod \
            revision, its whole value (indented JSON; the json report also lists the members \
            the rules read), a state's heat outputs decoded from their string, and problems \
            of the value itself); every rule that \
            applies to its type: fired (each finding with the values compared and where), \
            passed, or could not run (the record or revision its check needs is missing); \
            and the write order of its records by mod_revision where the input has revisions.

            Exit status: 0 when the resources were shown (explain is not a gate: use check), \
            2 usage error, a resource that is not in the store or is ambiguous (nothing is \
            shown then), an input that could not be read to its end or holds no records \
            (shown with what was read), or invalid rules.
            """)

    @Argument(help: ArgumentHelp("The resource, then the inputs (files as check takes them, - for stdin, or directories); with --id, every argument is an input.",
                                 valueName: "resource-and-inputs"))
    var arguments: [String] = []

    @Option(name: .customLong("id"), help: "A resource to explain, spelled as RESOURCE is (repeatable: several resources, in the order given).")
    var ids: [String] = []

    @Option(name: .customLong("type"), help: "The type of a bare id (singular or plural: port, ports).")
    var type: String?

    @Flag(name: .customLong("findings-only"), help: "List only the rules that fired (records and write order stay; the counts still count every rule).")
    var findingsOnly = false

    enum Report: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(name: .customLong("report"), help: "text (for a person, the default) or json (for tools).")
    var report: Report = .text

    @Option(name: .customLong("output"), help: "File to write the report to (default stdout).")
    var output: String?

    @Option(help: "Explain the resource as it was at this revision (snapshot inputs: every revision since the last compaction).")
    var revision: Int64?

    @Option(help: "Input format, instead of detecting it from the first bytes.")
    var format: InputFormat?

    @OptionGroup var ruleOptions: RuleOptions

    @Flag(help: "Print nothing on stderr but errors.")
    var quiet = false

    @OptionGroup var configOptions: ConfigOptions

    /// The resources asked about and the inputs, as the arguments give them.
    var split: (resources: [String], inputs: [String]) {
        if !ids.isEmpty || arguments.isEmpty { return (ids, arguments) }
        return ([arguments[0]], Array(arguments.dropFirst()))
    }

    func validate() throws {
        if arguments.isEmpty && ids.isEmpty {
            throw ValidationError("name a resource and the inputs to read: explain RESOURCE INPUT... (or --id RESOURCE INPUT...)")
        }
        if let revision, revision < 1 { throw ValidationError("--revision must be at least 1") }
        if split.inputs.isEmpty {
            throw ValidationError("give the inputs to read after the resource: explain \(split.resources[0]) INPUT...")
        }
    }

    func run() throws {
        if quiet { Warnings.silence() }
        let config = try configOptions.load()
        let (names, inputs) = split
        let catalog: Catalog
        let selected: [Rule]
        let queries: [ResourceQuery]
        let selection: InputSelection
        do {
            (catalog, selected) = try ruleOptions.load(config: config)
            queries = try names.map { try ResourceQuery($0, type: type, layouts: catalog.layouts) }
            selection = try InputSelection(arguments: inputs)
        } catch {
            printError("etcd-audit: explain: \(fileHint(names) ?? "\(error)")")
            throw ExitCode(2)
        }
        let capture = ResourceCapture(ids: Set(queries.map(\.id)), layouts: catalog.layouts)
        var result = Auditor(catalog: catalog, rules: selected)
            .audit(selection, perFile: false, format: format, revision: revision, jobs: ruleOptions.jobs, capture: capture)
        config?.applyWaivers(to: &result, today: Waiver.today(), workingDirectory: FileManager.default.currentDirectoryPath)
        for input in result.inputs {
            if let error = input.error { printError("etcd-audit: \(error)") }
        }
        let explanation: Explanation
        do {
            explanation = try Explanation(result: result, capture: capture, queries: queries, findingsOnly: findingsOnly)
        } catch {
            printError("etcd-audit: explain: \(fileHint(names) ?? "\(error)")")
            throw ExitCode(2)
        }
        let text = report == .json ? try ExplainJSONReport.render(explanation) : ExplainTextReport.render(explanation)
        try ReportFile.emit(text, to: output, report: "explain")
        if !quiet {
            for skipped in result.skippedFiles { printError("etcd-audit: skipped \(skipped.path): \(skipped.reason)") }
        }
        if explanation.hasInputErrors { throw ExitCode(2) }
    }

    /// When the first argument, taken for the resource, names no resource but is a file:
    /// the order of the arguments is the likely mistake, and the message says so instead.
    private func fileHint(_ names: [String]) -> String? {
        guard ids.isEmpty, let first = names.first, FileManager.default.fileExists(atPath: first) else { return nil }
        return "\(first) is a file, not a resource: the resource comes first (explain RESOURCE INPUT...), or name it with --id"
    }
}
