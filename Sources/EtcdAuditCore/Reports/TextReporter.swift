/// A summary for people: findings grouped by resource, then the totals. Colour only when
/// the caller says the output is a terminal.
struct TextReporter: Reporter {
    func render(_ result: AuditResult, options: ReportOptions) throws -> String {
        func paint(_ text: String, _ code: String) -> String {
            options.color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
        }
        func label(_ severity: Severity) -> String {
            switch severity {
            case .error: return paint("error  ", "31;1")
            case .warning: return paint("warning", "33;1")
            case .info: return paint("info   ", "36")
            }
        }
        var out = ""
        var current: ResourceRef?
        for finding in result.findings {
            let ref = ResourceRef(type: finding.resourceType, id: finding.resourceID)
            if ref != current {
                if current != nil { out += "\n" }
                out += paint("\(ref.type) \(ref.id)", "1") + "\n"
                current = ref
            }
            out += "  \(label(finding.severity)) \(finding.rule): \(finding.message)\n"
            if let waiver = finding.waiver {
                out += "          " + paint("waived", "2") + ": \(waiver.reason)" + (waiver.expires.map { " (until \($0))" } ?? "") + "\n"
            }
            out += "          at \(finding.location.display)  \(finding.keys.first ?? "")\n"
        }
        if !result.findings.isEmpty { out += "\n" }
        for input in result.inputs {
            var line = "\(input.path) (\(input.format)): \(input.records) records, \(input.bytes) bytes"
            if let revision = input.revision { line += ", revision \(revision)" }
            out += line + "\n"
            for problem in input.problems {
                out += "  " + paint("unreadable", "33") + " \(problem.location.display): \(problem.message)\n"
            }
            if let error = input.error { out += "  " + paint("input error", "31;1") + " \(error)\n" }
        }
        var counts: [Severity: Int] = [:]
        for finding in result.findings { counts[finding.severity, default: 0] += 1 }
        let bySeverity = Severity.allCases.reversed().map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        out += "\(result.resources.count) resources, \(result.recordsRead) records (\(result.skippedKeys) skipped keys): "
        out += "\(result.findings.count) findings (\(bySeverity))"
        let waived = result.findings.filter { $0.waiver != nil }.count
        out += waived > 0 ? ", \(waived) waived\n" : "\n"
        if let waivers = result.waivers, !waivers.expired.isEmpty || !waivers.unmatched.isEmpty {
            out += "waivers of \(result.config ?? "the configuration"): \(waivers.expired.count) expired, \(waivers.unmatched.count) matched nothing\n"
        }
        if let baseline = result.baseline {
            out += "baseline \(baseline.path): \(baseline.new) new, \(baseline.stillPresent) still present, \(baseline.resolved) resolved\n"
        }
        return out
    }
}
