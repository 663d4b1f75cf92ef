/// GitHub Actions workflow commands: one `::error`, `::warning` or `::notice` line per
/// finding, with `file` (relative to the working directory), `line`, `col` where known
/// and the rule id as `title`, escaped as the Actions runner unescapes them. A waived
/// finding keeps its severity's command (annotation counts match the report's severities,
/// as the conformance checker requires) with `(waived)` in its title and the waiver's
/// reason in its text; it no longer fails the run. Every line is a command (the runner and the conformance checker read each
/// one as such): the one-line `summary` goes to standard error instead. Findings below
/// `--show` (that do not fail the run) get no annotation; the summary counts them.
public struct GitHubReporter: Reporter {
    public func render(_ result: AuditResult, options: ReportOptions) throws -> String {
        let placement = CodeHostPlacement(workingDirectory: options.workingDirectory)
        var out = ""
        for finding in result.findings where options.shows(finding) {
            let location = finding.location
            var properties = ["file=" + Self.escapeProperty(placement.path(location.path)),
                              "line=\(CodeHostPlacement.line(location))"]
            if location.line != nil, let column = location.column { properties.append("col=\(column)") }
            properties.append("title=" + Self.escapeProperty(finding.rule + (finding.waiver == nil ? "" : " (waived)")))
            var message = CodeHostPlacement.headline(finding)
            let place = CodeHostPlacement.place(location, key: finding.keys.first)
            if !place.isEmpty { message += "\n" + place }
            out += "::\(Self.command(finding.severity)) \(properties.joined(separator: ","))::\(Self.escapeData(message))\n"
        }
        return out
    }

    static func command(_ severity: Severity) -> String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "notice"
        }
    }

    /// "etcd-audit: 5 findings (1 error, 4 warning, 0 info; 1 waived), 2 inputs, 0 input errors",
    /// and ", 3 not shown (below --show warning)" when `--show` hid some.
    public static func summary(_ result: AuditResult, options: ReportOptions = ReportOptions()) -> String {
        var counts: [Severity: Int] = [:]
        for finding in result.findings { counts[finding.severity, default: 0] += 1 }
        let bySeverity = Severity.allCases.reversed().map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        let waived = result.findings.filter { $0.waiver != nil }.count
        let errors = result.inputs.filter { $0.error != nil }.count
        let hidden = result.findings.filter { !options.shows($0) }.count
        return "etcd-audit: \(ReportText.counted(result.findings.count, "finding")) (\(bySeverity); \(waived) waived), "
            + "\(ReportText.counted(result.inputs.count, "input")), \(ReportText.counted(errors, "input error"))"
            + (hidden > 0 ? ", \(hidden) not shown (below --show \(options.show.rawValue))" : "")
    }

    /// The message after `::`: the runner turns `%25`, `%0D` and `%0A` back (the
    /// actions toolkit's `escapeData`); `%` first, so the others stay as written.
    static func escapeData(_ text: String) -> String {
        ReportText.clean(text).replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A property value: as the message, and `:` and `,`, which would end the property
    /// list or the value (the toolkit's `escapeProperty`).
    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
