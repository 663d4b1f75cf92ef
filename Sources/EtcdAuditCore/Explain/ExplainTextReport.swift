/// `explain` for a person: per resource, its records (whole values, heat outputs, problems),
/// the rules' verdicts (fired with what they compared, could not run and why, passed), and
/// the write order; then the inputs. Deterministic, no colour.
public enum ExplainTextReport {
    /// Values longer than this are cut in the text (the JSON report has them whole).
    static let valueWidth = 160

    public static func render(_ explanation: Explanation) -> String {
        var out = ""
        for (index, resource) in explanation.resources.enumerated() {
            if index > 0 { out += "\n" }
            out += self.resource(resource)
        }
        out += "\n"
        for input in explanation.inputs {
            var line = "\(input.path) (\(input.format)): \(ReportText.counted(input.records, "record")), "
                + ReportText.counted(input.bytes, "byte")
            if let revision = input.revision { line += ", revision \(revision)" }
            out += line + "\n"
            for problem in input.problems { out += "  unreadable \(problem.location.display): \(problem.message)\n" }
            if let error = input.error { out += "  input error \(error)\n" }
        }
        if let config = explanation.config { out += "configuration: \(config)\n" }
        return out
    }

    static func resource(_ resource: ResourceExplanation) -> String {
        let c = resource.counts
        let applicable = c.fired + c.passed + c.notRun
        var out = "\(resource.type.singular) \(resource.id)\n"
        out += "  \(ReportText.counted(resource.records.count, "record")); "
            + (applicable == 1 ? "1 rule applies" : "\(applicable) rules apply")
            + ": \(c.fired) fired (\(ReportText.counted(c.findings, "finding"))), \(c.passed) passed, \(c.notRun) could not run\n"
        out += "\nrecords\n"
        for record in resource.records { out += self.record(record) }
        out += "\nrules\n"
        if resource.verdicts.isEmpty { out += "  none fired\n" }
        // Fired first, then those without a verdict, then the passed: what a reader needs first.
        for outcome in [RuleVerdict.Outcome.fired, .notRun, .passed] {
            for verdict in resource.verdicts where verdict.outcome == outcome { out += self.verdict(verdict) }
        }
        out += "\nwrite order (by mod_revision)\n"
        if resource.writeOrder.isEmpty { out += "  no record has a mod_revision (the inputs carry no revisions)\n" }
        let width = resource.writeOrder.map { String($0.modRevision).count }.max() ?? 0
        for step in resource.writeOrder {
            let revision = String(step.modRevision)
            var line = "  " + revision + String(repeating: " ", count: width - revision.count) + "  "
                + pad(step.kind.rawValue, 10) + "  " + step.key
            if !step.after.isEmpty { line += "  (after \(step.after.map(\.rawValue).joined(separator: ", ")))" }
            out += line + "\n"
        }
        let undated = Set(resource.records.map(\.key)).subtracting(resource.writeOrder.map(\.key))
        if !resource.writeOrder.isEmpty, !undated.isEmpty {
            out += "  without a mod_revision: \(undated.sorted().joined(separator: ", "))\n"
        }
        return out
    }

    static func record(_ record: RecordDetail) -> String {
        var out = "  \(pad(record.kind.rawValue, 10))  \(record.key)\n"
        var read = "read at \(record.location.display)"
        if record.modRevision != nil || record.createRevision != nil {
            read += ", create_revision \(record.createRevision.map(String.init) ?? "?")"
                + ", mod_revision \(record.modRevision.map(String.init) ?? "?")"
        } else {
            read += " (no revisions)"
        }
        out += "      \(read)\n"
        if let value = record.value {
            // The whole value: what the record says, not only what the rules read.
            for line in FittedJSON.lines(value, stringWidth: valueWidth) { out += "      \(line)\n" }
        } else {
            for member in record.members { out += "      \(member.path) = \(cut(member.value.text))\n" }
        }
        // A list the value holds as JSON is shown above; a state's string is shown decoded.
        if let outputs = record.heatOutputs, outputs.encoded || record.value == nil {
            let how = outputs.encoded ? ", decoded from its string" : ""
            if outputs.error == nil {
                out += "      \(outputs.path)\(how): \(outputs.outputs.count) output\(outputs.outputs.count == 1 ? "" : "s")\n"
                for output in outputs.outputs { out += "        \(output.key) = \(cut(output.value.text))\n" }
            }
        }
        if let text = record.valueText { out += "      value (not JSON): \(cut(JSONText.quoted(text)))\n" }
        for problem in record.problems { out += "      problem: \(problem)\n" }
        return out
    }

    static func verdict(_ verdict: RuleVerdict) -> String {
        switch verdict.outcome {
        case .passed:
            return "  passed         \(verdict.rule)\n"
        case .notRun:
            return "  could not run  \(verdict.rule): \(verdict.reason ?? "")\n"
        case .fired:
            let count = verdict.findings.count
            var out = "  fired          \(verdict.rule) (\(verdict.severity.rawValue)"
                + (count > 1 ? ", \(count) findings" : "") + ")\n"
            for finding in verdict.findings {
                let indent = "                 "
                out += "\(indent)\(ReportText.shortened(finding.message))\n"
                if let expected = finding.expected { out += "\(indent)  expected: \(cut(expected))\n" }
                if let actual = finding.actual { out += "\(indent)  actual:   \(cut(actual))\n" }
                if let waiver = finding.waiver {
                    out += "\(indent)  waived: \(waiver.reason)\(waiver.expires.map { " (until \($0))" } ?? "")\n"
                }
                out += "\(indent)  at \(finding.location.display)  \(finding.keys.first ?? "")\n"
                for other in finding.related { out += "\(indent)  vs \(other.location.display)  \(other.key)\n" }
            }
            return out
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// A value on one line, cut past `valueWidth` characters with how long it was.
    static func cut(_ text: String) -> String {
        let flat = text.contains("\n") ? text.replacingOccurrences(of: "\n", with: "\\n") : text
        guard flat.count > valueWidth else { return flat }
        return String(flat.prefix(valueWidth)) + "… (\(flat.count) characters)"
    }
}
