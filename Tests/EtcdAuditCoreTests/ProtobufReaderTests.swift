@testable import EtcdAuditCore
import Testing

/// The wire-format decoder and `mvccpb.KeyValue` on hand-written messages; the snapshot
/// tests prove it on what etcd wrote.
struct ProtobufReaderTests {
    func decode(_ bytes: [UInt8]) throws -> EtcdKeyValue {
        try bytes.withUnsafeBytes { try EtcdKeyValue.decode($0) }
    }

    func failure(_ bytes: [UInt8]) -> ProtobufError? {
        do {
            _ = try decode(bytes)
            return nil
        } catch {
            return error as? ProtobufError
        }
    }

    @Test func everyFieldOfAKeyValue() throws {
        // key "/a", create 300 (two-byte varint), mod 7, version 1, value "{}", lease -1.
        let message: [UInt8] = [0x0A, 2, 0x2F, 0x61, 0x10, 0xAC, 0x02, 0x18, 7, 0x20, 1, 0x2A, 2, 0x7B, 0x7D,
                                0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        let kv = try decode(message)
        #expect(Array(message[kv.key]) == Array("/a".utf8))
        #expect(Array(message[kv.value]) == Array("{}".utf8))
        #expect(kv.createRevision == 300 && kv.modRevision == 7 && kv.version == 1 && kv.lease == -1)
    }

    @Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
        let message: [UInt8] = [0x38, 0x96, 0x01,  // field 7, varint
                                0x41, 1, 2, 3, 4, 5, 6, 7, 8,  // field 8, fixed64
                                0x4A, 3, 9, 9, 9,  // field 9, length-delimited
                                0x55, 1, 2, 3, 4,  // field 10, fixed32
                                0x0A, 1, 0x6B, 0x18, 5]
        let kv = try decode(message)
        #expect(Array(message[kv.key]) == [0x6B])
        #expect(kv.modRevision == 5)
        #expect(kv.value.isEmpty)
    }

    @Test func emptyMessageIsAllDefaults() throws {
        #expect(try decode([]) == EtcdKeyValue())
    }

    @Test("malformed messages are errors with an offset", arguments: [
        ([0x10, 0x80, 0x80], "varint runs past the end"),
        ([0x10] + [UInt8](repeating: 0xFF, count: 10) + [0x01], "longer than 64 bits"),
        ([0x0A, 5, 0x61], "runs past the end of the message"),
        ([0x0F], "invalid wire type 7"),
        ([0x0E], "invalid wire type 6"),
        ([0x02, 0], "invalid field number 0"),
        ([0x5B, 0x5C], "unexpected group"),
        ([0x65, 1, 2, 3], "fixed field runs past the end"),
        ([0x10, 0x01, 0x08, 0x01], "field 1 (key) has wire type 0, expected 2"),
        ([0x1A, 0x01, 0x00], "field 3 (mod_revision) has wire type 2, expected 0"),
    ] as [([UInt8], String)])
    func malformed(bytes: [UInt8], gist: String) {
        let error = failure(bytes)
        #expect(error?.message.contains(gist) == true, "\(String(describing: error))")
        #expect((error?.offset ?? -1) >= 0 && (error?.offset ?? .max) <= bytes.count)
    }

    @Test func revisionsAndTombstones() {
        let live: [UInt8] = [0, 0, 0, 0, 0, 0, 1, 2, 0x5F, 0, 0, 0, 0, 0, 0, 0, 3]
        let revision = live.withUnsafeBytes { EtcdRevision($0) }
        #expect(revision?.main == 258 && revision?.sub == 3 && revision?.isTombstone == false)
        #expect((live + [0x74]).withUnsafeBytes { EtcdRevision($0) }?.isTombstone == true)
        #expect((live + [0x78]).withUnsafeBytes { EtcdRevision($0) } == nil)
        #expect(Array(live.prefix(16)).withUnsafeBytes { EtcdRevision($0) } == nil)
        var noSeparator = live
        noSeparator[8] = 0x2D
        #expect(noSeparator.withUnsafeBytes { EtcdRevision($0) } == nil)
    }
}
