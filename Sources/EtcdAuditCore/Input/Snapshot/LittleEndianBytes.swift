/// Reads bbolt's integers, which it writes in the machine's order: little-endian on the
/// machines this tool runs on (a big-endian file fails the meta page's magic check).
struct LittleEndianBytes {
    private let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func u16(_ offset: Int) -> UInt16 { UInt16(littleEndian: load(offset)) }
    func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: load(offset)) }
    func u64(_ offset: Int) -> UInt64 { UInt64(littleEndian: load(offset)) }

    private func load<T: FixedWidthInteger>(_ offset: Int) -> T {
        // Callers check bounds against the file's data and report damage; this is only the
        // net under those checks, so a bug traps instead of reading past the buffer.
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= bytes.count)
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }
}
