import Foundation
import Yams

/// `never` or a severity: the lowest severity that fails the run (`--fail-on`, `fail_on`).
public enum FailOn: String, CaseIterable, Sendable {
    case error, warning, info, never

    public var severity: Severity? { Severity(rawValue: rawValue) }
}

/// One report a repository's gate always writes, when the command line asks for none.
public struct ReportDefault: Sendable, Equatable {
    public var format: ReportFormat
    /// nil: standard output.
    public var output: String?

    public init(format: ReportFormat, output: String? = nil) {
        self.format = format
        self.output = output
    }
}

/// A configuration file that cannot be used: names the file, the line and the field.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, field: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var place = line.map { "\(file):\($0)" } ?? file
        if let field { place += ": field \(field)" }
        return "\(place): \(message)"
    }
}

/// `.etcd-audit.yaml`: what a repository's gate always passes to `check`. Every field is
/// optional; an option given on the command line wins over the file's value (lists are
/// replaced, not merged; `severity` is merged rule by rule).
public struct AuditConfig: Sendable {
    public static let fileName = ".etcd-audit.yaml"

    /// The file as reports and messages name it (relative to the working directory when
    /// it was found by looking up from there).
    public var path: String
    /// The folder relative paths in the file (`rules`, `reports[].output`) start from.
    public var directory: String
    /// Rule folders, resolved against `directory`.
    public var rules: [String]?
    public var only: [String]?
    public var skip: [String]?
    /// `RULE=LEVEL`, in the file's order (as `--severity` takes them).
    public var severities: [String] = []
    /// The line each rule id of `only`, `skip` and `severity` stands on (by field and id):
    /// a typo's error names it.
    private var ruleIDLines: [String: Int] = [:]
    public var failOn: FailOn?
    /// As `--show`: the lowest severity the text, GitHub and JUnit reports list.
    public var show: Severity?
    public var perFile: Bool?
    public var include: [String]?
    public var exclude: [String]?
    /// Output paths resolved against `directory`.
    public var reports: [ReportDefault]?
    public var waivers: [Waiver] = []

    static let fields = ["rules", "only", "skip", "severity", "fail_on", "show", "per_file", "include", "exclude",
                         "reports", "waivers"]

    public init(path: String, directory: String) {
        self.path = path
        self.directory = directory
    }

