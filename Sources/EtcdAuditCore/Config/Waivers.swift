import Foundation
import Yams

/// A resource a waiver covers: `TYPE/ID` (or `TYPE:ID`), the type singular or plural,
/// both parts globs (as `--include` writes them): `port/23464cbc-…`, `ports/*`, `*/23464cbc-*`.
public struct ResourcePattern: Sendable, CustomStringConvertible {
    public let text: String
    let type: PathGlob
    let id: PathGlob

    public init(_ text: String) throws(PathGlob.Invalid) {
        guard let cut = text.firstIndex(of: "/") ?? text.firstIndex(of: ":"),
              cut != text.startIndex, text.index(after: cut) != text.endIndex else {
            throw PathGlob.Invalid(description: "must be TYPE/ID (globs allowed: port/*, */23464cbc-*), not \(text)")
        }
        self.text = text
        type = try PathGlob(String(text[..<cut]))
        id = try PathGlob(String(text[text.index(after: cut)...]))
    }

    public var description: String { text }

    public func matches(type singular: String, plural: String?, id resourceID: String) -> Bool {
        (type.matches(singular) || plural.map(type.matches) == true) && id.matches(resourceID)
    }
}

/// One entry of `waivers:`: findings of a rule on a resource (and, optionally, in some
/// files) that the team has accepted, with the reason why and, optionally, until when.
/// A waived finding stays in every report, marked, but no longer fails the run.
public struct Waiver: Sendable {
    /// Position in the file's list (0-based, as `waivers[N]` in messages).
    public var index: Int
    public var line: Int?
    /// A rule id, or a glob of them (`heat-outputs.*`).
    public var rule: PathGlob
    /// nil: every resource.
    public var resource: ResourcePattern?
    /// A path glob (`**/legacy/*.md`); a pattern without `/` matches the file name in any folder.
    public var path: PathGlob?
    public var reason: String
    /// `YYYY-MM-DD`: the last day the waiver applies (UTC).
    public var expires: String?

    static let fields = ["rule", "resource", "path", "reason", "expires"]

    /// Patterns use the globs of `--include`; a bad one throws.
    public init(index: Int = 0, rule: String, resource: String? = nil, path: String? = nil, reason: String,
                expires: String? = nil) throws(PathGlob.Invalid) {
        self.index = index
        self.rule = try PathGlob(rule)
        self.resource = try resource.map { text throws(PathGlob.Invalid) in try ResourcePattern(text) }
        self.path = try path.map { text throws(PathGlob.Invalid) in try PathGlob(text) }
        self.reason = reason
        self.expires = expires
    }

    init(_ node: Node, index: Int, reader: ConfigReader) throws(ConfigError) {
        let field = "waivers[\(index)]"
        let members = try reader.mapping(node, field: field, known: Self.fields)
        func text(_ name: String) throws(ConfigError) -> String? {
            guard let member = members.first(where: { $0.name == name }) else { return nil }
            let value = try reader.string(member.value, field: "\(field).\(name)")
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw reader.error(member.value, "\(field).\(name)", "must not be empty")
            }
            return value
        }
        func place(_ name: String) -> Node { members.first { $0.name == name }?.value ?? node }
        func glob(_ name: String, _ value: String) throws(ConfigError) -> PathGlob {
            do throws(PathGlob.Invalid) {
                return try PathGlob(value)
            } catch {
                throw reader.error(place(name), "\(field).\(name)", error.description)
            }
        }
        guard let rule = try text("rule") else {
            throw reader.error(node, "\(field).rule", "is required (a rule id or a glob such as heat-outputs.*; * for every rule)")
        }
        guard let reason = try text("reason") else {
            throw reader.error(node, "\(field).reason", "is required: say why these findings are accepted")
        }
        self.index = index
        self.rule = try glob("rule", rule)
        self.reason = reason
        path = try text("path").map { value throws(ConfigError) in try glob("path", value) }
        if let resource = try text("resource") {
            do throws(PathGlob.Invalid) {
                self.resource = try ResourcePattern(resource)
            } catch {
                throw reader.error(place("resource"), "\(field).resource", error.description)
            }
        }
        expires = try text("expires")
        if let expires, !Self.isDate(expires) {
            throw reader.error(place("expires"), "\(field).expires", "must be a date YYYY-MM-DD, not \(expires)")
        }
        line = node.mark?.line
    }

    /// Expired: its last day is before `today` (`YYYY-MM-DD`, UTC). It then applies no more.
    public func isExpired(today: String) -> Bool {
        expires.map { $0 < today } ?? false
    }

    /// Whether the waiver covers `finding`; `paths` are the finding's file as given and
    /// as seen from the configuration's folder.
    func matches(_ finding: Finding, plural: String?, paths: [String]) -> Bool {
        guard rule.matches(finding.rule) else { return false }
        if let resource, !resource.matches(type: finding.resourceType, plural: plural, id: finding.resourceID) {
            return false
        }
        guard let path else { return true }
        return paths.contains { path.matches(path.matchesNames ? ($0 as NSString).lastPathComponent : $0) }
    }

    /// How messages and reports name it: `waivers[2] (rule X, resource Y, path Z)`.
    public var label: String {
        var parts = ["rule \(rule)"]
        if let resource { parts.append("resource \(resource)") }
        if let path { parts.append("path \(path)") }
        return "waivers[\(index)] (\(parts.joined(separator: ", ")))"
    }

    /// Today's date in UTC, as waivers' `expires` is written.
    public static func today(_ now: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// `YYYY-MM-DD`, a day that exists.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month) else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }
}

