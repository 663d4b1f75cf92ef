import ArgumentParser
import EtcdAuditCore
import Foundation

/// `--config FILE` and `--no-config`: which `.etcd-audit.yaml` a command reads.
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"),
            help: "Configuration file, whose values apply where the command line gives none (default: .etcd-audit.yaml in the working directory or the nearest folder above it).")
    var file: String?

    @Flag(name: .customLong("no-config"), help: "Read no configuration file.")
    var ignore = false

    func validate() throws {
        if file != nil && ignore { throw ValidationError("--config and --no-config exclude each other") }
    }

    /// The configuration in force, or nil. A file that cannot be used stops the run (exit 2).
    func load() throws -> AuditConfig? {
        if ignore { return nil }
        let workingDirectory = FileManager.default.currentDirectoryPath
        guard let path = file ?? AuditConfig.discover(from: workingDirectory) else { return nil }
        do {
            return try AuditConfig.load(path: path, workingDirectory: workingDirectory)
        } catch {
            printError("etcd-audit: \(error)")
            throw ExitCode(2)
        }
    }
}

/// What one `check` runs with: each option from the command line when it was given
/// there, else from the configuration, else the default. Lists given on the command
/// line replace the file's; `--severity` overrides the file's `severity` rule by rule.
struct CheckSettings {
    var failOn: FailOn
    var show: Severity
    var perFile: Bool
    var include: [String]
    var exclude: [String]
    /// Where `include` and `exclude` came from: a file left out says which to change.
    var includeOrigin: PatternOrigin
    var excludeOrigin: PatternOrigin
    /// (format, destination: a path or "-" for stdout).
    var reports: [(format: ReportFormat, destination: String)]

    init(_ command: CheckCommand, config: AuditConfig?) {
        failOn = command.failOn ?? config?.failOn ?? .error
        show = command.show ?? config?.show ?? .info
        perFile = command.perFile ?? config?.perFile ?? false
        include = command.include.isEmpty ? config?.include ?? [] : command.include
        exclude = command.exclude.isEmpty ? config?.exclude ?? [] : command.exclude
        let fromFile = config.map { PatternOrigin.config(path: $0.path) } ?? .commandLine
        includeOrigin = command.include.isEmpty ? fromFile : .commandLine
        excludeOrigin = command.exclude.isEmpty ? fromFile : .commandLine
        if command.reports.isEmpty && command.outputs.isEmpty, let defaults = config?.reports, !defaults.isEmpty {
            reports = defaults.map { ($0.format, $0.output ?? "-") }
        } else {
            let formats = command.reports.isEmpty ? [.text] : command.reports
            reports = formats.enumerated().map { index, format in
                (format, index < command.outputs.count ? command.outputs[index] : "-")
            }
        }
    }

    /// Which files to audit, each pattern list named by where it came from.
    func pathFilter() throws -> PathFilter {
        try PathFilter(include: include, exclude: exclude, includeOrigin: includeOrigin, excludeOrigin: excludeOrigin)
    }
}

extension CheckCommand {
    /// Expired waivers and waivers that matched nothing, on stderr: both want a person.
    func warnAboutWaivers(_ result: AuditResult) {
        guard let waivers = result.waivers, let file = result.config else { return }
        for entry in waivers.expired {
            printError("etcd-audit: warning: \(file): \(entry.label) expired on \(entry.expires ?? "?") and no longer applies"
                       + " (\(entry.findings) finding\(entry.findings == 1 ? "" : "s")): renew or remove it")
        }
        for entry in waivers.unmatched {
            printError("etcd-audit: warning: \(file): \(entry.label) matched no finding: remove it if the findings are gone")
        }
    }
}

extension WaiverSummary.Entry {
    /// `waivers[2] (rule X, resource Y, path Z)`, as the file's reader can find it.
    var label: String {
        var parts = ["rule \(rule)"]
        if let resource { parts.append("resource \(resource)") }
        if let path { parts.append("path \(path)") }
        return "waivers[\(index)]" + (line.map { " at line \($0)" } ?? "") + " (\(parts.joined(separator: ", ")))"
    }
}
