/// Walks one bucket's B+tree in key order, backwards (from its last key, or from the last
/// key before a bound) or forwards (from the first key at or after a bound), holding only
/// the pages on the path from the root to the current leaf.
///
/// A damaged file cannot make it loop: the path is at most `maxDepth` pages deep, and
/// every key must come strictly after the one before it in the walk's direction, so a page
/// reached twice (a cycle, or two parents sharing a child) fails at its first key instead
/// of being walked again.
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
    private let forward: Bool
    /// The pages from the root down, each with the index of the element to visit next (a
    /// leaf) or of the child being walked (a branch). A branch's child is read when the
    /// walk reaches it; a seek reads the children on its way down at once.
    private var path: [(page: BoltPage, index: Int)]
    private var previousKey: [UInt8]?

    var isForward: Bool { forward }

    /// A backward walk from the bucket's last key.
    init(file: BoltFile, root: BoltPage) {
        self.file = file
        forward = false
        path = [(root, root.count - 1)]
        file.prefetchChildren(of: root)
    }

    /// A backward walk from the last key before `bound` (`previous()`), or a forward walk
    /// from the first key at or after it (`next()`).
    init(file: BoltFile, root: BoltPage, bound: [UInt8], forward: Bool) throws {
        self.file = file
        self.forward = forward
        path = []
        var page = root
        while true {
            let index = try Self.seekIndex(in: page, bound: bound, forward: forward)
            path.append((page, index))
            file.prefetchChildren(of: page)
            // A branch index below 0 only when the page has no elements (a leaf, then).
            guard !page.isLeaf else { break }
            page = try child(of: page, at: index)
        }
    }

    /// Where a seek stands in `page`. In a branch, the child that holds the bound's place:
    /// the last whose first key is below it (backwards) or not above it (forwards), else
    /// the first (also right when a stale first key is larger than the child's own keys).
    /// In a leaf, the last key below the bound (-1: none), or the first at or after it
    /// (`count`: none).
    private static func seekIndex(in page: BoltPage, bound: [UInt8], forward: Bool) throws -> Int {
        // The number of elements whose key sorts before the bound (or at it, in a forward
        // branch): keys are sorted, so a binary search finds it.
        let countingEqual = forward && !page.isLeaf
        var low = 0, high = page.count
        while low < high {
            let middle = (low + high) / 2
            let key = page.isLeaf ? try page.leafElement(middle).key : try page.branchElement(middle).key
            let before = page.withBytes(key) { bytes -> Bool in
                let order = Self.compare(bytes, bound)
                return order < 0 || (countingEqual && order == 0)
            }
            if before { low = middle + 1 } else { high = middle }
        }
        if page.isLeaf { return forward ? low : low - 1 }
        return max(low - 1, 0)
    }

    private static func compare(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// The entry before the last one returned (the last entry of the bucket at first), or
    /// nil when the walk is done. Backward walks only.
    mutating func previous() throws -> Entry? {
        precondition(!forward, "previous() on a forward walk")
        return try step()
    }

    /// The entry after the last one returned, or nil when the walk is done. Forward walks only.
    mutating func next() throws -> Entry? {
        precondition(forward, "next() on a backward walk")
        return try step()
    }

    private mutating func step() throws -> Entry? {
        let delta = forward ? 1 : -1
        while let (page, index) = path.last {
            if index < 0 || index >= page.count {
                path.removeLast()
                if !path.isEmpty { path[path.count - 1].index += delta }
                continue
            }
            if page.isLeaf {
                path[path.count - 1].index += delta
                let element = try page.leafElement(index)
                let entry = Entry(page: page, index: index, isBucket: element.isBucket, key: element.key,
                                  value: element.value)
                try checkOrder(entry)
                return entry
            }
            let child = try child(of: page, at: index)
            path.append((child, forward ? 0 : child.count - 1))
            file.prefetchChildren(of: child)
        }
        return nil
    }

    /// Child `index` of branch `page`, one level below the current path.
    private func child(of page: BoltPage, at index: Int) throws -> BoltPage {
        guard path.count < Self.maxDepth else {
            throw InputError(path: file.path, offset: page.elementOffset(index),
                             message: "the tree is more than \(Self.maxDepth) pages deep at \(page.label): "
                             + "a cycle of pages, the snapshot is corrupt")
        }
        return try file.page(try page.branchElement(index).child,
                             reference: (page.elementOffset(index), "element \(index) of \(page.label)"))
    }

    private mutating func checkOrder(_ entry: Entry) throws {
        let key = entry.keyBytes()
        if let previousKey, !(forward ? previousKey.lexicographicallyPrecedes(key) : key.lexicographicallyPrecedes(previousKey)) {
            throw InputError(path: file.path, offset: entry.offset,
                             message: "element \(entry.index) of \(entry.page.label) is out of key order "
                             + "(a page reached twice, or a damaged page): the snapshot is corrupt")
        }
        previousKey = key
    }
}