/// What the waivers did, for the reports: how many findings they cover, and the waivers
/// to look at (expired ones, which no longer apply, and ones that matched nothing).
public struct WaiverSummary: Sendable, Codable, Equatable {
    public var applied: Int
    public var expired: [Entry]
    public var unmatched: [Entry]

    public struct Entry: Sendable, Codable, Equatable {
        public var index: Int
        public var line: Int?
        public var rule: String
        public var resource: String?
        public var path: String?
        public var reason: String
        public var expires: String?
        /// Findings the waiver matches (an expired one: would have matched).
        public var findings: Int

        init(_ waiver: Waiver, findings: Int) {
            index = waiver.index
            line = waiver.line
            rule = waiver.rule.pattern
            resource = waiver.resource?.text
            path = waiver.path?.pattern
            reason = waiver.reason
            expires = waiver.expires
            self.findings = findings
        }
    }
}

extension AuditConfig {
    /// Marks every finding a waiver covers (the first waiver that does, in the file's
    /// order) and records what the waivers did in `result.waivers`. Expired waivers mark
    /// nothing. `today` is `YYYY-MM-DD` (tests set it; the command gives today in UTC);
    /// `workingDirectory` turns the findings' relative paths into the configuration's view.
    public func applyWaivers(to result: inout AuditResult, today: String, workingDirectory: String) {
        var marker = WaiverMarker(config: self, today: today, workingDirectory: workingDirectory,
                                  resourceTypes: result.resourceTypes)
        for i in result.findings.indices { marker.mark(&result.findings[i]) }
        marker.finish(&result)
    }

    /// A finding's path as given (without `./`), and relative to the configuration's
    /// folder when it lies inside it: a waiver's `path` works from any working directory.
    fileprivate func viewsOfPath(_ given: String, workingDirectory: String) -> [String] {
        var path = given
        while path.hasPrefix("./") { path.removeFirst(2) }
        var views = [path]
        guard path != "-", !path.contains("://") else { return views }
        let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true))
            .standardizedFileURL.path
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        if absolute.hasPrefix(base) {
            let relative = String(absolute.dropFirst(base.count))
            if relative != path { views.append(relative) }
        }
        return views
    }
}

/// Marks findings as waived one at a time (the findings stream has never all of them at
/// once), counting what each waiver matched for the summary.
public struct WaiverMarker {
    private let config: AuditConfig
    private let today: String
    private let workingDirectory: String
    private let resourceTypes: [String: ResourceType]
    private var matched: [Int]
    private var pathsSeen: [String: [String]] = [:]
    private var applied = 0

    public init(config: AuditConfig, today: String, workingDirectory: String, resourceTypes: [String: ResourceType]) {
        self.config = config
        self.today = today
        self.workingDirectory = workingDirectory
        self.resourceTypes = resourceTypes
        matched = [Int](repeating: 0, count: config.waivers.count)
    }

    public mutating func mark(_ finding: inout Finding) {
        guard !config.waivers.isEmpty else { return }
        let plural = resourceTypes[finding.resourceType]?.plural
        let paths = pathsSeen[finding.location.path]
            ?? config.viewsOfPath(finding.location.path, workingDirectory: workingDirectory)
        pathsSeen[finding.location.path] = paths
        var marked = false
        for (w, waiver) in config.waivers.enumerated() where waiver.matches(finding, plural: plural, paths: paths) {
            matched[w] += 1
            if !marked && !waiver.isExpired(today: today) {
                finding.waiver = WaiverMark(reason: waiver.reason, expires: waiver.expires)
                marked = true
                applied += 1
            }
        }
    }

    /// What the waivers did, in `result.waivers` (and the configuration's path in `result.config`).
    public func finish(_ result: inout AuditResult) {
        result.config = config.path
        let waivers = config.waivers
        guard !waivers.isEmpty else { return }
        let expired = waivers.indices.filter { waivers[$0].isExpired(today: today) }
        let unmatched = waivers.indices.filter { !waivers[$0].isExpired(today: today) && matched[$0] == 0 }
        result.waivers = WaiverSummary(applied: applied,
                                       expired: expired.map { .init(waivers[$0], findings: matched[$0]) },
                                       unmatched: unmatched.map { .init(waivers[$0], findings: 0) })
    }
}
