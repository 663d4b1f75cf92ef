#if canImport(Glibc)
import Glibc
#endif

/// `etcdctl get -w json` and the v3 gateway's `/v3/kv/range` answer: one JSON document,
/// possibly gigabytes, walked element by element; keys and values are base64, revisions
/// numbers or strings. Concatenated documents (several pages) are read one after another.
final class EtcdctlJSONReader: RecordReader {
    private let framer: JSONFramer
    private(set) var info = InputInfo()
    private var insideKVs = false
    /// A key-value was handed out and what follows it (`,` or `]`) is not read yet: it is
    /// read on the next call, so a document cut off right after a whole key-value still
    /// yields that key-value before the error.
    private var afterKeyValue = false
    private var insideDocument = false
    /// The gateway's `more`: a range with a `limit` left keys out (the endpoint reader pages on).
    private(set) var more = false
    /// False for a file: one whose last document says `more` is an export cut short by a
    /// `--limit`, an input error; the endpoint reader asks for the next page instead.
    private let pagedByCaller: Bool
    private var keyValuesRead = 0
    /// The bytes of the last key read, which a next page starts after (text may have lost
    /// bytes that are not UTF-8).
    private(set) var lastKey: [UInt8] = []
    /// A header, and the `count` of keys the documents claim (a `--count-only` export has
    /// a count and no kvs: not an empty store).
    private var sawHeader = false
    private var claimedCount: Int64 = 0

    /// The members read, of a document and of a key-value (any other is skipped).
    private enum DocumentMember: String, CaseIterable { case kvs, header, count, more }
    private enum KeyValueMember: String, CaseIterable {
        case key, value
        case createRevision = "create_revision", modRevision = "mod_revision"
    }
    private static let documentMembers = MemberNames<DocumentMember>()
    private static let keyValueMembers = MemberNames<KeyValueMember>()

    init(source: ByteSource, pagedByCaller: Bool = false) {
        framer = JSONFramer(source: source)
        self.pagedByCaller = pagedByCaller
    }

    var bytesRead: Int { framer.offset }

    func next() throws -> RawRecord? {
        while true {
            if insideKVs {
                if afterKeyValue {
                    afterKeyValue = false
                    if !(try framer.continues(closing: .endArray)) {
                        insideKVs = false
                        try afterMember()
                        continue
                    }
                }
                // A byte, not a token: the key-value's `{` is read with the rest of it.
                if try framer.nextByte() == UInt8(ascii: "]") {
                    _ = try framer.next()
                    insideKVs = false
                    try afterMember()
                    continue
                }
                let record = try readKeyValue()
                afterKeyValue = true
                keyValuesRead += 1
                return record
            }
            if !insideDocument {
                guard let token = try framer.next() else {
                    guard !more || pagedByCaller else {
                        // Pages of one range concatenated end with one that leaves `more` out.
                        throw framer.error("the last answer says \"more\": true, so etcd left keys out (a range "
                                           + "with --limit): the file holds \(keyValuesRead) of the \(claimedCount) "
                                           + "key-values it counts. This is part of the store: export it whole "
                                           + "(etcdctl get --prefix \"\" -w json), or concatenate every page", at: bytesRead)
                    }
                    return nil
                }
                guard token == .beginObject else {
                    throw framer.error("expected '{' starting an etcd JSON document, found \(JSONFramer.describe(token))")
                }
                insideDocument = true
                more = false  // each page says its own
                if try framer.peek() == .endObject {
                    _ = try framer.next()
                    insideDocument = false
                    continue
                }
            }
            let name = try framer.expectName(among: Self.documentMembers, "a member name")
            try framer.expect(.colon, "':'")
            switch name {
            case .kvs?:
                try framer.expect(.beginArray, "'[' starting kvs")
                if try framer.nextByte() == UInt8(ascii: "]") {
                    _ = try framer.next()
                    try afterMember()
                } else {
                    insideKVs = true
                }
            case .header?:
                try readHeader()
                sawHeader = true
                info.isStoreExport = claimedCount == 0
                try afterMember()
            case .count?:
                claimedCount = max(claimedCount, try framer.integerValue() ?? 0)
                info.isStoreExport = sawHeader && claimedCount == 0
                try afterMember()
            case .more?:
                more = try framer.next() == .scalar("true")
                try afterMember()
            default:
                try framer.skipValue()
                try afterMember()
            }
        }
    }

    private func afterMember() throws {
        if !(try framer.continues(closing: .endObject)) { insideDocument = false }
    }

