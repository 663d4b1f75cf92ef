#if canImport(Glibc)
import Glibc
#endif

/// JSON text as the locator walks it: the bytes, and where each byte stands in the text the
/// input holds. They differ inside a string that holds JSON (a state's `heat_outputs`, a
/// JSON-lines string value): its escapes make the decoded text shorter than the input's.
struct LocatorText {
    let bytes: [UInt8]
    /// For each byte, its offset in the input's text; nil when the bytes are that text.
    let origin: [Int]?

    init(_ bytes: [UInt8], origin: [Int]? = nil) {
        self.bytes = bytes
        self.origin = origin
    }

    /// Where byte `i` stands in the input's text (the end of the text for `i` past it).
    func inputOffset(_ i: Int) -> Int {
        guard let origin else { return i }
        if i < origin.count { return origin[i] }
        return (origin.last ?? -1) + 1
    }
}

/// Where a member named by a `MemberPath` stands in a value's JSON text.
struct MemberPosition: Equatable {
    /// RFC 6901 pointer of the member found (with indices; it ends at a string that holds
    /// JSON, which a pointer cannot enter).
    var pointer: String
    /// Offset in the input's text of the member's name (an object member) or first byte
    /// (an array element, the whole value).
    var offset: Int
    /// False when the walk stopped at the closest existing parent (a member absent, or
    /// text other than the audit read).
    var complete: Bool
}

/// Walks JSON text by hand, without building it, to find where a member stands. Only
/// findings are located, so speed matters little; what matters is that any bytes (a file
/// changed since the audit) end the walk at the last member found, never in a crash: every
/// read is bounds-checked and nesting is skipped by counting, not by recursion.
enum JSONPositionScanner {
    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    /// Follows `path` from the value that starts at (or after whitespace from) `start`.
    static func locate(_ path: MemberPath, in text: LocatorText, from start: Int = 0) -> MemberPosition {
        var text = text
        var at = skipSpace(text.bytes, start)
        var found = MemberPosition(pointer: "", offset: text.inputOffset(at < text.bytes.count ? at : start), complete: true)
        // After a `decoded` step the pointer stays at the string: RFC 6901 cannot go inside it.
        var pointerOpen = true
        for step in path.steps {
            let b = text.bytes
            var next: (pointer: String, mark: Int, value: Int)?
            switch step {
            case .member(let name):
                // The last of repeated names: the one jansson keeps.
                if let member = member(b, at, named: Array(name.utf8)) {
                    next = ("/" + MemberPath.escape(name), member.nameStart, member.valueStart)
                }
            case .index(let index):
                let list = elements(b, at)
                if index >= 0, index < list.count { next = ("/\(index)", list[index], list[index]) }
            case .element(let matches, let occurrence):
                let wanted = matches.map { (name: Array($0.member.utf8), value: Array($0.value.utf8)) }
                var seen = 0
                for (index, element) in elements(b, at).enumerated() where holds(b, element, wanted) {
                    seen += 1
                    if seen == occurrence {
                        next = ("/\(index)", element, element)
                        break
                    }
                }
            case .decoded:
                if let (decoded, _) = decodeString(text, at), !decoded.bytes.isEmpty {
                    text = decoded
                    pointerOpen = false
                    at = skipSpace(decoded.bytes, 0)
                    found.offset = decoded.inputOffset(at)
                    continue
                }
            }
            guard let next else {
                found.complete = false
                return found
            }
            if pointerOpen { found.pointer += next.pointer }
            found.offset = text.inputOffset(next.mark)
            at = skipSpace(text.bytes, next.value)
        }
        return found
    }

    static func skipSpace(_ b: [UInt8], _ start: Int) -> Int {
        var i = max(0, start)
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        return i
    }

    /// The member `name` of the object at `start` (the last, when the name repeats: the one
    /// jansson keeps): where its name and its value start. Nil when it has none, or there
    /// is no object there.
    static func member(_ b: [UInt8], _ start: Int, named name: [UInt8]) -> (nameStart: Int, valueStart: Int)? {
        guard start < b.count, b[start] == UInt8(ascii: "{") else { return nil }
        var found: (Int, Int)?
        var i = skipSpace(b, start + 1)
        while i < b.count, b[i] == quote {
            guard let afterName = stringEnd(b, i) else { break }
            let colon = skipSpace(b, afterName)
            guard colon < b.count, b[colon] == UInt8(ascii: ":") else { break }
            let value = skipSpace(b, colon + 1)
            if string(b, i, afterName, equals: name) { found = (i, value) }
            guard let end = skipValue(b, value) else { break }
            let comma = skipSpace(b, end)
            guard comma < b.count, b[comma] == UInt8(ascii: ",") else { break }
            i = skipSpace(b, comma + 1)
        }
        return found
    }

    /// True when the string from the quote at `start` to `end` decodes to `bytes`.
    private static func string(_ b: [UInt8], _ start: Int, _ end: Int, equals bytes: [UInt8]) -> Bool {
        let raw = b[(start + 1)..<(end - 1)]
        if !raw.contains(backslash) { return raw.elementsEqual(bytes) }
        return decodeString(LocatorText(b), start)?.text.bytes == bytes
    }

