/// The HTML report's sections for the resources with findings: each one's records (read
/// again from the inputs, see `FindingRecords`), its findings and its write order.
struct HTMLResourceSections {
    let result: AuditResult
    let options: ReportOptions
    let refs: [ResourceRef]
    let anchors: [ResourceRef: String]

    func render() -> String {
        var out = "<section id=\"resources\">\n<h2>Resources with findings (\(refs.count))</h2>\n"
        let clean = max(0, result.resources.count - refs.count)
        out += "<p class=\"muted\">\(clean) resource\(clean == 1 ? "" : "s") without findings \(clean == 1 ? "is" : "are") not listed.</p>\n"
        let redaction = options.redaction
        let records: FindingRecords?
        if let layouts = options.layouts {
            records = FindingRecords(inputs: result.inputs, directory: options.workingDirectory, layouts: layouts,
                                     wanted: Set(refs),
                                     idOf: redaction?.scope == .ids ? { Redaction.digest($0, tag: "id") } : { $0 })
        } else {
            records = nil
        }
        if let redaction {
            out += "<p class=\"muted\">--redact: every string and number of the records' values is shown as its digest "
                + "(the digests the findings use); member names stay\(redaction.scope == .ids ? "; resource ids in keys are digests" : "").</p>\n"
        }
        for (path, reason) in records?.unreadable ?? [] {
            out += "<p class=\"muted\">Records of <code>\(HTML.escape(path))</code> are not shown: \(HTML.escape(reason)).</p>\n"
        }
        if let omitted = records?.valuesOmitted, omitted > 0 {
            out += "<p class=\"muted\">\(omitted) values are not shown: the page keeps at most "
                + "\(FindingRecords.totalLimit / 1024 / 1024) MiB of values.</p>\n"
        }
        let findings = Dictionary(grouping: result.findings) { ResourceRef(type: $0.resourceType, id: $0.resourceID) }
        for ref in refs {
            out += section(ref, findings: findings[ref] ?? [], records: records?.records[ref] ?? [],
                           recordsKnown: records != nil)
        }
        return out + "</section>\n"
    }

    private func section(_ ref: ResourceRef, findings: [Finding], records: [FindingRecords.Record], recordsKnown: Bool) -> String {
        var out = "<section class=\"resource\" id=\"\(anchors[ref] ?? "")\">\n"
        out += "<h3>\(HTML.escape(ref.type)) <code>\(HTML.escape(ref.id))</code></h3>\n"
        out += "<p class=\"muted\">\(findings.count) finding\(findings.count == 1 ? "" : "s"), \(records.count) record\(records.count == 1 ? "" : "s") shown</p>\n"
        out += "<h4>Findings</h4>\n<ul>\n"
        for finding in findings {
            out += "<li><span class=\"sev sev-\(finding.severity.rawValue)\">\(finding.severity.rawValue)</span> "
                + "<b>\(HTML.escape(finding.rule))</b>: \(HTMLReporter.describe(finding))"
                + "<br><span class=\"muted\">at</span> <code>\(HTML.escape(finding.location.display))</code>"
                + "\(finding.location.pointer.map { " <code>\(HTML.escape($0))</code>" } ?? "")</li>\n"
        }
        out += "</ul>\n<h4>Records</h4>\n"
        if records.isEmpty {
            out += recordsKnown ? "<p class=\"muted\">No record of it could be read again.</p>\n"
                : "<p class=\"muted\">Records are not shown (no layouts given to the report).</p>\n"
        }
        for record in records { out += self.record(record) }
        out += "<h4>Write order (by mod_revision)</h4>\n"
        let steps = ResourceExplanation.writeOrder(records.map { record in
            (kind: record.kind, meta: RecordMeta(key: record.key, location: record.location,
                                                 createRevision: record.createRevision, modRevision: record.modRevision))
        })
        if steps.isEmpty {
            out += "<p class=\"muted\">No record has a mod_revision (the inputs carry no revisions).</p>\n"
        } else {
            let raw = Dictionary(records.map { ($0.key, $0.rawID) }, uniquingKeysWith: { a, _ in a })
            out += "<ol class=\"writes\">\n"
            for step in steps {
                out += "<li><code>\(step.modRevision)</code> \(step.kind.rawValue) <code>\(HTML.escape(key(step.key, rawID: raw[step.key])))</code>"
                if !step.after.isEmpty { out += " <span class=\"muted\">(after \(step.after.map(\.rawValue).joined(separator: ", ")))</span>" }
                out += "</li>\n"
            }
            out += "</ol>\n"
        }
        return out + "</section>\n"
    }

