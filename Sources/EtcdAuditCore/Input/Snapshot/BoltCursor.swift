/// Walks one bucket's B+tree from its last key to its first, holding only the pages on
/// the path from the root to the current leaf.
///
/// A damaged file cannot make it loop: the path is at most `maxDepth` pages deep, and
/// every key must be smaller than the one before it, so a page reached twice (a cycle,
/// or two parents sharing a child) fails at its first key instead of being walked again.
struct BoltCursor {
    /// bbolt keeps at least two keys per page, so 64 levels would need 2^64 entries.
    static let maxDepth = 64

    /// One leaf element: its page, whether it is a nested bucket, and its key and value.
    struct Entry {
        var page: BoltPage
        var index: Int
        var isBucket: Bool
        var key: Range<Int>
        var value: Range<Int>

        var offset: Int { page.elementOffset(index) }
        var valueOffset: Int { page.fileOffset + value.lowerBound }
        func keyBytes() -> [UInt8] { Array(page.bytes[key]) }
        func valueBytes() -> [UInt8] { Array(page.bytes[value]) }
    }

    private let file: BoltFile
    /// The pages from the root down, each with the index of the element to visit next.
    private var path: [(page: BoltPage, index: Int)]
    private var previousKey: [UInt8]?

    init(file: BoltFile, root: BoltPage) {
        self.file = file
        path = [(root, root.count - 1)]
    }

    /// The entry before the last one returned (the last entry of the bucket at first), or
    /// nil when the walk is done.
    mutating func previous() throws -> Entry? {
        while let (page, index) = path.last {
            if index < 0 {
                path.removeLast()
                if !path.isEmpty { path[path.count - 1].index -= 1 }
                continue
            }
            if page.isLeaf {
                path[path.count - 1].index -= 1
                let element = try page.leafElement(index)
                let entry = Entry(page: page, index: index, isBucket: element.isBucket, key: element.key,
                                  value: element.value)
                try checkOrder(entry)
                return entry
            }
            guard path.count < Self.maxDepth else {
                throw InputError(path: file.path, offset: page.elementOffset(index),
                                 message: "the tree is more than \(Self.maxDepth) pages deep at \(page.label): "
                                 + "a cycle of pages, the snapshot is corrupt")
            }
            let child = try file.page(try page.branchElement(index).child,
                                      reference: (page.elementOffset(index), "element \(index) of \(page.label)"))
            path.append((child, child.count - 1))
        }
        return nil
    }

    private mutating func checkOrder(_ entry: Entry) throws {
        let key = entry.keyBytes()
        if let previousKey, !key.lexicographicallyPrecedes(previousKey) {
            throw InputError(path: file.path, offset: entry.offset,
                             message: "element \(entry.index) of \(entry.page.label) is out of key order "
                             + "(a page reached twice, or a damaged page): the snapshot is corrupt")
        }
        previousKey = key
    }
}
