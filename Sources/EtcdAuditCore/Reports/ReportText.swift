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

    /// `text` with each byte `replacement` gives bytes for replaced by them, in one pass
    /// over the UTF-8 (the text itself when none is): the escapes of HTML and XML, whose
    /// characters are all ASCII. Scalar by scalar, a report of thousands of findings spent
    /// a quarter of its time there.
    static func replacingBytes(_ text: String, _ replacement: (UInt8) -> [UInt8]?) -> String {
        guard text.utf8.contains(where: { replacement($0) != nil }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 32)
        for byte in text.utf8 {
            if let replaced = replacement(byte) { out += replaced } else { out.append(byte) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `&`, `<`, `>` and `"` as the entities XML and HTML both give them (nil for any
    /// other byte); each names `'` its own way.
    static func markupEntity(_ byte: UInt8) -> [UInt8]? {
        switch byte {
        case 0x26: return Array("&amp;".utf8)
        case 0x3C: return Array("&lt;".utf8)
        case 0x3E: return Array("&gt;".utf8)
        case 0x22: return Array("&quot;".utf8)
        default: return nil
        }
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
        replacingBytes(clean(text)) { byte in
            switch byte {
            case 0x09: return Array("&#9;".utf8)
            case 0x0A: return Array("&#10;".utf8)
            case 0x0D: return Array("&#13;".utf8)
            default: return markupEntity(byte)
            }
        }
    }
}
