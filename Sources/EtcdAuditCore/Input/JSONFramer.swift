#if canImport(Glibc)
import Glibc
#endif

/// A pull tokenizer for the outer structure of large JSON documents (`etcdctl -w json`,
/// the gateway, v2 exports). It never builds the document: readers walk it token by
/// token and hand only each value's bytes to jansson.
final class JSONFramer {
    enum Token: Equatable {
        case beginObject, endObject, beginArray, endArray, colon, comma
        case string([UInt8])
        /// A number or `true`/`false`/`null`, as written.
        case scalar(String)

        /// The byte of a punctuation token (nil for a string or scalar).
        var punctuation: UInt8? {
            switch self {
            case .beginObject: return UInt8(ascii: "{")
            case .endObject: return UInt8(ascii: "}")
            case .beginArray: return UInt8(ascii: "[")
            case .endArray: return UInt8(ascii: "]")
            case .colon: return UInt8(ascii: ":")
            case .comma: return UInt8(ascii: ",")
            case .string, .scalar: return nil
            }
        }
    }

    private let source: ByteSource
    private var peeked: Token?
    /// Offset of the first byte of the last token returned.
    private(set) var tokenOffset = 0

    init(source: ByteSource) {
        self.source = source
    }

    var path: String { source.path }
    var offset: Int { source.offset }

    func error(_ message: String, at offset: Int? = nil) -> InputError {
        InputError(path: source.path, offset: offset ?? tokenOffset, message: message)
    }

    func peek() throws -> Token? {
        if peeked == nil { peeked = try read() }
        return peeked
    }

    func next() throws -> Token? {
        if let token = peeked {
            peeked = nil
            return token
        }
        return try read()
    }

    /// The next byte past blanks, neither consumed nor made a token (a token peeked
    /// already: its punctuation, 0 for a string or scalar); nil at the end of the input.
    func nextByte() throws -> UInt8? {
        if let peeked { return peeked.punctuation ?? 0 }
        try skipWhitespace()
        guard try source.fill(atLeast: 1) > 0 else { return nil }
        return source.withAvailable { $0[0] }
    }

    /// Offers `read` the buffered bytes from the next one past blanks (at least `want` when
    /// the input has them); `read` gives what it made of them and how many it took, or nil
    /// to leave every byte to the tokens. A format's common shape is then read in one pass.
    /// Gives the value and the offset of its first byte; the last byte taken counts as the
    /// last token read, as it would have been (an error just after it points there).
    func takeBuffered<R>(want: Int, _ read: (UnsafeRawBufferPointer) -> (value: R, length: Int)?) throws
        -> (value: R, offset: Int)? {
        guard peeked == nil else { return nil }
        try skipWhitespace()
        // A fault past the buffered bytes is the tokens' to meet, when they need them
        // (ByteSource keeps it).
        _ = try? source.fill(atLeast: want)
        guard let (value, length) = source.withAvailable(read), length > 0 else { return nil }
        let first = source.offset
        tokenOffset = first + length - 1
        source.consume(length)
        return (value, first)
    }

    func expect(_ token: Token, _ what: String) throws {
        if let byte = token.punctuation, try takePunctuation(byte) { return }
        let got = try next()
        guard got == token else { throw error("expected \(what), found \(Self.describe(got))") }
    }

    func expectString(_ what: String) throws -> [UInt8] {
        guard case .string(let bytes)? = try next() else { throw error("expected \(what)") }
        return bytes
    }

    /// A member name as a String (see `memberName`).
    func expectName(_ what: String) throws -> String {
        try memberName(what) { String(decoding: $0, as: UTF8.self) }
    }

    /// Which of `names` the next member name is (nil: another name), compared as bytes:
    /// the readers tell a key-value's members apart this way, with no String per name.
    func expectName<Name>(among names: MemberNames<Name>, _ what: String) throws -> Name? {
        try memberName(what) { names.name(of: $0) }
    }

    /// The next member name, handed to `make` straight from the buffered bytes when it
    /// lies there whole and without escapes, as nearly every one does (`key`,
    /// `mod_revision`): no token and no array for each of the several names of every key-value.
    private func memberName<R>(_ what: String, _ make: (UnsafeRawBufferPointer) -> R) throws -> R {
        if peeked == nil {
            try skipWhitespace()
            if try source.fill(atLeast: 1) > 0 {
                let direct = source.withAvailable { chunk -> (name: R, length: Int)? in
                    guard chunk[0] == UInt8(ascii: "\"") else { return nil }
                    var i = 1
                    while i < chunk.count, chunk[i] != UInt8(ascii: "\""), chunk[i] != UInt8(ascii: "\\") { i += 1 }
                    guard i < chunk.count, chunk[i] == UInt8(ascii: "\"") else { return nil }
                    return (make(UnsafeRawBufferPointer(rebasing: chunk[1..<i])), i + 1)
                }
                if let direct {
                    tokenOffset = source.offset
                    source.consume(direct.length)
                    return direct.name
                }
            }
        }
        return try expectString(what).withUnsafeBytes(make)
    }