    /// Where each element of the array at `start` starts. Empty when there is no array there.
    static func elements(_ b: [UInt8], _ start: Int) -> [Int] {
        guard start < b.count, b[start] == UInt8(ascii: "[") else { return [] }
        var out: [Int] = []
        var i = skipSpace(b, start + 1)
        while i < b.count, b[i] != UInt8(ascii: "]") {
            out.append(i)
            guard let end = skipValue(b, i) else { break }
            let comma = skipSpace(b, end)
            guard comma < b.count, b[comma] == UInt8(ascii: ",") else { break }
            i = skipSpace(b, comma + 1)
        }
        return out
    }

    /// True when the element at `start` is an object whose members `matches` name hold the
    /// given values: a string's decoded text, or a number or literal as written.
    private static func holds(_ b: [UInt8], _ start: Int, _ matches: [(name: [UInt8], value: [UInt8])]) -> Bool {
        matches.allSatisfy { match in
            guard let value = member(b, start, named: match.name)?.valueStart, let end = skipValue(b, value) else { return false }
            if b[value] == quote { return string(b, value, end, equals: match.value) }
            return b[value..<end].elementsEqual(match.value)
        }
    }

    /// The index after the value starting at `start`, or nil when the text ends first.
    static func skipValue(_ b: [UInt8], _ start: Int) -> Int? {
        guard start < b.count else { return nil }
        switch b[start] {
        case quote:
            return stringEnd(b, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0, i = start
            while i < b.count {
                switch b[i] {
                case quote:
                    guard let end = stringEnd(b, i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return nil
        default:
            // A number or a literal: up to the next delimiter.
            var i = start
            while i < b.count, !isDelimiter(b[i]) { i += 1 }
            return i == start ? nil : i
        }
    }

    private static func isDelimiter(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == UInt8(ascii: ":")
            || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    /// The index after the closing quote of the string starting at `start`.
    static func stringEnd(_ b: [UInt8], _ start: Int) -> Int? {
        b.withUnsafeBufferPointer { all in
            // From quote to quote with memchr (a value's text is mostly long strings): a
            // quote ends the string unless an odd run of backslashes stands before it.
            var from = start + 1
            while from < all.count, let found = memchr(all.baseAddress! + from, Int32(quote), all.count - from) {
                let at = all.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                var backslashes = 0
                while at - backslashes - 1 > start, all[at - backslashes - 1] == backslash { backslashes += 1 }
                if backslashes % 2 == 0 { return at + 1 }
                from = at + 1
            }
            return nil
        }
    }

    /// Decodes the string whose quote is at `start`: its text, each byte with its offset in
    /// the input (escapes map to where they start), and the index after the closing quote.
    static func decodeString(_ text: LocatorText, _ start: Int) -> (text: LocatorText, end: Int)? {
        let b = text.bytes
        guard start < b.count, b[start] == quote else { return nil }
        var out: [UInt8] = [], origin: [Int] = []
        var i = start + 1
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= b.count else { return nil }
            return UInt32(String(decoding: b[at..<at + 4], as: UTF8.self), radix: 16)
        }
        while i < b.count {
            // A run of plain bytes in one go (a value's text is mostly that).
            var j = i
            while j < b.count, b[j] != quote, b[j] != backslash { j += 1 }
            if j > i {
                out.append(contentsOf: b[i..<j])
                if let outer = text.origin {
                    origin.append(contentsOf: j <= outer.count ? Array(outer[i..<j]) : (i..<j).map(text.inputOffset))
                } else {
                    origin.append(contentsOf: i..<j)
                }
                i = j
                continue
            }
            if b[i] == quote { return (LocatorText(out, origin: origin), i + 1) }
            guard i + 1 < b.count else { return nil }
            let escapeStart = text.inputOffset(i)
            let e = b[i + 1]
            i += 2
            var scalar: Unicode.Scalar
            switch e {
            case UInt8(ascii: "n"): scalar = "\n"
            case UInt8(ascii: "t"): scalar = "\t"
            case UInt8(ascii: "r"): scalar = "\r"
            case UInt8(ascii: "b"): scalar = "\u{8}"
            case UInt8(ascii: "f"): scalar = "\u{C}"
            case UInt8(ascii: "u"):
                guard var code = hex4(i) else { return nil }
                i += 4
                if (0xD800..<0xDC00).contains(code), i + 6 <= b.count, b[i] == backslash, b[i + 1] == UInt8(ascii: "u"),
                   let low = hex4(i + 2), (0xDC00..<0xE000).contains(low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
            default: scalar = Unicode.Scalar(e)
            }
            for byte in String(scalar).utf8 {
                out.append(byte)
                origin.append(escapeStart)
            }
        }
        return nil
    }
}

/// Line and column of an offset in a text whose first byte stands on `firstLine`: the
/// column counts characters (Unicode scalars) from 1, as editors and SARIF do.
func lineAndColumn(of offset: Int, in bytes: [UInt8], firstLine: Int) -> (line: Int, column: Int) {
    var line = firstLine, column = 1
    for i in 0..<min(max(offset, 0), bytes.count) {
        if bytes[i] == 0x0A {
            line += 1
            column = 1
        } else if bytes[i] & 0xC0 != 0x80 {
            column += 1
        }
    }
    return (line, column)
}
