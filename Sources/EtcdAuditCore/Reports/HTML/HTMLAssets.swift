/// What every part of the HTML report shares: escaping, the page's style and script (both
/// inline: the file must work opened from disk, with nothing fetched), and the charts.
public enum HTML {
    /// Text made safe for an element's content or a quoted attribute: the five markup
    /// characters as entities, C0 controls (but newline and tab) as their visible
    /// Control Pictures, so a value from the store can never become markup.
    public static func escape(_ text: String) -> String {
        ReportText.replacingBytes(text) { byte in
            switch byte {
            case 0x27: return Array("&#39;".utf8)
            case 0x0A, 0x09: return nil
            // Control characters as their Control Pictures (U+2400 + the code; U+2421 for DEL).
            case 0x00..<0x20: return [0xE2, 0x90, 0x80 + byte]
            case 0x7F: return [0xE2, 0x90, 0xA1]
            default: return ReportText.markupEntity(byte)
            }
        }
    }

    static func colour(_ severity: Severity) -> String {
        switch severity {
        case .error: return "#c0392b"
        case .warning: return "#d68910"
        case .info: return "#2e86c1"
        }
    }

    /// Severities, most severe first (the order charts and tables use).
    static let severities: [Severity] = Severity.allCases.reversed()

    /// The bar chart of the summary: one bar per rule, its segments by severity, longest
    /// first; `counts` is by rule then severity.
    static func ruleChart(_ counts: [String: [Severity: Int]]) -> String {
        var rows: [(rule: String, counts: [Severity: Int], total: Int)] = []
        for (rule, bySeverity) in counts {
            let total: Int = bySeverity.values.reduce(0, +)
            rows.append((rule, bySeverity, total))
        }
        rows.sort { $0.total != $1.total ? $0.total > $1.total : $0.rule < $1.rule }
        guard let most = rows.first?.total, most > 0 else { return "<p>No findings.</p>\n" }
        let label = 300, bars = 360, rowHeight = 22
        let height = rows.count * rowHeight + 4
        let chartWidth = label + bars + 60
        var out = "<svg class=\"chart\" role=\"img\" aria-label=\"findings per rule and severity\" "
        out += "width=\"\(chartWidth)\" height=\"\(height)\" viewBox=\"0 0 \(chartWidth) \(height)\">\n"
        for (index, row) in rows.enumerated() {
            let y = index * rowHeight + 2
            out += "<text x=\"\(label - 8)\" y=\"\(y + 15)\" text-anchor=\"end\">\(escape(row.rule))</text>\n"
            var x = label
            for severity in severities {
                guard let n = row.counts[severity], n > 0 else { continue }
                let width = max(2, n * bars / most)
                out += "<rect x=\"\(x)\" y=\"\(y + 2)\" width=\"\(width)\" height=\"\(rowHeight - 6)\" fill=\"\(colour(severity))\">"
                    + "<title>\(escape(row.rule)): \(n) \(severity.rawValue)</title></rect>\n"
                x += width
            }
            out += "<text x=\"\(x + 6)\" y=\"\(y + 15)\">\(row.total)</text>\n"
        }
        return out + "</svg>\n"
    }

