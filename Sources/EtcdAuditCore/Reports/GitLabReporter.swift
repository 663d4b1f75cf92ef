import Foundation

/// GitLab Code Quality: a JSON array of Code Climate issues, of which GitLab reads
/// `description`, `check_name`, `fingerprint`, `severity`, `location.path` (relative to
/// the repository) and `location.lines.begin`. Fingerprints do not move with lines and
/// are unique (GitLab keeps one issue per fingerprint). Severities: error is `major`,
/// warning `minor`, info `info`; a waived finding is `info`, and its description says
/// why. Keys, values and the other records compared go in `content.body` (markdown) and
/// `trace`, as the Code Climate spec defines them.
struct GitLabReporter: Reporter {
    struct Issue: Encodable {
        var type = "issue"
        var checkName: String
        /// One line (the Code Climate spec forbids newlines here).
        var description: String
        var content: Content
        var categories = ["Bug Risk"]
        var location: Location
        var trace: Trace?
        var severity: String
        var fingerprint: String

        enum CodingKeys: String, CodingKey {
            case type, description, content, categories, location, trace, severity, fingerprint
            case checkName = "check_name"
        }
    }

    struct Content: Encodable {
        var body: String
    }

    struct Location: Encodable {
        var path: String
        var lines: Lines
    }

    struct Lines: Encodable {
        var begin: Int
        var end: Int
    }

    struct Trace: Encodable {
        var locations: [Location]
    }

    func render(_ result: AuditResult, options: ReportOptions) throws -> String {
        let placement = CodeHostPlacement(workingDirectory: options.workingDirectory)
        func location(_ source: SourceLocation) -> Location {
            let line = CodeHostPlacement.line(source)
            return Location(path: placement.path(source.path), lines: Lines(begin: line, end: line))
        }
        let fingerprints = CodeHostPlacement.uniqueFingerprints(result.findings)
        let issues = zip(result.findings, fingerprints).map { finding, fingerprint in
            Issue(checkName: finding.rule,
                  description: CodeHostPlacement.headline(finding).split(whereSeparator: \.isNewline).joined(separator: " "),
                  content: Content(body: Self.body(finding)), location: location(finding.location),
                  trace: finding.related.isEmpty ? nil : Trace(locations: finding.related.map { location($0.location) }),
                  severity: finding.waiver == nil ? Self.severity(finding.severity) : "info",
                  fingerprint: fingerprint)
        }
        return try PrettyJSONEncoder.document(issues) + "\n"
    }

    static func severity(_ severity: Severity) -> String {
        switch severity {
        case .error: return "major"
        case .warning: return "minor"
        case .info: return "info"
        }
    }

    /// The details GitLab shows when the issue is opened.
    private static func body(_ finding: Finding) -> String {
        var lines = ["**\(finding.rule)** (\(finding.severity.rawValue)) on \(finding.resourceType) \(finding.resourceID)", ""]
        let place = CodeHostPlacement.place(finding.location, key: finding.keys.first)
        if !place.isEmpty { lines.append("- at: \(place)") }
        for other in finding.related {
            lines.append("- compared with: " + CodeHostPlacement.place(other.location, key: other.key)
                         + (other.location.line.map { " (line \($0))" } ?? ""))
        }
        if let expected = finding.expected { lines.append("- expected: \(expected)") }
        if let actual = finding.actual { lines.append("- actual: \(actual)") }
        if let note = CodeHostPlacement.waiverNote(finding) { lines.append("- \(note)") }
        return lines.joined(separator: "\n")
    }
}
