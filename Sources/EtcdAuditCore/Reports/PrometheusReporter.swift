import Foundation

/// Prometheus text exposition format (0.0.4), for node_exporter's textfile collector: every
/// metric with HELP and TYPE, gauges only, no timestamps on samples (the collector rejects
/// them). Series that could be absent are zero-filled (every rule of the catalog in use,
/// every resource type of the layouts), so a graph drops to 0 instead of losing its line.
/// `etcd_audit_last_run_timestamp_seconds` (the run's completion time) is the only
/// timestamp in any report: the others stay repeatable byte for byte.
struct PrometheusReporter: Reporter {
    func render(_ result: AuditResult, options: ReportOptions) throws -> String {
        var out = Exposition()

        // Findings by rule at the rule's severity; a finding of a rule not in `result.rules`
        // (none today) or at another severity still gets its own series.
        var byRule: [RuleSeverity: Int] = [:]
        for rule in result.rules { byRule[RuleSeverity(rule: rule.id, severity: rule.severity), default: 0] += 0 }
        for finding in result.findings { byRule[RuleSeverity(rule: finding.rule, severity: finding.severity), default: 0] += 1 }
        out.metric("etcd_audit_findings", help: "Findings of the audit by rule and severity, waived ones included (0 for every rule that ran and found nothing).",
                   samples: byRule.sorted { ($0.key.rule, $0.key.severity.rawValue) < ($1.key.rule, $1.key.severity.rawValue) }
                       .map { (["rule": $0.key.rule, "severity": $0.key.severity.rawValue], Double($0.value)) })
        out.metric("etcd_audit_findings_waived", help: "Findings covered by a waiver of the configuration (reported, but they do not fail the run).",
                   value: Double(result.findings.filter { $0.waiver != nil }.count))
        if let baseline = result.baseline {
            // Only with --baseline: without one there is nothing to be new against.
            out.metric("etcd_audit_baseline_findings",
                       help: "Findings compared with the --baseline report: new (not in it), existing (in it and still present), resolved (in it, gone now), not_checked (in it, but its input was not read whole tonight).",
                       samples: [(["status": "new"], Double(baseline.new)),
                                 (["status": "existing"], Double(baseline.existing)),
                                 (["status": "resolved"], Double(baseline.resolved.count)),
                                 (["status": "not_checked"], Double(baseline.notChecked.count))])
        }

        var byType: [String: Int] = [:]
        for type in result.resourceTypes.keys { byType[type] = 0 }
        for resource in result.resources { byType[resource.type, default: 0] += 1 }
        out.metric("etcd_audit_resources", help: "Resources audited by type (0 for every type of the layouts with none).",
                   samples: byType.sorted { $0.key < $1.key }.map { (["type": $0.key], Double($0.value)) })
        out.metric("etcd_audit_records", help: "Records (keys) read from the inputs.", value: Double(result.recordsRead))
        out.metric("etcd_audit_skipped_keys", help: "Keys read that belong to no resource type of the layouts.",
                   value: Double(result.skippedKeys))
        out.metric("etcd_audit_inputs", help: "Inputs audited (files, standard input, a live etcd).", value: Double(result.inputs.count))
        out.metric("etcd_audit_input_errors", help: "Inputs that could not be read to their end (the exit status is then 2).",
                   value: Double(result.inputs.filter { $0.error != nil }.count))
        out.metric("etcd_audit_unreadable_parts", help: "Parts of inputs that could not be read as records (the rest was).",
                   value: Double(result.inputs.reduce(0) { $0 + $1.problems.count }))
        if let revision = result.inputs.compactMap(\.revision).max() {
            out.metric("etcd_audit_store_revision", help: "The etcd revision of the store audited (the highest of the inputs that tell it).",
                       value: Double(revision))
        }
        if let elapsed = result.elapsedSeconds {
            out.metric("etcd_audit_run_duration_seconds", help: "How long the audit took, from reading the inputs to writing the reports.", value: elapsed)
        }
        out.metric("etcd_audit_last_run_timestamp_seconds",
                   help: "When the audit completed, in seconds since the Unix epoch (the only timestamp etcd-audit writes in a report).",
                   value: (options.completedAt.timeIntervalSince1970 * 1000).rounded() / 1000)
        return out.text
    }

    private struct RuleSeverity: Hashable {
        var rule: String
        var severity: Severity
    }

    /// Builds the document: HELP and TYPE before each metric's samples.
    private struct Exposition {
        var text = ""

        mutating func metric(_ name: String, help: String, value: Double) {
            metric(name, help: help, samples: [([:], value)])
        }

        mutating func metric(_ name: String, help: String, samples: [([String: String], Double)]) {
            text += "# HELP \(name) \(PrometheusReporter.escapeHelp(help))\n# TYPE \(name) gauge\n"
            for (labels, value) in samples {
                let labelText = labels.sorted { $0.key < $1.key }
                    .map { "\($0.key)=\"\(PrometheusReporter.escapeLabel($0.value))\"" }.joined(separator: ",")
                text += name + (labelText.isEmpty ? "" : "{\(labelText)}") + " " + PrometheusReporter.number(value) + "\n"
            }
        }
    }

    /// Label values: backslash, double quote and line feed escaped, as the format requires.
    static func escapeLabel(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// HELP text: backslash and line feed escaped (quotes stay as they are there).
    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Whole numbers without a fraction, others with at most three decimals and never in
    /// exponent form, so the file reads plainly.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
