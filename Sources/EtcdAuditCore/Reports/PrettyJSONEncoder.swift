import Foundation

/// Writes `Encodable` values as Foundation's `JSONEncoder` does with `[.prettyPrinted,
/// .sortedKeys, .withoutEscapingSlashes]` on Linux, byte for byte (keys in UTF-8 order,
/// `" : "`, two spaces an indent, an empty container as `[\n\n]`), at a given depth. The
/// JSON report's findings go through it: Foundation's encoder cost some 170,000
/// instructions a finding, as much as locating it, on a store with thousands of them.
/// It knows the types and forms the reports encode (texts, integers, booleans, null, ASCII
/// member names, each given once); given anything else (a floating-point number, a name
/// twice, `superEncoder`) it answers nil and the caller uses `JSONEncoder`.
struct PrettyJSONEncoder {
    /// The JSON text of `value` as the element of an array `depth` levels down (its lines
    /// after the first indented by `depth` steps), or nil for a type it does not write.
    static func encode<T: Encodable>(_ value: T, depth: Int) -> [UInt8]? {
        let encoder = TreeEncoder()
        do { try value.encode(to: encoder) } catch { return nil }
        guard !encoder.context.unsupported else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(2048)
        write(encoder.node, indent: depth, to: &out)
        return out
    }

