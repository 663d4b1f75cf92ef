/// `history --report html`: the check page of the last revision replayed, with a chart of
/// the findings held at each revision (inline SVG) and the writes that introduced and
/// cleared them.
public enum HistoryHTMLReport {
    public static func render(_ history: History, options: ReportOptions) throws -> String {
        let page = try HTMLReporter().render(history.result, options: options)
        var section = "<section id=\"timeline\">\n<h2>Findings over revisions \(history.revisions.lowerBound)"
            + "–\(history.revisions.upperBound)</h2>\n"
        section += "<p class=\"muted\">\(history.writes) writes replayed; the snapshot holds revisions "
            + "\(history.held.lowerBound) to \(history.held.upperBound).</p>\n"
        section += HTML.timeline(points(history))
        section += changes(history)
        section += "</section>\n"
        // After the summary, before the findings table.
        guard let table = page.range(of: "<section id=\"findings\"") else { return page + section }
        return page.replacingCharacters(in: table.lowerBound..<table.lowerBound, with: section)
    }

    /// The findings held at each revision where the count changes (and at both ends), by
    /// severity: a finding of the last revision held from its `introduced` on, a cleared one
    /// from its `introduced` to the revision before its `cleared`. Each change is drawn as
    /// a step: the count before it, at the revision before.
    static func points(_ history: History) -> [(revision: Int64, counts: [Severity: Int])] {
        var spans: [(from: Int64, to: Int64?, severity: Severity)] = []
        for finding in history.result.findings {
            let from = history.introduced[finding.fingerprint]?.revision ?? history.revisions.lowerBound
            spans.append((from, nil, finding.severity))
        }
        for cleared in history.cleared {
            spans.append((cleared.introduced.revision, cleared.cleared.revision, cleared.finding.severity))
        }
        let first = history.revisions.lowerBound, last = history.revisions.upperBound
        var revisions = Set([first, last])
        for span in spans {
            for revision in [span.from, span.to].compactMap({ $0 }) where revision > first && revision <= last {
                revisions.insert(revision)
                revisions.insert(revision - 1)
            }
        }
        return revisions.sorted().map { revision in
            var counts: [Severity: Int] = [:]
            for span in spans where span.from <= revision && (span.to.map { revision < $0 } ?? true) {
                counts[span.severity, default: 0] += 1
            }
            return (revision, counts)
        }
    }

    /// The writes that made findings appear or go, in revision order.
    private static func changes(_ history: History) -> String {
        var rows: [(revision: Int64, text: String)] = []
        for finding in history.result.findings {
            guard let write = history.introduced[finding.fingerprint], let key = write.key else { continue }
            rows.append((write.revision, "<li><code>\(write.revision)</code> <code>\(HTML.escape(key))</code> introduced "
                + describe(finding) + "</li>\n"))
        }
        for cleared in history.cleared {
            let key = cleared.cleared.key.map { " <code>\(HTML.escape($0))</code>" } ?? ""
            rows.append((cleared.cleared.revision, "<li><code>\(cleared.cleared.revision)</code>\(key) cleared "
                + describe(cleared.finding) + " <span class=\"muted\">(held since \(cleared.introduced.revision))</span></li>\n"))
        }
        guard !rows.isEmpty else { return "<p class=\"muted\">No finding appeared or cleared during the replay.</p>\n" }
        return "<h3>Writes that changed the findings</h3>\n<ol class=\"writes\">\n"
            + rows.enumerated().sorted { ($0.element.revision, $0.offset) < ($1.element.revision, $1.offset) }
                .map(\.element.text).joined() + "</ol>\n"
    }

    private static func describe(_ finding: Finding) -> String {
        "<span class=\"sev sev-\(finding.severity.rawValue)\">\(finding.severity.rawValue)</span> "
            + "<b>\(HTML.escape(finding.rule))</b> on \(HTML.escape(finding.resourceType)) "
            + "<code>\(HTML.escape(finding.resourceID))</code>: \(HTML.escape(finding.message))"
    }
}
