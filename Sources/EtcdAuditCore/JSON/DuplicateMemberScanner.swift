/// A member name that one JSON object names more than once.
public struct DuplicateMember: Hashable, Sendable {
    /// Where the object sits, as a JSONPath-like string (`$`, `$.body`, `$[1].params[3]`).
    public var path: String
    public var name: String
    public var occurrences: Int
}

/// Lists repeated member names. jansson only says that *a* duplicate exists; this walks
/// the text (already known to be JSON apart from the duplicates) to name every one.
enum DuplicateMemberScanner {
    private final class Frame {
        let path: String
        let isObject: Bool
        var index = 0
        var counts: [String: Int] = [:]
        var order: [String] = []
        var pendingName: String?
        init(path: String, isObject: Bool) {
            self.path = path
            self.isObject = isObject
        }
    }

    static func scan(_ bytes: UnsafeRawBufferPointer) -> [DuplicateMember] {
        var found: [DuplicateMember] = []
        var stack: [Frame] = []
        var i = 0
        let n = bytes.count

        func childPath() -> String {
            guard let top = stack.last else { return "$" }
            if top.isObject { return top.path + "." + (top.pendingName ?? "?") }
            return top.path + "[\(top.index)]"
        }

        while i < n {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                stack.append(Frame(path: childPath(), isObject: c == UInt8(ascii: "{")))
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let frame = stack.popLast(), frame.isObject {
                    for name in frame.order where frame.counts[name, default: 0] > 1 {
                        found.append(DuplicateMember(path: frame.path, name: name,
                                                     occurrences: frame.counts[name]!))
                    }
                }
                i += 1
            case UInt8(ascii: ","):
                if let top = stack.last {
                    if top.isObject { top.pendingName = nil } else { top.index += 1 }
                }
                i += 1
            case UInt8(ascii: "\""):
                let (text, end) = decodeString(bytes, from: i)
                i = end
                // A string directly followed by ':' inside an object is a member name.
                var j = i
                while j < n, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[j]) { j += 1 }
                if let top = stack.last, top.isObject, top.pendingName == nil, j < n, bytes[j] == UInt8(ascii: ":") {
                    top.pendingName = text
                    if top.counts[text] == nil { top.order.append(text) }
                    top.counts[text, default: 0] += 1
                    i = j + 1
                }
            default:
                i += 1
            }
        }
        return found
    }

    /// Decodes the string starting at the quote at `start`; returns the text and the
    /// index after the closing quote.
    private static func decodeString(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (String, Int) {
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        var i = start + 1
        func flushRaw() {
            scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw.removeAll(keepingCapacity: true)
        }
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            return UInt32(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<at + 4]), as: UTF8.self),
                          radix: 16)
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            if c != UInt8(ascii: "\\") { raw.append(c); i += 1; continue }
            flushRaw()
            guard i + 1 < bytes.count else { i += 1; break }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{8}")
            case UInt8(ascii: "f"): scalars.append("\u{C}")
            case UInt8(ascii: "u"):
                guard var code = hex4(i) else { break }
                i += 4
                if (0xD800..<0xDC00).contains(code), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"),
                   bytes[i + 1] == UInt8(ascii: "u"), let low = hex4(i + 2), (0xDC00..<0xE000).contains(low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: scalars.append(Unicode.Scalar(e))
            }
        }
        flushRaw()
        return (String(scalars), i)
    }
}
