/// The bbolt key of an entry in an etcd snapshot's `key` bucket (server/mvcc/revision.go):
/// the main revision (8 bytes, big-endian), `_`, the sub revision (8 bytes, big-endian),
/// and a trailing `t` when the entry is a tombstone (the key was deleted at that revision).
/// Big-endian makes bbolt's byte order the order of revisions.
struct EtcdRevision: Equatable, CustomStringConvertible {
    var main: Int64
    var sub: Int64
    var isTombstone: Bool

    /// Nil when the bytes are not a revision.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 17 || (bytes.count == 18 && bytes[17] == UInt8(ascii: "t")),
              bytes[8] == UInt8(ascii: "_") else { return nil }
        main = Int64(bitPattern: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
        sub = Int64(bitPattern: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 9, as: UInt64.self)))
        isTombstone = bytes.count == 18
    }

    /// The bucket key of revision `main`.0 (no tombstone): what a walk seeks to.
    static func bytes(main: Int64) -> [UInt8] {
        withUnsafeBytes(of: UInt64(bitPattern: main).bigEndian) { Array($0) } + [UInt8(ascii: "_")] + Array(repeating: 0, count: 8)
    }

    var description: String { "\(main).\(sub)" + (isTombstone ? " (tombstone)" : "") }
}
