/// `--report html`: one self-contained page (style and script inline, nothing fetched):
/// the summary with a chart of findings per rule and severity, the findings table (a
/// small script filters it; without scripts every row shows), and a section per resource
/// with findings: its records read again from the inputs (values pretty-printed, heat
/// outputs decoded), its findings and its write order. Resources without findings are
/// counted, not listed: a store can hold a hundred thousand. Every text from the store is
/// escaped; no timestamp, so the page is repeatable byte for byte.
struct HTMLReporter: Reporter {
    func render(_ result: AuditResult, options: ReportOptions) throws -> String {
        let findings = result.findings
        let refs = Array(Set(findings.map { ResourceRef(type: $0.resourceType, id: $0.resourceID) })).sorted()
        let anchors = Dictionary(uniqueKeysWithValues: refs.enumerated().map { ($0.element, "res-\($0.offset + 1)") })
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            + "<title>etcd-audit report</title>\n<style>\n\(HTML.style)\n</style>\n</head>\n<body>\n"
        out += "<h1>etcd-audit report</h1>\n<p class=\"muted\">etcd-audit \(HTML.escape(options.toolVersion))"
        if let config = result.config { out += " · configuration \(HTML.escape(config))" }
        if let redaction = options.redaction {
            out += " · values redacted (--redact\(redaction.scope == .ids ? " ids" : ""))"
        }
        out += "</p>\n"
        out += summary(result, resourcesWithFindings: refs.count)
        out += table(findings, anchors: anchors)
        out += HTMLResourceSections(result: result, options: options, refs: refs, anchors: anchors).render()
        out += "<script>\n\(HTML.script)\n</script>\n</body>\n</html>\n"
        return out
    }

    private func summary(_ result: AuditResult, resourcesWithFindings: Int) -> String {
        var bySeverity: [Severity: Int] = [:]
        var byRule: [String: [Severity: Int]] = [:]
        for finding in result.findings {
            bySeverity[finding.severity, default: 0] += 1
            byRule[finding.rule, default: [:]][finding.severity, default: 0] += 1
        }
        var out = "<section id=\"summary\">\n<h2>Summary</h2>\n<p class=\"counts\">"
        out += "<span><b>\(result.findings.count)</b> findings</span>"
        for severity in HTML.severities {
            out += "<span><span class=\"sev sev-\(severity.rawValue)\">\(severity.rawValue)</span> \(bySeverity[severity] ?? 0)</span>"
        }
        out += "<span><b>\(result.resources.count)</b> resources (\(resourcesWithFindings) with findings)</span>"
        out += "<span><b>\(result.recordsRead)</b> records</span>"
        if result.skippedKeys > 0 { out += "<span>\(result.skippedKeys) keys of no declared layout skipped</span>" }
        out += "</p>\n"
        if let waivers = result.waivers { out += "<p>\(waivers.applied) findings waived by the configuration.</p>\n" }
        if let baseline = result.baseline {
            out += "<p>Against the baseline \(HTML.escape(baseline.path)): \(baseline.new) new, \(baseline.existing) existing, "
                + "\(baseline.resolved.count) resolved.</p>\n"
        }
        out += "<h3>Findings per rule and severity</h3>\n" + HTML.ruleChart(byRule)
        out += "<h3>Inputs</h3>\n<table class=\"inputs\">\n<thead><tr><th>input</th><th>format</th><th>records</th>"
            + "<th>bytes</th><th>revision</th><th>problems</th></tr></thead>\n<tbody>\n"
        for input in result.inputs {
            out += "<tr><td><code>\(HTML.escape(input.path))</code></td><td>\(HTML.escape(input.format))</td>"
                + "<td>\(input.records)</td><td>\(input.bytes)</td><td>\(input.revision.map(String.init) ?? "")</td><td>"
            for problem in input.problems {
                out += "<div class=\"problem\">\(HTML.escape(problem.location.display)): \(HTML.escape(problem.message))</div>"
            }
            if let error = input.error { out += "<div class=\"problem\">input error: \(HTML.escape(error))</div>" }
            out += "</td></tr>\n"
        }
        out += "</tbody>\n</table>\n"
        if !result.skippedFiles.isEmpty {
            out += "<p>Skipped files:</p>\n<ul>\n"
            for file in result.skippedFiles {
                out += "<li><code>\(HTML.escape(file.path))</code>: \(HTML.escape(file.reason))</li>\n"
            }
            out += "</ul>\n"
        }
        return out + "</section>\n"
    }

    private func table(_ findings: [Finding], anchors: [ResourceRef: String]) -> String {
        var out = "<section id=\"findings\">\n<h2>Findings (\(findings.count))</h2>\n"
        out += "<form id=\"filters\" hidden>\n" + select("rule", Set(findings.map(\.rule)).sorted())
            + select("severity", HTML.severities.map(\.rawValue).filter { s in findings.contains { $0.severity.rawValue == s } })
            + select("type", Set(findings.map(\.resourceType)).sorted())
            + "<label>text <input name=\"q\" type=\"search\" placeholder=\"any text\"></label>\n"
            + "<span id=\"shown\" class=\"muted\"></span>\n</form>\n"
        out += "<table id=\"findings-table\" class=\"findings\">\n<thead><tr><th>severity</th><th>rule</th><th>type</th>"
            + "<th>resource</th><th>finding</th><th>where</th></tr></thead>\n<tbody>\n"
        for finding in findings {
            let ref = ResourceRef(type: finding.resourceType, id: finding.resourceID)
            out += "<tr data-rule=\"\(HTML.escape(finding.rule))\" data-severity=\"\(finding.severity.rawValue)\" "
                + "data-type=\"\(HTML.escape(finding.resourceType))\">"
                + "<td><span class=\"sev sev-\(finding.severity.rawValue)\">\(finding.severity.rawValue)</span></td>"
                + "<td>\(HTML.escape(finding.rule))</td><td>\(HTML.escape(finding.resourceType))</td>"
                + "<td><a href=\"#\(anchors[ref] ?? "")\"><code>\(HTML.escape(finding.resourceID))</code></a></td>"
                + "<td>\(Self.describe(finding))</td>"
                + "<td><code>\(HTML.escape(finding.location.display))</code><br><code>\(HTML.escape(finding.keys.first ?? ""))</code></td>"
                + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }

    private func select(_ name: String, _ values: [String]) -> String {
        var out = "<label>\(name) <select name=\"\(name)\"><option value=\"\">all</option>"
        for value in values { out += "<option>\(HTML.escape(value))</option>" }
        return out + "</select></label>\n"
    }

    /// A finding's message, the values it compared, and what waives or marks it (a value
    /// of megabytes shortened: the JSON report has it whole).
    static func describe(_ finding: Finding) -> String {
        var out = HTML.escape(ReportText.shortened(finding.message))
        if let expected = finding.expected {
            out += "<br><span class=\"muted\">expected</span> <code>\(HTML.escape(ReportText.shortened(expected)))</code>"
        }
        if let actual = finding.actual {
            out += "<br><span class=\"muted\">actual</span> <code>\(HTML.escape(ReportText.shortened(actual)))</code>"
        }
        if let waiver = finding.waiver {
            out += "<br><span class=\"muted\">waived: \(HTML.escape(waiver.reason))"
                + "\(waiver.expires.map { " (until \(HTML.escape($0)))" } ?? "")</span>"
        }
        if let baseline = finding.baseline { out += "<br><span class=\"muted\">baseline: \(baseline.rawValue)</span>" }
        return out
    }
}