    /// A whole document as JSONEncoder writes it with those options (SARIF, GitLab): by
    /// this encoder when it knows every type in it, else by JSONEncoder.
    static func document<T: Encodable>(_ value: T) throws -> String {
        if let bytes = encode(value, depth: 0) { return String(decoding: bytes, as: UTF8.self) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    // MARK: the tree

    /// One value as the encoder builds it: several containers may write into one object
    /// (a finding's `location` writes its members beside the finding's own).
    final class Node {
        enum Content {
            /// Members in the order Foundation writes them (by their names' UTF-8 bytes). A
            /// finding has a dozen: a sorted list beats a dictionary sorted at the end.
            case empty, scalar(String), text(String), array([Node]), object([(name: String, node: Node)])
        }
        var content: Content = .empty
    }

    final class Context {
        var unsupported = false
    }

    private final class TreeEncoder: Encoder {
        let node: Node
        let context: Context
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init(node: Node = Node(), context: Context = Context()) {
            self.node = node
            self.context = context
        }

        // Containers asked for again are merged into one object (a finding's location
        // writes its members beside the finding's); anything else asked of a node twice
        // is left to Foundation.
        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            switch node.content {
            case .object: break
            case .empty: node.content = .object([])
            default: context.unsupported = true; node.content = .object([])
            }
            return KeyedEncodingContainer(KeyedContainer<Key>(node: node, context: context))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .empty = node.content {} else { context.unsupported = true }
            node.content = .array([])
            return UnkeyedContainer(node: node, context: context)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(node: node, context: context) }
    }

    /// Sets `node` to an encoded value: what every container does for each value it is
    /// given. Types are told apart by their metatype, not by `as` casts, which searched the
    /// conformance tables for every member of every finding.
    private static func set<T: Encodable>(_ node: Node, _ value: T, _ context: Context) throws {
        if T.self == String.self { node.content = .text(unsafeBitCast(value, to: String.self)); return }
        if T.self == Bool.self { node.content = .scalar(unsafeBitCast(value, to: Bool.self) ? "true" : "false"); return }
        if let number = integerText(value) { node.content = .scalar(number); return }
        // Foundation's own ways with these (number formats, URLs as text, dates, base64)
        // are its to keep: the caller encodes the value with JSONEncoder instead.
        if T.self == Double.self || T.self == Float.self || T.self == Decimal.self || T.self == URL.self
            || T.self == Date.self || T.self == Data.self {
            context.unsupported = true
            node.content = .scalar("null")
            return
        }
        try value.encode(to: TreeEncoder(node: node, context: context))
    }

    /// The text of a value of a standard integer type (nil for any other type).
    @inline(__always)
    private static func integerText<T>(_ value: T) -> String? {
        if T.self == Int.self { return String(unsafeBitCast(value, to: Int.self)) }
        if T.self == Int64.self { return String(unsafeBitCast(value, to: Int64.self)) }
        if T.self == Int32.self { return String(unsafeBitCast(value, to: Int32.self)) }
        if T.self == Int16.self { return String(unsafeBitCast(value, to: Int16.self)) }
        if T.self == Int8.self { return String(unsafeBitCast(value, to: Int8.self)) }
        if T.self == UInt.self { return String(unsafeBitCast(value, to: UInt.self)) }
        if T.self == UInt64.self { return String(unsafeBitCast(value, to: UInt64.self)) }
        if T.self == UInt32.self { return String(unsafeBitCast(value, to: UInt32.self)) }
        if T.self == UInt16.self { return String(unsafeBitCast(value, to: UInt16.self)) }
        if T.self == UInt8.self { return String(unsafeBitCast(value, to: UInt8.self)) }
        return nil
    }

    private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let context: Context
        var codingPath: [any CodingKey] { [] }

        private func child(_ key: Key) -> Node {
            let child = Node()
            guard case .object(var members) = node.content else { return child }
            node.content = .empty  // the list is changed in place, not copied
            // Kept in Foundation's order as they come. A name given twice (Foundation merges
            // or replaces, by what was given), or one beyond ASCII (it compares names as
            // Swift strings), is left to Foundation.
            let name = key.stringValue
            if name.utf8.contains(where: { $0 >= 0x80 }) { context.unsupported = true }
            var i = members.count
            while i > 0, utf8Precedes(name, members[i - 1].name) { i -= 1 }
            if i > 0, members[i - 1].name == name {
                context.unsupported = true
                members[i - 1].node = child
            } else {
                members.insert((name, child), at: i)
            }
            node.content = .object(members)
            return child
        }

        mutating func encodeNil(forKey key: Key) throws { child(key).content = .scalar("null") }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try set(child(key), value, context) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                            forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            TreeEncoder(node: child(key), context: context).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            TreeEncoder(node: child(key), context: context).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { unsupportedEncoder(context) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { unsupportedEncoder(context) }
    }

    /// For `superEncoder`: Foundation writes a `super` member, a form no report uses.
    private static func unsupportedEncoder(_ context: Context) -> any Encoder {
        context.unsupported = true
        return TreeEncoder(node: Node(), context: context)
    }

    private struct UnkeyedContainer: UnkeyedEncodingContainer {
        let node: Node
        let context: Context
        var codingPath: [any CodingKey] { [] }
        private(set) var count = 0

        init(node: Node, context: Context) {
            self.node = node
            self.context = context
        }

        private mutating func next() -> Node {
            let element = Node()
            guard case .array(var elements) = node.content else { return element }
            node.content = .empty
            elements.append(element)
            node.content = .array(elements)
            count += 1
            return element
        }

        mutating func encodeNil() throws { next().content = .scalar("null") }
        mutating func encode<T: Encodable>(_ value: T) throws { try set(next(), value, context) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            TreeEncoder(node: next(), context: context).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            TreeEncoder(node: next(), context: context).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { unsupportedEncoder(context) }
    }

    private struct SingleContainer: SingleValueEncodingContainer {
        let node: Node
        let context: Context
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws { node.content = .scalar("null") }
        mutating func encode<T: Encodable>(_ value: T) throws { try set(node, value, context) }
    }

    // MARK: the text

    private static func write(_ node: Node, indent: Int, to out: inout [UInt8]) {
        switch node.content {
        case .empty:
            put("{\n\n", &out)
            put(indent: indent, &out)
            out.append(UInt8(ascii: "}"))
        case .scalar(var text): text.withUTF8 { out.append(contentsOf: $0) }
        case .text(let text): quote(text, &out)
        case .array(let elements):
            put("[\n", &out)
            for (i, element) in elements.enumerated() {
                if i > 0 { put(",\n", &out) }
                put(indent: indent + 1, &out)
                write(element, indent: indent + 1, to: &out)
            }
            out.append(0x0A)
            put(indent: indent, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            put("{\n", &out)
            for (i, member) in members.enumerated() {
                if i > 0 { put(",\n", &out) }
                put(indent: indent + 1, &out)
                quote(member.name, &out)
                put(" : ", &out)
                write(member.node, indent: indent + 1, to: &out)
            }
            out.append(0x0A)
            put(indent: indent, &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    private static func put(_ text: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A line's indent: two spaces a level.
    private static func put(indent: Int, _ out: inout [UInt8]) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    /// Foundation's order of keys: by their UTF-8 bytes.
    private static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in
                let common = min(x.count, y.count)
                let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                return order != 0 ? order < 0 : x.count < y.count
            }
        }
        return (fast ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// A JSON string as Foundation escapes it: `"` and `\`, the control characters (the
    /// usual letters for five of them, `\u00XX` for the rest), and nothing else. Runs of
    /// bytes that need none are copied whole.
    private static func quote(_ text: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text  // withUTF8 makes a bridged string contiguous; a native one is left alone
        text.withUTF8 { bytes in
            // Most texts need no escape: copied in one go.
            guard bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                out.append(contentsOf: bytes)
                return
            }
            var run = 0
            for (i, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                run = i + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                default:
                    let hex: StaticString = "0123456789abcdef"
                    put("u00", &out)
                    out.append(hex.utf8Start[Int(byte >> 4)])
                    out.append(hex.utf8Start[Int(byte & 15)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