    /// A key as the page shows it: with `--redact ids`, its id parts as digests.
    private func key(_ key: String, rawID: String?) -> String {
        guard let redaction = options.redaction, redaction.scope == .ids, let rawID else { return key }
        return redaction.redactKey(key, ids: [ExactText(rawID)])
    }

    private func record(_ record: FindingRecords.Record) -> String {
        var out = "<div class=\"record\">\n<p><b>\(record.kind.rawValue)</b> <code>\(HTML.escape(key(record.key, rawID: record.rawID)))</code><br>"
        out += "<span class=\"muted\">read at</span> <code>\(HTML.escape(record.location.display))</code>"
        if record.createRevision != nil || record.modRevision != nil {
            out += " · create_revision \(record.createRevision.map(String.init) ?? "?")"
                + " · mod_revision \(record.modRevision.map(String.init) ?? "?")"
        }
        out += "</p>\n"
        if let error = record.valueError { out += "<p class=\"problem\">\(HTML.escape(error))</p>\n" }
        guard let bytes = record.value else {
            return out + "<p class=\"muted\">Value not shown (the page's limit for values was reached).</p>\n</div>\n"
        }
        if let whole = record.truncatedFrom {
            out += "<p class=\"muted\">The value has \(whole) bytes: only the first \(bytes.count) are shown.</p>\n"
        }
        let redaction = options.redaction
        switch JSONDocument.parse(bytes, { $0.value }) {
        case .success(let parsed):
            let value = parsed.value
            out += "<pre>\(HTML.escape((redaction.map { $0.redact(value: value) } ?? value).prettyText))</pre>\n"
            if let outputs = RecordDetail.heatOutputs(of: record.kind, value) { out += heatOutputs(outputs) }
        case .failure(let error):
            var message = "\(error.message) (line \(error.line), column \(error.column))"
            var text = String(decoding: bytes, as: UTF8.self)
            if let redaction {
                message = Redaction.redactJanssonExcerpts(message)
                text = redaction.redact(value: .string(text)).stringValue ?? ""
            }
            out += "<p class=\"problem\">Not valid JSON: \(HTML.escape(message)). Its text:</p>\n<pre>\(HTML.escape(text))</pre>\n"
        }
        return out + "</div>\n"
    }

    private func heatOutputs(_ outputs: RecordDetail.HeatOutputs) -> String {
        var out = "<p><code>\(HTML.escape(outputs.path.description))</code>\(outputs.encoded ? ", decoded from its string" : "")"
        if let error = outputs.error {
            return out + ": <span class=\"problem\">not a list of outputs: \(HTML.escape(error))</span></p>\n"
        }
        out += ": \(outputs.outputs.count) output\(outputs.outputs.count == 1 ? "" : "s")</p>\n"
        guard !outputs.outputs.isEmpty else { return out }
        out += "<table class=\"outputs\">\n<thead><tr><th>output_key</th><th>output_value</th></tr></thead>\n<tbody>\n"
        for output in outputs.outputs {
            // Output keys are the store's too (the catalog's own stay, as in findings).
            let key = options.redaction.flatMap { $0.redact(value: .string(output.key)).stringValue } ?? output.key
            let value = options.redaction.map { $0.redact(value: output.value) } ?? output.value
            out += "<tr><td><code>\(HTML.escape(key))</code></td><td><pre>\(HTML.escape(value.prettyText))</pre></td></tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }
}