    /// After a member or element: true if another follows (consumes the comma), false at
    /// the closing bracket (consumed too).
    func continues(closing: Token) throws -> Bool {
        if try takePunctuation(UInt8(ascii: ",")) { return true }
        if let byte = closing.punctuation, try takePunctuation(byte) { return false }
        switch try next() {
        case .comma?: return true
        case let t? where t == closing: return false
        case let other: throw error("expected ',' or closing bracket, found \(Self.describe(other))")
        }
    }

    /// Skips one whole value (scalar, string, object or array).
    func skipValue() throws {
        var depth = 0
        repeat {
            switch try next() {
            case .beginObject?, .beginArray?: depth += 1
            case .endObject?, .endArray?: depth -= 1
            case nil: throw error("document ends inside a value", at: source.offset)
            default: break
            }
        } while depth > 0
    }

    /// A member value that is a number, or a string holding one (the gateway quotes
    /// 64-bit integers).
    func integerValue() throws -> Int64? {
        if let direct = try plainInteger() { return direct }
        switch try next() {
        case .scalar(let text)?: return Int64(text)
        case .string(let bytes)?: return Int64(String(decoding: bytes, as: UTF8.self))
        case .beginObject?, .beginArray?:
            throw error("expected a number")
        default: return nil
        }
    }

    /// Takes the next token when it is the punctuation `byte`, straight from the buffered
    /// bytes: the several colons, commas and brackets of every key-value make no token.
    private func takePunctuation(_ byte: UInt8) throws -> Bool {
        guard peeked == nil else { return false }
        try skipWhitespace()
        guard try source.fill(atLeast: 1) > 0, source.withAvailable({ $0[0] }) == byte else { return false }
        tokenOffset = source.offset
        source.consume(1)
        return true
    }

    /// A number of digits (a revision) read straight from the buffered bytes when it lies
    /// there whole, with no token or String for it; nil: anything else, read as a token.
    private func plainInteger() throws -> Int64? {
        guard peeked == nil else { return nil }
        try skipWhitespace()
        // A fault past the buffered bytes is the token path's to meet, when it needs them:
        // a number that ends before it still counts (ByteSource keeps the fault).
        let available = (try? source.fill(atLeast: 20)) ?? source.withAvailable { $0.count }
        guard available > 0 else { return nil }
        let parsed = source.withAvailable { chunk -> (value: Int64, length: Int)? in
            let negative = chunk[0] == UInt8(ascii: "-")
            guard let (value, i) = Self.digits(chunk, from: negative ? 1 : 0) else { return nil }
            switch chunk[i] {
            case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: break
            default: return nil
            }
            return (negative ? -value : value, i)
        }
        guard let parsed else { return nil }
        tokenOffset = source.offset
        source.consume(parsed.length)
        return parsed.value
    }