    private func readHeader() throws {
        try framer.expect(.beginObject, "'{' starting header")
        if try framer.peek() == .endObject {
            _ = try framer.next()
            return
        }
        repeat {
            let name = try framer.expectName("a member name")
            try framer.expect(.colon, "':'")
            switch name {
            case "revision": info.revision = try framer.integerValue()
            case "cluster_id":
                switch try framer.next() {
                case .scalar(let s)?: info.clusterID = s
                case .string(let b)?: info.clusterID = String(decoding: b, as: UTF8.self)
                default: throw framer.error("expected a cluster id")
                }
            default: try framer.skipValue()
            }
        } while try framer.continues(closing: .endObject)
    }

    /// What a key-value holds (its key and value still base64).
    private struct KeyValueParts {
        var key: [UInt8]?
        var value: [UInt8] = []
        var create: Int64?, mod: Int64?
    }

    /// A key-value as etcdctl and the gateway write it, read in one pass over the buffered
    /// bytes: `{"key":"…","create_revision":N,"mod_revision":N,"version":N,"value":"…"}`,
    /// the numbers bare or quoted, no blank or escape. Anything else (another member, a
    /// lease, a value left out, a record past the buffered bytes) is nil: the tokens read
    /// it, as they read everything before this path was added, with the same results.
    private static func plainKeyValue(_ bytes: UnsafeRawBufferPointer) -> (value: KeyValueParts, length: Int)? {
        var cursor = PlainCursor(bytes: bytes)
        guard cursor.take("{\"key\":\""), let key = cursor.text(),
              cursor.take(",\"create_revision\":"), let create = cursor.integer(),
              cursor.take(",\"mod_revision\":"), let mod = cursor.integer(),
              cursor.take(",\"version\":"), cursor.integer() != nil,
              cursor.take(",\"value\":\""), let value = cursor.text(), cursor.take("}") else { return nil }
        return (KeyValueParts(key: Array(bytes[key]), value: Array(bytes[value]), create: create, mod: mod), cursor.index)
    }

    /// The token reader of a key-value's members, after its `{`: in any order, with
    /// blanks and escapes.
    private func tokenKeyValue() throws -> KeyValueParts {
        var parts = KeyValueParts()
        if try framer.peek() == .endObject {
            _ = try framer.next()
            return parts
        }
        repeat {
            let name = try framer.expectName(among: Self.keyValueMembers, "a member name")
            try framer.expect(.colon, "':'")
            switch name {
            case .key?: parts.key = try framer.expectString("a base64 key")
            case .value?: parts.value = try framer.expectString("a base64 value")
            case .createRevision?: parts.create = try framer.integerValue()
            case .modRevision?: parts.mod = try framer.integerValue()
            case nil: try framer.skipValue()
            }
        } while try framer.continues(closing: .endObject)
        return parts
    }

    /// One `{key, value, ...}` object, from its `{` (the locator re-reads one at its offset).
    func readKeyValue() throws -> RawRecord {
        let parts: KeyValueParts, start: Int
        if let plain = try framer.takeBuffered(want: 4096, Self.plainKeyValue) {
            (parts, start) = plain
        } else {
            try framer.expect(.beginObject, "'{' starting a key-value")
            start = framer.tokenOffset
            parts = try tokenKeyValue()
        }
        let (key, value, create, mod) = (parts.key, parts.value, parts.create, parts.mod)
        let location = SourceLocation(path: framer.path, offset: start)
        guard let encodedKey = key else { throw framer.error("key-value without a key", at: start) }
        guard let keyBytes = Base64.decode(encodedKey) else {
            throw framer.error("key is not valid base64", at: start)
        }
        lastKey = keyBytes
        let keyText = RawRecord.keyText(keyBytes)
        var record = RawRecord(key: keyText.text, value: value, createRevision: create, modRevision: mod, location: location)
        record.keyIsUTF8 = keyText.isUTF8
        record.valueIsBase64 = true
        return record
    }
}

/// Reads the fixed shape of `EtcdctlJSONReader.plainKeyValue` from buffered bytes.
private struct PlainCursor {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    /// Takes `literal` when the bytes hold it next.
    mutating func take(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count,
              memcmp(bytes.baseAddress! + index, literal.utf8Start, count) == 0 else { return false }
        index += count
        return true
    }

    /// The text up to the next quote, which is taken too; nil when the bytes end first or
    /// it holds an escape.
    mutating func text() -> Range<Int>? {
        let from = index, end = JSONFramer.plainTextEnd(bytes, from: index)
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        index = end + 1
        return from..<end
    }

    /// Up to 18 digits, bare or in quotes (as the gateway writes numbers).
    mutating func integer() -> Int64? {
        let quoted = index < bytes.count && bytes[index] == UInt8(ascii: "\"")
        guard let (value, end) = JSONFramer.digits(bytes, from: quoted ? index + 1 : index),
              !quoted || bytes[end] == UInt8(ascii: "\"") else { return nil }
        index = quoted ? end + 1 : end
        return value
    }
}