    /// A timeline of findings over revisions (for `history`): one line per severity, the
    /// x axis the revisions from the oldest to the newest point, the y axis the counts.
    /// Points are sorted by revision; without points the chart says so.
    public static func timeline(_ points: [(revision: Int64, counts: [Severity: Int])]) -> String {
        let width = 720, height = 240, left = 48, right = 16, top = 16, bottom = 36
        var out = "<svg class=\"timeline\" role=\"img\" aria-label=\"findings over revisions\" "
            + "width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">\n"
        let sorted = points.sorted { $0.revision < $1.revision }
        guard let first = sorted.first, let last = sorted.last else {
            return out + "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\">no revisions</text>\n</svg>\n"
        }
        let peak = max(1, sorted.map { p in severities.map { p.counts[$0] ?? 0 }.max() ?? 0 }.max() ?? 1)
        let span = Double(max(1, last.revision - first.revision))
        let plotWidth = Double(width - left - right), plotHeight = Double(height - top - bottom)
        func x(_ revision: Int64) -> Int {
            sorted.count == 1 ? left + Int(plotWidth / 2) : left + Int((Double(revision - first.revision) / span * plotWidth).rounded())
        }
        func y(_ count: Int) -> Int { top + Int((plotHeight - Double(count) / Double(peak) * plotHeight).rounded()) }
        out += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" stroke=\"#888\"/>\n"
        out += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" stroke=\"#888\"/>\n"
        out += "<text x=\"\(left - 6)\" y=\"\(top + 4)\" text-anchor=\"end\">\(peak)</text>\n"
        out += "<text x=\"\(left - 6)\" y=\"\(height - bottom)\" text-anchor=\"end\">0</text>\n"
        out += "<text x=\"\(left)\" y=\"\(height - bottom + 18)\">revision \(first.revision)</text>\n"
        if last.revision != first.revision {
            out += "<text x=\"\(width - right)\" y=\"\(height - bottom + 18)\" text-anchor=\"end\">\(last.revision)</text>\n"
        }
        for (index, severity) in severities.enumerated() {
            let coordinates = sorted.map { "\(x($0.revision)),\(y($0.counts[severity] ?? 0))" }.joined(separator: " ")
            out += "<polyline class=\"\(severity.rawValue)\" fill=\"none\" stroke=\"\(colour(severity))\" stroke-width=\"2\" "
                + "points=\"\(coordinates)\"><title>\(severity.rawValue)</title></polyline>\n"
            let legendX = left + 8 + index * 90
            out += "<rect x=\"\(legendX)\" y=\"\(height - 12)\" width=\"10\" height=\"10\" fill=\"\(colour(severity))\"/>"
                + "<text x=\"\(legendX + 14)\" y=\"\(height - 3)\">\(severity.rawValue)</text>\n"
        }
        return out + "</svg>\n"
    }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:0 20px 40px;color:#1c2833}
        h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;border-bottom:1px solid #ccd;padding-bottom:4px;margin-top:28px}
        h3{font-size:16px;margin:22px 0 6px}h4{font-size:14px;margin:12px 0 4px}
        code,pre{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,monospace}
        pre{background:#f4f6f7;border:1px solid #e5e8e8;padding:6px 8px;overflow:auto;max-height:420px;white-space:pre-wrap;word-break:break-all;margin:4px 0}
        table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e5e8e8;padding:4px 6px;text-align:left;vertical-align:top}
        th{background:#eef1f3;position:sticky;top:0}
        .sev{font-weight:600;color:#fff;border-radius:3px;padding:1px 6px;font-size:12px;white-space:nowrap}
        .sev-error{background:#c0392b}.sev-warning{background:#d68910}.sev-info{background:#2e86c1}
        .counts span{margin-right:14px}.muted{color:#5d6d7e}.chart text,.timeline text{font:12px system-ui,sans-serif;fill:#1c2833}
        #filters{margin:8px 0;display:flex;gap:10px;flex-wrap:wrap;align-items:center}
        #filters select,#filters input{font:inherit;padding:2px 4px}
        .resource{border:1px solid #d5dbdb;border-radius:4px;padding:2px 14px 10px;margin:14px 0}
        .record{border-top:1px dashed #d5dbdb;padding-top:6px;margin-top:6px}
        .problem{color:#922b21}.findings td:nth-child(5){max-width:480px}
        """

    /// Shows the filter form and filters the findings table by rule, severity, type and
    /// text; a URL fragment `#rule=R&severity=S&type=T&q=TEXT` presets the filter. It reads
    /// the table's own data attributes only: no value of the store is ever inside a script.
    static let script = """
        (function () {
          var form = document.getElementById("filters");
          var table = document.getElementById("findings-table");
          if (!form || !table) return;
          form.hidden = false;
          var rows = Array.prototype.slice.call(table.tBodies[0].rows);
          var fields = ["rule", "severity", "type", "q"];
          function field(name) { return form.elements[name]; }
          function apply(remember) {
            var q = field("q").value.toLowerCase(), shown = 0;
            rows.forEach(function (row) {
              var ok = (!field("rule").value || row.getAttribute("data-rule") === field("rule").value) &&
                (!field("severity").value || row.getAttribute("data-severity") === field("severity").value) &&
                (!field("type").value || row.getAttribute("data-type") === field("type").value) &&
                (!q || row.textContent.toLowerCase().indexOf(q) >= 0);
              row.hidden = !ok;
              if (ok) shown++;
            });
            document.getElementById("shown").textContent = shown + " of " + rows.length + " findings shown";
            if (!remember) return;
            var parts = [];
            fields.forEach(function (name) { if (field(name).value) parts.push(name + "=" + encodeURIComponent(field(name).value)); });
            try { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search); } catch (e) {}
          }
          location.hash.slice(1).split("&").forEach(function (part) {
            var at = part.indexOf("=");
            if (at < 0) return;
            var name = part.slice(0, at), value;
            try { value = decodeURIComponent(part.slice(at + 1).replace(/\\+/g, " ")); } catch (e) { return; }
            if (fields.indexOf(name) < 0) return;
            var input = field(name);
            if (input.tagName === "SELECT" && !Array.prototype.some.call(input.options, function (o) { return o.value === value; })) return;
            input.value = value;
          });
          form.addEventListener("input", function () { apply(true); });
          form.addEventListener("change", function () { apply(true); });
          form.addEventListener("submit", function (event) { event.preventDefault(); });
          apply(false);
        })();
        """
}
