/// A JSON value held in Swift, for the few members the rules keep and for messages.
/// Objects keep their member order; `==` ignores it, as JSON does.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case real(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    public subscript(member: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.name == member })?.value
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Compact JSON text, members in stored order: what a message quotes.
    public var text: String {
        var out = ""
        write(to: &out, sortedMembers: false)
        return out
    }

    /// Compact JSON text with members sorted by name: equal values give equal text.
    public var canonicalText: String {
        var out = ""
        write(to: &out, sortedMembers: true)
        return out
    }

    /// Indented JSON text, members in stored order, for documents people read.
    public var prettyText: String {
        var out = ""
        writePretty(to: &out, indent: "")
        return out
    }

    private func writePretty(to out: inout String, indent: String) {
        let inner = indent + "    "
        switch self {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += inner
                item.writePretty(to: &out, indent: inner)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += indent + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            for (i, member) in members.enumerated() {
                out += inner
                JSONText.appendQuoted(member.name, to: &out)
                out += ": "
                member.value.writePretty(to: &out, indent: inner)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += indent + "}"
        default:
            out += text
        }
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.real(let a), .real(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            // Member order does not matter; names are unique (jansson keeps the last). Small
            // objects pairwise, large ones (data can be anything) by their sorted text.
            guard a.count == b.count else { return false }
            if a.count <= 16 { return a.allSatisfy { member in b.contains { $0.name == member.name && $0.value == member.value } } }
            return lhs.canonicalText == rhs.canonicalText
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(canonicalText)
    }

    /// Equal as sets when both are lists (order and repeats ignored), else plain `==`.
    public func equalsAsSet(_ other: JSONValue) -> Bool {
        guard case .array(let a) = self, case .array(let b) = other else { return self == other }
        if a.count <= 16 && b.count <= 16 { return a.allSatisfy { x in b.contains(x) } && b.allSatisfy { y in a.contains(y) } }
        return Set(a.map(\.canonicalText)) == Set(b.map(\.canonicalText))
    }

    private func write(to out: inout String, sortedMembers: Bool) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .real(let d): out += d.isFinite ? "\(d)" : "null"
        case .string(let s): JSONText.appendQuoted(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out, sortedMembers: sortedMembers)
            }
            out += "]"
        case .object(let members):
            out += "{"
            let ordered = sortedMembers ? members.sorted { $0.name < $1.name } : members
            for (i, member) in ordered.enumerated() {
                if i > 0 { out += "," }
                JSONText.appendQuoted(member.name, to: &out)
                out += ":"
                member.value.write(to: &out, sortedMembers: sortedMembers)
            }
            out += "}"
        }
    }
}

public struct JSONMember: Hashable, Sendable {
    public var name: String
    public var value: JSONValue
    public init(_ name: String, _ value: JSONValue) {
        self.name = name
        self.value = value
    }
}


/// JSON string quoting shared by `JSONValue` and the reporters.
public enum JSONText {
    public static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        // Most texts hold nothing to escape: appended whole, not scalar by scalar.
        guard s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    public static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }

}
