import ArgumentParser
import EtcdAuditCore
import Foundation

/// The rule options `explain`, `history` and `diff` share with `check`: which catalog, which
/// rules at which severity, and the threads that run them. The configuration file fills in
/// what the command line leaves out, as it does for `check`.
struct RuleOptions: ParsableArguments {
    @Option(help: "Rule files that add, change or disable rules (every *.yaml in the folder; repeatable).")
    var rules: [String] = []

    @Option(name: .customLong("only"), help: "Run only this rule (repeatable).")
    var only: [String] = []

    @Option(name: .customLong("skip"), help: "Do not run this rule (repeatable).")
    var skip: [String] = []

    @Option(name: .customLong("severity"), help: "Override a rule's severity: RULE=error|warning|info (repeatable).")
    var severityOverrides: [String] = []

    @Option(help: "Threads that parse values and run rules, at most (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    /// The catalog (with `--rules` or the configuration's) and the rules selected from it.
    func load(config: AuditConfig?) throws -> (catalog: Catalog, selected: [Rule]) {
        let catalog = try Catalog.load(rulesDirectories: rules.isEmpty ? config?.rules ?? [] : rules)
        try config?.checkRuleIDs(known: Set(catalog.rules.map(\.id)))
        let selected = try RuleSelection(only: only.isEmpty ? config?.only ?? [] : only,
                                         skip: skip.isEmpty ? config?.skip ?? [] : skip,
                                         severities: (config?.severities ?? []) + severityOverrides)
            .apply(to: catalog.rules)
        return (catalog, selected)
    }
}
