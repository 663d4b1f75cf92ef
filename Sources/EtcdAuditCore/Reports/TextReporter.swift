/// A summary for people: findings grouped by resource, then the inputs and the totals;
/// with `--per-file`, the same for each file in turn under a `== path` heading. Colour only
/// when the caller says the output is a terminal. Findings below `--show` (that do not fail
/// the run) are not listed but counted, in the totals and in the table of findings per rule
/// the report ends with.
struct TextReporter: Reporter {
    func render(_ result: AuditResult, options: ReportOptions) throws -> String {
        let style = Style(color: options.color)
        var out = ""
        if let files = result.files {
            let byFile = result.findingsByFile()
            for file in files {
                let findings = byFile[file.path] ?? []
                out += style.paint("== \(file.path)", "1") + "\n"
                out += Self.findings(findings.filter(options.shows), style)
                out += Self.inputs(result.inputs.filter { $0.path == file.path }, style)
                out += Self.totals(resources: file.resources.count, records: file.recordsRead,
                                   skippedKeys: file.skippedKeys, findings: findings, options: options) + "\n"
            }
            // Inputs that are no file's store: a directory that gave no file to audit.
            let paths = Set(files.map(\.path))
            out += Self.inputs(result.inputs.filter { !paths.contains($0.path) }, style)
        } else {
            out += Self.findings(result.findings.filter(options.shows), style)
            out += Self.inputs(result.inputs, style)
        }
        for skipped in result.skippedFiles {
            out += style.paint("skipped", "33") + " \(skipped.path): \(skipped.reason)\n"
        }
        if let files = result.files { out += ReportText.counted(files.count, "file") + " audited one by one; in all: " }
        out += Self.totals(resources: result.resources.count, records: result.recordsRead,
                           skippedKeys: result.skippedKeys, findings: result.findings, options: options)
        if let waivers = result.waivers, !waivers.expired.isEmpty || !waivers.unmatched.isEmpty {
            out += "waivers of \(result.config ?? "the configuration"): \(waivers.expired.count) expired, "
                + "\(waivers.unmatched.count) matched nothing\n"
        }
        if let baseline = result.baseline {
            out += "baseline \(baseline.path): \(baseline.new) new, \(baseline.existing) existing, "
                + "\(baseline.resolved.count) resolved, \(baseline.notChecked.count) not checked"
                + (baseline.notChecked.isEmpty ? "\n" : " (an input could not be read)\n")
        }
        out += Self.ruleTable(result, options: options)
        return out
    }

    /// Findings per rule that found any, most first (then by rule id): what a long list of
    /// one rule's infos would otherwise bury, and what `--show` left out of the list.
    static func ruleTable(_ result: AuditResult, options: ReportOptions) -> String {
        struct Row { var rule: String; var severity: Severity; var count = 0; var shown = 0 }
        var rows: [String: Row] = [:]
        for finding in result.findings {
            let key = finding.rule + " " + finding.severity.rawValue
            rows[key, default: Row(rule: finding.rule, severity: finding.severity)].count += 1
            if options.shows(finding) { rows[key]!.shown += 1 }
        }
        guard !rows.isEmpty else { return "" }
        let sorted = rows.values.sorted { ($1.count, $0.rule) < ($0.count, $1.rule) }
        let table = [["rule", "severity", "findings", "shown", "hidden"]]
            + sorted.map { [$0.rule, $0.severity.rawValue, "\($0.count)", "\($0.shown)", "\($0.count - $0.shown)"] }
        let widths = (0..<5).map { column in table.map { $0[column].count }.max() ?? 0 }
        var out = "\nfindings per rule:\n"
        for row in table {
            // Names left-aligned, counts right-aligned.
            let cells = row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column < 2 ? cell + pad : pad + cell
            }
            out += "  " + cells.joined(separator: "  ") + "\n"
        }
        return out
    }

    private struct Style {
        var color: Bool

        func paint(_ text: String, _ code: String) -> String {
            color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
        }

        func label(_ severity: Severity) -> String {
            switch severity {
            case .error: return paint("error  ", "31;1")
            case .warning: return paint("warning", "33;1")
            case .info: return paint("info   ", "36")
            }
        }
    }

    /// Findings grouped by resource, in the order given, and a blank line after them.
    private static func findings(_ findings: [Finding], _ style: Style) -> String {
        var out = ""
        var current: ResourceRef?
        for finding in findings {
            let ref = ResourceRef(type: finding.resourceType, id: finding.resourceID)
            if ref != current {
                if current != nil { out += "\n" }
                out += style.paint("\(ref.type) \(ref.id)", "1") + "\n"
                current = ref
            }
            // With a baseline, what tonight brings stands out from what was already there.
            let mark = finding.baseline.map { $0 == .new ? style.paint("new ", "1") : "existing " } ?? ""
            out += "  \(style.label(finding.severity)) \(mark)\(finding.rule): \(ReportText.shortened(finding.message))\n"
            if let waiver = finding.waiver {
                let until = waiver.expires.map { " (until \($0))" } ?? ""
                out += "          " + style.paint("waived", "2") + ": \(waiver.reason)\(until)\n"
            }
            out += "          at \(finding.location.display)  \(finding.keys.first ?? "")\n"
            // The other records the finding compares, so a reader sees both sides.
            for other in finding.related {
                out += "          vs \(other.location.display)  \(other.key)\n"
            }
        }
        if !findings.isEmpty { out += "\n" }
        return out
    }

    private static func inputs(_ inputs: [InputSummary], _ style: Style) -> String {
        var out = ""
        for input in inputs {
            var line = "\(input.path) (\(input.format)): \(ReportText.counted(input.records, "record")), "
                + ReportText.counted(input.bytes, "byte")
            if let revision = input.revision { line += ", revision \(revision)" }
            out += line + "\n"
            for problem in input.problems {
                out += "  " + style.paint("unreadable", "33") + " \(problem.location.display): \(problem.message)\n"
            }
            if let error = input.error { out += "  " + style.paint("input error", "31;1") + " \(error)\n" }
        }
        return out
    }

    private static func totals(resources: Int, records: Int, skippedKeys: Int, findings: [Finding],
                               options: ReportOptions) -> String {
        var counts: [Severity: Int] = [:]
        for finding in findings { counts[finding.severity, default: 0] += 1 }
        let bySeverity = Severity.allCases.reversed().map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        let waived = findings.filter { $0.waiver != nil }.count
        let hidden = findings.filter { !options.shows($0) }.count
        return "\(ReportText.counted(resources, "resource")), \(ReportText.counted(records, "record")) "
            + "(\(ReportText.counted(skippedKeys, "skipped key"))): \(ReportText.counted(findings.count, "finding")) (\(bySeverity))" + (waived > 0 ? ", \(waived) waived" : "")
            + (hidden > 0 ? ", \(hidden) not shown (below --show \(options.show.rawValue))" : "") + "\n"
    }
}
