/// `history` for a person: what was replayed, a timeline per resource (each revision that
/// wrote its records or changed its findings: the keys written, the members the rules
/// read that changed, findings appearing and clearing), then the findings of the last
/// revision with when each was introduced, and those cleared. Deterministic, no colour.
public enum HistoryTextReport {
    /// Values longer than this are cut (the JSON report has them whole).
    static let valueWidth = 120

    public static func render(_ history: History) -> String {
        let range = history.revisions
        var out = "\(history.result.inputs.first?.path ?? "snapshot"): revisions \(range.lowerBound) to \(range.upperBound) "
            + "replayed (the file holds \(history.held.lowerBound) to \(history.held.upperBound)), "
            + "\(history.writes) write\(history.writes == 1 ? "" : "s")\n"
        for timeline in history.timelines {
            out += "\n\(timeline.type) \(timeline.id)\n"
            for event in timeline.events { out += self.event(event) }
        }
        out += "\nfindings at revision \(range.upperBound): \(history.result.findings.count)\n"
        for finding in history.result.findings {
            out += "  \(finding.severity.rawValue) \(finding.rule) \(finding.resourceType) \(finding.resourceID)"
                + " — \(since(history.introduced[finding.fingerprint]))\n"
            out += "    \(cut(finding.message))\n"
        }
        if !history.cleared.isEmpty {
            out += "\ncleared: \(history.cleared.count)\n"
            for entry in history.cleared {
                let f = entry.finding
                out += "  \(f.severity.rawValue) \(f.rule) \(f.resourceType) \(f.resourceID) — \(since(entry.introduced)), "
                    + "cleared at \(entry.cleared.revision) by \(entry.cleared.key ?? "?")\n"
                out += "    \(cut(f.message))\n"
            }
        }
        return out
    }

    /// "introduced at 14 by KEY", or held from the start of the replay.
    static func since(_ write: WriteRef?) -> String {
        guard let write else { return "introduced: unknown" }
        guard let key = write.key else { return "held at \(write.revision), the first revision replayed" }
        return "introduced at \(write.revision) by \(key)"
    }

    static func event(_ event: ResourceTimeline.Event) -> String {
        var out = ""
        var first = true
        func prefix() -> String {
            defer { first = false }
            return first ? "  \(String(event.revision).padding(toLength: 8, withPad: " ", startingAt: 0))" : "          "
        }
        for write in event.writes {
            out += prefix() + (write.deleted ? "delete " : write.previousOffset == nil ? "create " : "put    ") + write.key + "\n"
            for change in write.changes {
                out += "            \(change.member): \(cut(change.old ?? "(absent)")) → \(cut(change.new ?? "(absent)"))\n"
            }
        }
        for finding in event.appeared { out += prefix() + "+ \(finding.severity.rawValue) \(finding.rule): \(cut(finding.message))\n" }
        for finding in event.cleared { out += prefix() + "- cleared \(finding.rule): \(cut(finding.message))\n" }
        return out
    }

    static func cut(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: "\\n")
        return flat.count > valueWidth ? String(flat.prefix(valueWidth - 1)) + "…" : flat
    }
}