    /// The file to use when none is named: `.etcd-audit.yaml` in `workingDirectory` or
    /// the nearest folder above it, named relative to `workingDirectory`
    /// (`.etcd-audit.yaml`, `../../.etcd-audit.yaml`) so reports do not depend on where
    /// the checkout lives. nil when there is none up to the filesystem root.
    public static func discover(from workingDirectory: String) -> String? {
        var folder = URL(fileURLWithPath: workingDirectory).standardizedFileURL
        var ups = 0
        while true {
            let candidate = folder.appendingPathComponent(fileName).path
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder), !isFolder.boolValue {
                return String(repeating: "../", count: ups) + fileName
            }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { return nil }
            folder = parent
            ups += 1
        }
    }

    /// Reads the file at `path` (relative paths start from `workingDirectory`).
    public static func load(path: String, workingDirectory: String) throws(ConfigError) -> AuditConfig {
        let absolute = path.hasPrefix("/") ? path : (workingDirectory as NSString).appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: absolute) else {
            throw ConfigError(file: path, "cannot be read (give an existing file to --config, or --no-config)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ConfigError(file: path, "is not UTF-8 text") }
        let directory = (URL(fileURLWithPath: absolute).standardizedFileURL.deletingLastPathComponent().path)
        return try parse(text, path: path, directory: directory)
    }

    /// Reads the configuration in `text`; `path` names it in errors and reports.
    public static func parse(_ text: String, path: String, directory: String) throws(ConfigError) -> AuditConfig {
        var config = AuditConfig(path: path, directory: directory)
        let root: Node?
        do {
            root = try composeYAML(text)
        } catch {
            throw ConfigError(file: path, "is not valid YAML: \(error)")
        }
        guard let root else { return config }  // an empty file: every default
        let reader = ConfigReader(file: path)
        for (name, value) in try reader.mapping(root, field: nil, known: fields) {
            switch name {
            case "rules": config.rules = try reader.strings(value, field: name).map { config.resolve($0) }
            case "only", "skip":
                let ids = try reader.strings(value, field: name)
                if name == "only" { config.only = ids } else { config.skip = ids }
                for (id, node) in zip(ids, value.sequence.map(Array.init) ?? [value]) {
                    config.ruleIDLines[name + "\u{0}" + id] = node.mark?.line
                }
            case "severity":
                guard let map = value.mapping else { throw reader.error(value, name, "must map rule ids to error, warning or info") }
                for (ruleNode, levelNode) in map {
                    let rule = ruleNode.string ?? ""
                    guard let level = levelNode.string, Severity(rawValue: level) != nil else {
                        throw reader.error(levelNode, "severity.\(rule)", "must be error, warning or info")
                    }
                    config.severities.append("\(rule)=\(level)")
                    config.ruleIDLines["severity\u{0}" + rule] = ruleNode.mark?.line
                }
            case "fail_on":
                guard let failOn = value.string.flatMap(FailOn.init(rawValue:)) else {
                    throw reader.error(value, name, "must be error, warning, info or never")
                }
                config.failOn = failOn
            case "show":
                guard let show = value.string.flatMap(Severity.init(rawValue:)) else {
                    throw reader.error(value, name, "must be error, warning or info")
                }
                config.show = show
            case "per_file": config.perFile = try reader.bool(value, field: name)
            case "include": config.include = try reader.globs(value, field: name)
            case "exclude": config.exclude = try reader.globs(value, field: name)
            case "reports": config.reports = try loadReports(value, reader: reader, config: config)
            case "waivers":
                guard let list = value.sequence else { throw reader.error(value, name, "must be a list of waivers") }
                config.waivers = try list.enumerated().map { index, item throws(ConfigError) in
                    try Waiver(item, index: index, reader: reader)
                }
            default: break  // `mapping` refused unknown fields
            }
        }
        return config
    }

    private static func loadReports(_ value: Node, reader: ConfigReader, config: AuditConfig) throws(ConfigError) -> [ReportDefault] {
        guard let list = value.sequence else { throw reader.error(value, "reports", "must be a list of {format, output}") }
        var reports: [ReportDefault] = []
        for (index, item) in list.enumerated() {
            let field = "reports[\(index)]"
            let members = try reader.mapping(item, field: field, known: ["format", "output"])
            guard let formatNode = members.first(where: { $0.name == "format" })?.value else {
                throw reader.error(item, "\(field).format", "is required")
            }
            guard let format = formatNode.string.flatMap(ReportFormat.init(rawValue:)) else {
                throw reader.error(formatNode, "\(field).format",
                                   "unknown report format (known: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let output = try members.first(where: { $0.name == "output" }).map { member throws(ConfigError) in
                try reader.string(member.value, field: "\(field).output")
            }
            reports.append(ReportDefault(format: format, output: output.map { $0 == "-" ? $0 : config.resolve($0) }))
        }
        if reports.filter({ $0.output == nil || $0.output == "-" }).count > 1 {
            throw reader.error(value, "reports", "only one report can go to standard output: give the others an output")
        }
        return reports
    }

    /// A path of the file, made absolute against the file's folder.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL.path
    }

    /// Checks the rule ids the file names (`only`, `skip`, `severity`) against the
    /// catalog, so a typo stops the run naming the file rather than passing silently.
    public func checkRuleIDs(known: Set<String>) throws(ConfigError) {
        for (field, ids) in [("only", only ?? []), ("skip", skip ?? [])] {
            for id in ids where !known.contains(id) {
                throw ConfigError(file: path, line: ruleIDLines[field + "\u{0}" + id], field: field,
                                  "no such rule \(id) (see `etcd-audit rules`)")
            }
        }
        for item in severities {
            let id = String(item.prefix { $0 != "=" })
            if !known.contains(id) {
                throw ConfigError(file: path, line: ruleIDLines["severity\u{0}" + id], field: "severity.\(id)",
                                  "no such rule (see `etcd-audit rules`)")
            }
        }
    }
}

/// Typed reading of YAML nodes; every error names the file, the node's line and the field.
struct ConfigReader {
    let file: String

    func error(_ node: Node, _ field: String?, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark.map { $0.line }, field: field, message)
    }

    /// The members of a mapping, in order; a member outside `known` is an error.
    func mapping(_ node: Node, field: String?, known: [String]) throws(ConfigError) -> [(name: String, value: Node)] {
        guard let map = node.mapping else {
            throw error(node, field, field == nil ? "must be a mapping at the top level" : "must be a mapping")
        }
        return try map.map { key, value throws(ConfigError) in
            let name = key.string ?? ""
            let path = field.map { "\($0).\(name)" } ?? name
            guard known.contains(name) else {
                throw error(key, path, "unknown field (known: \(known.joined(separator: ", ")))")
            }
            return (name, value)
        }
    }

    func string(_ node: Node, field: String) throws(ConfigError) -> String {
        guard node.scalar != nil, let text = node.string else { throw error(node, field, "must be text") }
        return text
    }

    /// A list of texts; one text alone is a list of one.
    func strings(_ node: Node, field: String) throws(ConfigError) -> [String] {
        if node.scalar != nil { return [try string(node, field: field)] }
        guard let list = node.sequence else { throw error(node, field, "must be a list of texts") }
        return try list.enumerated().map { index, item throws(ConfigError) in try string(item, field: "\(field)[\(index)]") }
    }

    /// Path patterns, checked as `--include` checks them.
    func globs(_ node: Node, field: String) throws(ConfigError) -> [String] {
        let patterns = try strings(node, field: field)
        for pattern in patterns {
            do {
                _ = try PathGlob(pattern)
            } catch {
                throw self.error(node, field, error.description)
            }
        }
        return patterns
    }

    func bool(_ node: Node, field: String) throws(ConfigError) -> Bool {
        guard let flag = node.bool else { throw error(node, field, "must be true or false") }
        return flag
    }
}
