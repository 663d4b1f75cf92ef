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

    /// SPEC §5 gives usage errors exit status 2 (ArgumentParser's default is 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error))
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}

extension InputFormat: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}
extension FailOn: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}
