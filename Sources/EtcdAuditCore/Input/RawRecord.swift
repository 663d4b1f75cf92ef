/// Where a record (or a finding about it) comes from. A record's location is its key's
/// line and byte offset; a finding's is the member at fault once `FindingLocator` has
/// found it: its line and column in text inputs, its JSON pointer, the record's
/// `mod_revision` where the input carries revisions.
public struct SourceLocation: Hashable, Sendable, Codable, Comparable {
    public var path: String
    /// 1-based line (of the record's key, or of the member at fault), for formats that have lines.
    public var line: Int?
    /// 1-based column of the member at fault, in characters (set only for findings).
    public var column: Int?
    /// Byte offset of the record in the (uncompressed) input.
    public var offset: Int?
    /// RFC 6901 pointer of the member at fault inside the record's value ("" is the whole
    /// value); set only for findings.
    public var pointer: String?
    /// The record's `mod_revision`, where the input carries revisions (set only for findings).
    public var modRevision: Int64?

    public init(path: String, line: Int? = nil, column: Int? = nil, offset: Int? = nil,
                pointer: String? = nil, modRevision: Int64? = nil) {
        self.path = path
        self.line = line
        self.column = column
        self.offset = offset
        self.pointer = pointer
        self.modRevision = modRevision
    }

    enum CodingKeys: String, CodingKey {
        case path, line, column, offset, pointer
        case modRevision = "mod_revision"
    }

    /// Paths and pointers compare as bytes (a file system, like etcd, tells them apart so).
    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        if !a.path.sameBytes(b.path) { return a.path.bytesPrecede(b.path) }
        if (a.line ?? -1, a.column ?? -1, a.offset ?? -1) != (b.line ?? -1, b.column ?? -1, b.offset ?? -1) {
            return (a.line ?? -1, a.column ?? -1, a.offset ?? -1) < (b.line ?? -1, b.column ?? -1, b.offset ?? -1)
        }
        return (a.pointer ?? "").bytesPrecede(b.pointer ?? "")
    }

    /// `path:line[:column]` or `path@offset`, for messages and text reports.
    public var display: String {
        if let line { return column.map { "\(path):\(line):\($0)" } ?? "\(path):\(line)" }
        if let offset { return "\(path)@\(offset)" }
        return path
    }
}

/// One etcd key and its value as a reader found it, before any parsing.
public struct RawRecord: Sendable {
    public var key: String
    public var value: [UInt8]
    public var createRevision: Int64?
    public var modRevision: Int64?
    public var location: SourceLocation
    /// Line on which the value's first byte stands (text formats), to place parse errors.
    public var valueFirstLine: Int?
    /// Set when the value could not even be extracted as bytes (e.g. bad base64).
    public var valueError: String?
    /// False when the key's bytes are not UTF-8 (`key` then shows them as U+FFFD).
    public var keyIsUTF8 = true
    /// Members repeated inside the value, found where the container had to parse it already
    /// (a JSON-lines value written as an object: re-serializing it keeps only the last).
    public var duplicatesFound: [DuplicateMember] = []
    /// True while `value` still holds base64 text (etcd's JSON output): decoding waits for
    /// the parsing threads, so the reading thread only frames.
    public var valueIsBase64 = false

    /// Turns base64 text into the value's bytes (or a `valueError`).
    public mutating func decodeValue() {
        guard valueIsBase64 else { return }
        valueIsBase64 = false
        if let decoded = Base64.decode(value) {
            value = decoded
        } else {
            valueError = "value is not valid base64 (\(value.count) bytes)"
            value = []
        }
    }

    public init(key: String, value: [UInt8], createRevision: Int64? = nil, modRevision: Int64? = nil,
                location: SourceLocation, valueFirstLine: Int? = nil, valueError: String? = nil) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.location = location
        self.valueFirstLine = valueFirstLine
        self.valueError = valueError
    }
}

/// A part of an input that could not be turned into a record, although reading went on
/// (e.g. a JSON-lines line that is not JSON). Counted and reported, never dropped silently.
public struct InputProblem: Error, Hashable, Sendable, Codable {
    public var location: SourceLocation
    public var message: String
}

extension RawRecord {
    /// The key as text, and whether its bytes were UTF-8 (binary keys are kept, shown
    /// with U+FFFD, and reported as an input problem).
    static func keyText<Bytes: Collection>(_ bytes: Bytes) -> (text: String, isUTF8: Bool) where Bytes.Element == UInt8 {
        // Nearly every key is ASCII, which is UTF-8 as it is: `String(validating:)` took
        // 13 instructions a byte to say so.
        if bytes.allSatisfy({ $0 < 0x80 }) { return (String(decoding: bytes, as: UTF8.self), true) }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, true) }
        return (String(decoding: bytes, as: UTF8.self), false)
    }
}

extension RawRecord {
    /// A record of a text format: the key on `keyLine`, the value from the next line on.
    init(keyLine: Line, value: [UInt8], path: String) {
        let key = keyLine.keyText
        self.init(key: key.text, value: value,
                  location: SourceLocation(path: path, line: keyLine.number, offset: keyLine.offset),
                  valueFirstLine: keyLine.number + 1)
        keyIsUTF8 = key.isUTF8
    }
}

/// What a reader learnt about its input as a whole.
public struct InputInfo: Sendable {
    public var revision: Int64?
    public var clusterID: String?
    public var problems: [InputProblem] = []
    /// True when the input shows it is an export of a whole store (etcdctl's header with
    /// no count, a v2 root directory, a snapshot's `key` bucket): read with no records,
    /// it is an empty store, not the wrong file.
    public var isStoreExport = false
    /// Non-empty lines a line-based reader met, and those of them that belong to no
    /// record as its format reads them: when most are stray, the file is in another format.
    public var lines = 0
    public var strayLines = 0
}

/// A streaming reader of one input format.
protocol RecordReader: AnyObject {
    func next() throws -> RawRecord?
    var info: InputInfo { get }
    /// Bytes read so far (uncompressed).
    var bytesRead: Int { get }
}