    /// Where a string's bytes from `from` on stop being plain text: its closing quote, an
    /// escape's backslash, or the end of `bytes`. memchr runs a word or a vector at a time:
    /// base64 values are long strings.
    static func plainTextEnd(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int {
        guard let base = bytes.baseAddress, from < bytes.count else { return bytes.count }
        let quote = memchr(base + from, Int32(UInt8(ascii: "\"")), bytes.count - from).map { $0 - UnsafeMutableRawPointer(mutating: base) }
        let span = quote ?? bytes.count
        return memchr(base + from, Int32(UInt8(ascii: "\\")), span - from).map { $0 - UnsafeMutableRawPointer(mutating: base) } ?? span
    }

    /// The number that 1 to 18 ASCII digits from `from` on spell (no overflow to check;
    /// longer numbers take the token path), and where they end; nil when there are none or
    /// the bytes end with them (more may follow).
    static func digits(_ bytes: UnsafeRawBufferPointer, from: Int) -> (value: Int64, end: Int)? {
        var i = from
        var value: Int64 = 0
        while i < bytes.count, i - from < 18, bytes[i] &- UInt8(ascii: "0") < 10 {
            value = value * 10 + Int64(bytes[i] &- UInt8(ascii: "0"))
            i += 1
        }
        return i > from && i < bytes.count ? (value, i) : nil
    }

    static func describe(_ token: Token?) -> String {
        switch token {
        case nil: return "end of input"
        case .beginObject?: return "'{'"
        case .endObject?: return "'}'"
        case .beginArray?: return "'['"
        case .endArray?: return "']'"
        case .colon?: return "':'"
        case .comma?: return "','"
        case .string?: return "a string"
        case .scalar(let s)?: return "'\(s.prefix(20))'"
        }
    }

    private func read() throws -> Token? {
        try skipWhitespace()
        guard try source.fill(atLeast: 1) > 0 else { return nil }
        tokenOffset = source.offset
        let c = source.withAvailable { $0[0] }
        switch c {
        case UInt8(ascii: "{"): source.consume(1); return .beginObject
        case UInt8(ascii: "}"): source.consume(1); return .endObject
        case UInt8(ascii: "["): source.consume(1); return .beginArray
        case UInt8(ascii: "]"): source.consume(1); return .endArray
        case UInt8(ascii: ":"): source.consume(1); return .colon
        case UInt8(ascii: ","): source.consume(1); return .comma
        case UInt8(ascii: "\""): source.consume(1); return .string(try readString())
        default: return .scalar(try readScalar())
        }
    }

    private func skipWhitespace() throws {
        while try source.fill(atLeast: 1) > 0 {
            let skipped = source.withAvailable { chunk -> Int in
                var i = 0
                while i < chunk.count, chunk[i] == 0x20 || chunk[i] == 0x0A || chunk[i] == 0x0D || chunk[i] == 0x09 {
                    i += 1
                }
                return i
            }
            source.consume(skipped)
            if skipped == 0 { return }
        }
    }

    private func readScalar() throws -> String {
        // Most scalars (revisions, `true`) end within the buffered bytes: made straight
        // from them, with no array in between (there are several per key-value).
        let whole = source.withAvailable { chunk -> (text: String, length: Int)? in
            let end = Self.scalarLength(chunk)
            guard end < chunk.count, end > 0, end <= 64 else { return nil }
            return (String(decoding: UnsafeRawBufferPointer(rebasing: chunk[..<end]), as: UTF8.self), end)
        }
        if let whole {
            // By the bytes taken: a byte that is not UTF-8 decodes to a longer U+FFFD.
            source.consume(whole.length)
            return whole.text
        }
        var bytes: [UInt8] = []
        while try source.fill(atLeast: 1) > 0 {
            let (taken, done) = source.withAvailable { chunk -> (Int, Bool) in
                let i = Self.scalarLength(chunk)
                bytes.append(contentsOf: chunk[..<i])
                return (i, i < chunk.count)
            }
            source.consume(taken)
            if done { break }
            if bytes.count > 64 { break }
        }
        if bytes.isEmpty || bytes.count > 64 {
            throw error("unexpected byte in JSON structure")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// How many bytes of `chunk` a scalar takes: up to the byte that ends it, if any.
    private static func scalarLength(_ chunk: UnsafeRawBufferPointer) -> Int {
        var i = 0
        while i < chunk.count {
            let c = chunk[i]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]")
                || c == UInt8(ascii: ":") || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
                break
            }
            i += 1
        }
        return i
    }

    /// Reads a string body after its opening quote, decoding escapes.
    private func readString() throws -> [UInt8] {
        var out: [UInt8] = []
        while true {
            guard try source.fill(atLeast: 1) > 0 else {
                throw error("document ends inside a string", at: source.offset)
            }
            // Fast path: copy up to the next quote or backslash.
            let (taken, stop) = source.withAvailable { chunk -> (Int, UInt8?) in
                let i = Self.plainTextEnd(chunk, from: 0)
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<i]))
                return (i, i < chunk.count ? chunk[i] : nil)
            }
            source.consume(taken)
            guard let stop else { continue }
            if stop == UInt8(ascii: "\"") {
                source.consume(1)
                return out
            }
            guard try source.fill(atLeast: 2) >= 2 else { throw error("document ends inside a string", at: source.offset) }
            let escape = source.withAvailable { $0[1] }
            switch escape {
            case UInt8(ascii: "u"):
                guard try source.fill(atLeast: 6) >= 6 else { throw error("document ends inside a string", at: source.offset) }
                let code = source.withAvailable { UInt32(String(decoding: $0[2..<6], as: UTF8.self), radix: 16) }
                source.consume(6)
                guard var scalar = code else { throw error("bad \\u escape in string", at: source.offset - 6) }
                if (0xD800..<0xDC00).contains(scalar), try source.fill(atLeast: 6) >= 6,
                   let low = source.withAvailable({ chunk -> UInt32? in
                       guard chunk[0] == UInt8(ascii: "\\"), chunk[1] == UInt8(ascii: "u") else { return nil }
                       return UInt32(String(decoding: chunk[2..<6], as: UTF8.self), radix: 16)
                   }), (0xDC00..<0xE000).contains(low) {
                    source.consume(6)
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8))
            default:
                source.consume(2)
                switch escape {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                default: out.append(escape)
                }
            }
        }
    }
}

/// The member names a reader acts on, kept as bytes for `JSONFramer.expectName(among:_:)`.
struct MemberNames<Name: RawRepresentable & CaseIterable & Sendable>: Sendable where Name.RawValue == String {
    private let names: [(bytes: [UInt8], name: Name)]

    init() { names = Name.allCases.map { (Array($0.rawValue.utf8), $0) } }

    func name(of bytes: UnsafeRawBufferPointer) -> Name? {
        names.first { known in known.bytes.withUnsafeBytes { $0.sameBytes(bytes) } }?.name
    }
}
