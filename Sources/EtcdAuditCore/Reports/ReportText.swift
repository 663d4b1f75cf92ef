/// Text for reports that cannot carry every character. jansson quotes bytes of bad
/// values in its messages; XML 1.0 cannot hold most control characters, not even
/// escaped, and a log line (GitHub annotations) should not either.
enum ReportText {
    /// `1 record`, `2 records`, `0 records`: a count as a person writes it.
    static func counted(_ count: Int, _ singular: String, plural: String? = nil) -> String {
        "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
    }

    /// A message as a line a person reads: past `limit` characters, its middle is left
    /// out (a finding can quote a value of megabytes), keeping how it starts and ends. The
    /// JSON, SARIF and JUnit reports keep it whole; cut only after redaction, which finds
    /// values in the whole text.
    static func shortened(_ text: String, limit: Int = 1000) -> String {
        let count = text.count
        guard count > limit else { return text }
        let head = limit * 4 / 5, tail = limit / 5
        return String(text.prefix(head)) + "… (\(count - head - tail) characters left out) …" + String(text.suffix(tail))
    }

    /// Control characters but tab and line ends (and the two non-characters XML
    /// excludes), shown as `\u{XX}` instead.
    static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let allowed = v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v)
                || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
            if allowed {
                out.append(scalar)
            } else {
                out.append(contentsOf: "\\u{\(String(v, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(out)
    }

    /// A cleaned attribute value, quoted for `"…"`. Tabs and line ends are written as
    /// character references: a parser turns raw ones into spaces.
    static func xmlAttribute(_ text: String) -> String {
        var out = ""
        for character in clean(text).unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
