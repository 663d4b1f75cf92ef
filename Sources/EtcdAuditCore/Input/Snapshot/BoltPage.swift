/// A branch or leaf page of a bbolt file (with its overflow pages), or the page inside an
/// inline bucket's value. Every element it hands out has been checked to lie inside it,
/// so damage becomes an `InputError` naming the page and byte, never a read out of bounds.
struct BoltPage {
    static let headerSize = 16
    static let elementSize = 16
    static let branchFlag: UInt16 = 0x01
    static let leafFlag: UInt16 = 0x02
    /// Pages 0 and 1 (what format detection looks for).
    static let metaFlag: UInt16 = 0x04
    /// A leaf element whose value is a nested bucket.
    static let bucketFlag: UInt32 = 0x01

    let bytes: [UInt8]
    /// Where `bytes[0]` stands in the file.
    let fileOffset: Int
    /// "page 12" or "the inline bucket `key`", for messages.
    let label: String
    let isLeaf: Bool
    let count: Int
    private let path: String

    init(bytes: [UInt8], fileOffset: Int, label: String, path: String) throws {
        self.bytes = bytes
        self.fileOffset = fileOffset
        self.label = label
        self.path = path
        guard bytes.count >= Self.headerSize else {
            throw InputError(path: path, offset: fileOffset, message: "\(label) is shorter than a page header")
        }
        let header = LittleEndianBytes(bytes)
        let flags = header.u16(8)
        guard flags == Self.branchFlag || flags == Self.leafFlag else {
            throw InputError(path: path, offset: fileOffset + 8, message: "\(label) should be a branch or leaf page "
                             + "of the tree but has page flags 0x\(String(flags, radix: 16)): the snapshot is corrupt")
        }
        isLeaf = flags == Self.leafFlag
        count = Int(header.u16(10))
        guard Self.headerSize + count * Self.elementSize <= bytes.count else {
            throw InputError(path: path, offset: fileOffset + 10, message: "\(label) claims \(count) elements, "
                             + "more than it can hold: the snapshot is corrupt")
        }
        // bbolt never writes an empty branch; walking one would find nothing to descend to.
        guard isLeaf || count > 0 else {
            throw InputError(path: path, offset: fileOffset + 10, message: "\(label) is a branch page without elements")
        }
    }

    /// File offset of element `index`'s header (the location of a record read from it).
    func elementOffset(_ index: Int) -> Int {
        fileOffset + Self.headerSize + index * Self.elementSize
    }

    /// Branch element: the first key under the child, and the child's page id.
    func branchElement(_ index: Int) throws -> (key: Range<Int>, child: UInt64) {
        let at = Self.headerSize + index * Self.elementSize
        let element = LittleEndianBytes(bytes)
        let key = try span(index, at + Int(element.u32(at)), Int(element.u32(at + 4)), 0)
        return (key.key, element.u64(at + 8))
    }

    /// Leaf element: whether its value is a nested bucket, its key and its value.
    func leafElement(_ index: Int) throws -> (isBucket: Bool, key: Range<Int>, value: Range<Int>) {
        let at = Self.headerSize + index * Self.elementSize
        let element = LittleEndianBytes(bytes)
        let flags = element.u32(at)
        let (key, value) = try span(index, at + Int(element.u32(at + 4)), Int(element.u32(at + 8)),
                                    Int(element.u32(at + 12)))
        return (flags & Self.bucketFlag != 0, key, value)
    }

    /// Key and value ranges of an element whose data starts at `start` (element-relative
    /// `pos` already added), checked to end inside the page and its overflow.
    private func span(_ index: Int, _ start: Int, _ keySize: Int, _ valueSize: Int) throws
        -> (key: Range<Int>, value: Range<Int>)
    {
        let end = start + keySize + valueSize
        guard end <= bytes.count else {
            throw InputError(path: path, offset: elementOffset(index),
                             message: "element \(index) of \(label) points \(end - bytes.count) bytes past the end "
                             + "of the page (\(bytes.count) bytes with overflow): the snapshot is corrupt")
        }
        return (start..<(start + keySize), (start + keySize)..<end)
    }

    /// Runs `body` on the bytes of `range` without copying them.
    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}
