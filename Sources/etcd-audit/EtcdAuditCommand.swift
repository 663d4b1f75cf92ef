import ArgumentParser
import EtcdAuditCore

@main
struct EtcdAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etcd-audit",
        abstract: "Audit the records an orchestration platform keeps in etcd against cross-record invariants.",
        version: EtcdAudit.version,
        subcommands: [CheckCommand.self, RulesCommand.self],
        defaultSubcommand: CheckCommand.self)
}

extension InputFormat: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

/// `never` or a severity, for `--fail-on`.
enum FailOn: String, ExpressibleByArgument, CaseIterable {
    case error, warning, info, never

    var severity: Severity? { Severity(rawValue: rawValue) }
}
