/// `diff` for a person: both sides, the resources added, removed and changed (each
/// changed record with the members the rules read, old → new), then the findings new,
/// resolved and persisting, and the counts.
public enum DiffTextReport {
    public static func render(_ diff: StoreDiff) -> String {
        var out = "old: " + side(diff.old) + "new: " + side(diff.new) + "\n"
        out += "resources: \(diff.added.count) added, \(diff.removed.count) removed, \(diff.changed.count) changed\n"
        for resource in diff.added { out += "  + \(resource.type.singular) \(resource.id) (\(ReportText.counted(resource.records.count, "record")))\n" }
        for resource in diff.removed { out += "  - \(resource.type.singular) \(resource.id) (\(ReportText.counted(resource.records.count, "record")))\n" }
        for resource in diff.changed {
            out += "  ~ \(resource.type.singular) \(resource.id)\n"
            for record in resource.records { out += Self.record(record) }
        }
        out += "\nfindings: \(diff.newFindings.count) new, \(diff.resolved.count) resolved, \(diff.persisting.count) persisting\n"
        for (title, findings) in [("new", diff.newFindings), ("resolved", diff.resolved), ("persisting", diff.persisting)]
        where !findings.isEmpty {
            out += "\(title):\n"
            for finding in findings {
                out += "  \(finding.severity.rawValue) \(finding.rule) \(finding.resourceType) \(finding.resourceID): \(ReportText.shortened(finding.message))\n"
                // Where to look: persisting findings only name the rule, the rest show the record.
                if title != "persisting" { out += "      at \(finding.location.display)  \(finding.keys.first ?? "")\n" }
            }
        }
        if diff.hasInputErrors { out += "\nan input could not be read to its end: the diff compares what was read\n" }
        return out
    }

    private static func side(_ side: StoreDiff.Side) -> String {
        var out = side.inputs.map { input in
            var line = "\(input.path) (\(input.format))"
            if let revision = input.revision { line += " at revision \(revision)" }
            return line
        }.joined(separator: ", ")
        out += ": \(ReportText.counted(side.resources, "resource")), \(ReportText.counted(side.records, "record")), "
            + ReportText.counted(side.findings, "finding") + "\n"
        for input in side.inputs {
            if let error = input.error { out += "  input error: \(error)\n" }
        }
        return out
    }

    private static func record(_ record: RecordChange) -> String {
        let mark: String
        switch record.change {
        case .added: mark = "+"
        case .removed: mark = "-"
        case .changed, .unchangedJSON: mark = "~"
        }
        var line = "      \(mark) \(record.kind.rawValue) \(record.key)"
        let revisions = (record.oldModRevision, record.newModRevision)
        if record.change == .changed, revisions.0 != nil || revisions.1 != nil {
            line += "  mod_revision \(revisions.0.map(String.init) ?? "?") → \(revisions.1.map(String.init) ?? "?")"
        }
        var out = line + "\n"
        guard record.change == .changed else { return out }
        if let note = record.note {
            out += "          (\(note))\n"
        } else if record.members.isEmpty {
            out += "          (no member the rules read changed)\n"
        }
        for member in record.members {
            out += "          \(member.path): \(member.old?.text ?? "(absent)") → \(member.new?.text ?? "(absent)")\n"
        }
        return out
    }
}
