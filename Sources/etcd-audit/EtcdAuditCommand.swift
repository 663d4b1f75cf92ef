import ArgumentParser
import EtcdAuditCore

@main
struct EtcdAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etcd-audit",
        abstract: "Audit the records an orchestration platform keeps in etcd against cross-record invariants.",
        version: EtcdAudit.version,
        subcommands: [CheckCommand.self, RulesCommand.self, ExplainCommand.self],
        defaultSubcommand: CheckCommand.self)

    /// SPEC §5 gives usage errors exit status 2 (ArgumentParser's default is 64).
    static func main() {
        do {
            var command = try parseAsRoot(redactSpelledOut(Array(CommandLine.arguments.dropFirst())))
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

/// `--redact` takes an optional word (`--redact` alone, or `--redact ids`), which
/// ArgumentParser's options cannot: spell it out as `--redact=values` or `--redact=ids`
/// before parsing, so that `--redact dump.json` never takes the dump for the word.
func redactSpelledOut(_ arguments: [String]) -> [String] {
    var out: [String] = []
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        if argument == "--" { return out + arguments[index...] }
        if argument == "--redact" {
            let next = index + 1 < arguments.count ? arguments[index + 1] : nil
            if let next, Redaction.Scope(rawValue: next) != nil {
                out.append("--redact=\(next)")
                index += 2
                continue
            }
            out.append("--redact=values")
        } else {
            out.append(argument)
        }
        index += 1
    }
    return out
}

extension Redaction.Scope: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}
extension FailOn: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}
