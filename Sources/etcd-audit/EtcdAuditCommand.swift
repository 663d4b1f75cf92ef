import ArgumentParser
import EtcdAuditCore
import Foundation

@main
struct EtcdAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etcd-audit",
        abstract: "Audit the records an orchestration platform keeps in etcd against cross-record invariants.",
        version: EtcdAudit.version,
        subcommands: [CheckCommand.self, RulesCommand.self, ExplainCommand.self, HistoryCommand.self, DiffCommand.self],
        defaultSubcommand: CheckCommand.self)

    /// SPEC §5 gives usage errors exit status 2 (ArgumentParser's default is 64).
    static func main() {
        do {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if let word = unknownFirstWord(arguments) {
                printError(unknownWordMessage(word))
                exit(withError: ExitCode(2))
            }
            var command = try parseAsRoot(redactSpelledOut(arguments))
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

extension EtcdAuditCommand {
    /// The words that name a subcommand: each one's name and aliases, taken from the
    /// configuration so that a new subcommand counts as soon as it is listed, and
    /// ArgumentParser's own `help`.
    static var subcommandNames: [String] {
        configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases } + ["help"]
    }

    /// `check` is the default subcommand, but only for a first word that is an option, `-`
    /// or an existing file or directory: any other word is a subcommand misspelt (or one
    /// this version lacks), not a dump to audit (`explain X dump` once audited "explain").
    /// Nil when the arguments may go to the parser.
    static func unknownFirstWord(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !subcommandNames.contains(first),
              !FileManager.default.fileExists(atPath: first) else { return nil }
        return first
    }

    static func unknownWordMessage(_ word: String) -> String {
        let names = configuration.subcommands.map { command in
            command._commandName + (ObjectIdentifier(command) == configuration.defaultSubcommand.map(ObjectIdentifier.init) ? " (default)" : "")
        }
        return """
            etcd-audit: `\(word)` is neither a subcommand nor an existing file or directory.
            Subcommands: \(names.joined(separator: ", ")).
            `etcd-audit SUBCOMMAND --help` describes one; `etcd-audit check FILE` audits a file of any name.
            """
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
