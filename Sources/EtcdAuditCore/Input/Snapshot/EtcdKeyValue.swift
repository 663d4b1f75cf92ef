/// etcd's `mvccpb.KeyValue` (api/mvccpb/kv.proto), the value of every entry of a
/// snapshot's `key` bucket. Key and value are ranges into the decoded bytes, so entries
/// that turn out to be older revisions are never copied.
struct EtcdKeyValue: Equatable {
    var key: Range<Int> = 0..<0
    var createRevision: Int64 = 0
    var modRevision: Int64 = 0
    var version: Int64 = 0
    var value: Range<Int> = 0..<0
    var lease: Int64 = 0

    private static let fieldNames = [1: "key", 2: "create_revision", 3: "mod_revision", 4: "version", 5: "value",
                                     6: "lease"]

    /// Decodes one message; unknown fields (a newer etcd) are skipped, a known field with
    /// the wrong wire type is damage.
    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> EtcdKeyValue {
        var reader = ProtobufReader(bytes)
        var kv = EtcdKeyValue()
        while let (number, wireType) = try reader.nextField() {
            let wanted: ProtobufReader.WireType
            switch number {
            case 1, 5: wanted = .lengthDelimited
            case 2, 3, 4, 6: wanted = .varint
            default:
                try reader.skip(wireType)
                continue
            }
            guard wireType == wanted else {
                throw ProtobufError(offset: reader.offset, message: "field \(number) (\(fieldNames[number]!)) has "
                                    + "wire type \(wireType.rawValue), expected \(wanted.rawValue)")
            }
            if wanted == .lengthDelimited {
                let range = try reader.lengthDelimited()
                if number == 1 { kv.key = range } else { kv.value = range }
                continue
            }
            // int64 travels as the two's complement bit pattern of a varint.
            let n = Int64(bitPattern: try reader.varint())
            switch number {
            case 2: kv.createRevision = n
            case 3: kv.modRevision = n
            case 4: kv.version = n
            default: kv.lease = n
            }
        }
        return kv
    }
}
