/// The meta page of a bbolt file (bbolt's `meta` struct after the 16-byte page header):
/// where the root bucket is, how many pages the database spans, and which transaction
/// wrote it. bbolt keeps two (pages 0 and 1) and trusts the valid one with the higher txid.
struct BoltMeta {
    static let magic: UInt32 = 0xED0CDAED
    static let version: UInt32 = 2
    /// Page header plus every field up to and including the checksum.
    static let size = 16 + 64
    /// Where meta page 1 may stand when page 0 cannot say: one page in, at each page size
    /// bbolt uses.
    static let secondMetaOffsets = [4096, 8192, 16384, 32768, 65536]

    var pageSize: Int
    /// Page id of the root bucket's tree (the bucket of buckets).
    var rootPage: UInt64
    /// The high-water mark: pages 0 ..< pageCount hold the database.
    var pageCount: UInt64
    var txid: UInt64

    /// Parses and validates the meta page in `bytes` (at least `size` of them); on failure
    /// says why, as bbolt's `meta.validate` would refuse it.
    static func parse(_ bytes: [UInt8]) -> Result<BoltMeta, MetaProblem> {
        guard bytes.count >= size else { return .failure(MetaProblem(message: "page too short for a meta page")) }
        let reader = LittleEndianBytes(bytes)
        guard reader.u32(16) == magic else {
            return .failure(MetaProblem(message: "no bbolt magic (found 0x\(String(reader.u32(16), radix: 16)))",
                                        isBbolt: false))
        }
        guard reader.u32(20) == version else {
            return .failure(MetaProblem(message: "bbolt format version \(reader.u32(20)), expected \(version)"))
        }
        // FNV-1a 64 over the meta fields before the checksum, like bbolt's `meta.sum64`.
        var sum: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes[16..<72] {
            sum ^= UInt64(byte)
            sum = sum &* 0x0000_0100_0000_01b3
        }
        let stored = reader.u64(72)
        guard stored == sum else {
            return .failure(MetaProblem(message: "checksum mismatch (stored 0x\(String(stored, radix: 16)), "
                                        + "computed 0x\(String(sum, radix: 16)))"))
        }
        let pageSize = Int(reader.u32(24))
        guard pageSize >= 1024, pageSize <= 1 << 20, pageSize & (pageSize - 1) == 0 else {
            return .failure(MetaProblem(message: "implausible page size \(pageSize)"))
        }
        return .success(BoltMeta(pageSize: pageSize, rootPage: reader.u64(32), pageCount: reader.u64(56),
                                 txid: reader.u64(64)))
    }

    struct MetaProblem: Error {
        var message: String
        /// False when the page does not even start like a meta page.
        var isBbolt = true
    }
}
