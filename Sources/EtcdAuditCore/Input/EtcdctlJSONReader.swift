/// `etcdctl get -w json` and the v3 gateway's `/v3/kv/range` answer: one JSON document,
/// possibly gigabytes, walked element by element; keys and values are base64, revisions
/// numbers or strings. Concatenated documents (several pages) are read one after another.
final class EtcdctlJSONReader: RecordReader {
    private let framer: JSONFramer
    private(set) var info = InputInfo()
    private var insideKVs = false
    private var insideDocument = false
    /// The gateway's `more`: a range with a `limit` left keys out (the endpoint reader pages on).
    private(set) var more = false
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

    init(source: ByteSource) {
        framer = JSONFramer(source: source)
    }

    var bytesRead: Int { framer.offset }

    func next() throws -> RawRecord? {
        while true {
            if insideKVs {
                if try framer.peek() == .endArray {
                    _ = try framer.next()
                    insideKVs = false
                    try afterMember()
                    continue
                }
                let record = try readKeyValue()
                if !(try framer.continues(closing: .endArray)) {
                    insideKVs = false
                    try afterMember()
                }
                return record
            }
            if !insideDocument {
                guard let token = try framer.next() else { return nil }
                guard token == .beginObject else {
                    throw framer.error("expected '{' starting an etcd JSON document, found \(JSONFramer.describe(token))")
                }
                insideDocument = true
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
                if try framer.peek() == .endArray {
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

    /// One `{key, value, ...}` object, from its `{` (the locator re-reads one at its offset).
    func readKeyValue() throws -> RawRecord {
        try framer.expect(.beginObject, "'{' starting a key-value")
        let start = framer.tokenOffset
        var key: [UInt8]?
        var value: [UInt8] = []
        var create: Int64?, mod: Int64?
        if try framer.peek() == .endObject {
            _ = try framer.next()
        } else {
            repeat {
                let name = try framer.expectName(among: Self.keyValueMembers, "a member name")
                try framer.expect(.colon, "':'")
                switch name {
                case .key?: key = try framer.expectString("a base64 key")
                case .value?: value = try framer.expectString("a base64 value")
                case .createRevision?: create = try framer.integerValue()
                case .modRevision?: mod = try framer.integerValue()
                case nil: try framer.skipValue()
                }
            } while try framer.continues(closing: .endObject)
        }
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
