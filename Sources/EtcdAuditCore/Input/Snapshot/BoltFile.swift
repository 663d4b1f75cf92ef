#if canImport(Glibc)
import Glibc
#endif

/// A bbolt database file (what `etcdctl snapshot save` writes) opened for random access.
/// Pages are read with `pread` when the walk reaches them and dropped when it leaves them,
/// so memory holds the pages on the current path of the tree, never the file.
final class BoltFile {
    let path: String
    let meta: BoltMeta
    /// Open for the file's life (what `EtcdSnapshot.key(atElement:)` reads again).
    let descriptor: Int32
    let fileSize: Int

    var pageSize: Int { meta.pageSize }

    /// Takes ownership of `descriptor` (closed with the file, or on failure), a file of
    /// `fileSize` bytes.
    init(path: String, descriptor: Int32, fileSize: Int) throws {
        self.path = path
        self.descriptor = descriptor
        self.fileSize = fileSize
        do {
            meta = try Self.chooseMeta(path: path, fileSize: fileSize) { offset, count in
                try Self.pread(descriptor, path: path, at: offset, count: count)
            }
        } catch {
            close(descriptor)
            throw error
        }
        // A snapshot is written as exactly `pageCount` pages (etcd appends a 32-byte
        // sha256); anything shorter lost pages at its end.
        let needed = Int(clamping: meta.pageCount &* UInt64(meta.pageSize))
        if meta.pageCount > UInt64(Int.max / meta.pageSize) || needed > fileSize {
            close(descriptor)
            throw InputError(path: path, offset: fileSize,
                             message: "the file ends after \(fileSize) bytes, but its meta page (txid \(meta.txid)) "
                             + "says the database spans \(meta.pageCount) pages of \(meta.pageSize) bytes: "
                             + "the snapshot is truncated")
        }
    }

    deinit {
        close(descriptor)
    }

    /// Meta pages 0 and 1: the valid one with the higher txid, as bbolt opens a database.
    /// Page 1 stands one page size in; when page 0 cannot say what that is, the sizes bbolt
    /// uses are tried.
    private static func chooseMeta(path: String, fileSize: Int, read: (Int, Int) throws -> [UInt8]) throws -> BoltMeta {
        guard fileSize >= BoltMeta.size else {
            throw InputError(path: path, offset: fileSize, message: "\(fileSize) bytes are too few for a bbolt file")
        }
        var problems: [String] = []
        var valid: [BoltMeta] = []
        var meta1Offsets = BoltMeta.secondMetaOffsets
        switch BoltMeta.parse(try read(0, BoltMeta.size)) {
        case .success(let meta0):
            valid.append(meta0)
            meta1Offsets = [meta0.pageSize]
        case .failure(let problem):
            problems.append("page 0 (byte 16): \(problem.message)")
        }
        // Of the places tried for page 1, the problem of one that looks like a meta page
        // says more than "no magic" at the others.
        var meta1Problem: BoltMeta.MetaProblem? = BoltMeta.MetaProblem(message: "beyond the end of the file", isBbolt: false)
        var meta1Offset = meta1Offsets[0]
        for offset in meta1Offsets where offset + BoltMeta.size <= fileSize {
            var problem: BoltMeta.MetaProblem?
            switch BoltMeta.parse(try read(offset, BoltMeta.size)) {
            case .success(let meta1) where meta1.pageSize == offset:
                valid.append(meta1)
            case .success(let meta1):
                problem = BoltMeta.MetaProblem(message: "page size \(meta1.pageSize) does not match its place")
            case .failure(let failure):
                problem = failure
            }
            guard let problem else {
                meta1Problem = nil
                break
            }
            if offset == meta1Offsets[0] || (problem.isBbolt && meta1Problem?.isBbolt != true) {
                meta1Problem = problem
                meta1Offset = offset
            }
        }
        if let meta1Problem { problems.append("page 1 (byte \(meta1Offset + 16)): \(meta1Problem.message)") }
        guard let chosen = valid.max(by: { $0.txid < $1.txid }) else {
            throw InputError(path: path, offset: 16, message: "no valid bbolt meta page, the snapshot is corrupt: "
                             + problems.joined(separator: "; "))
        }
        return chosen
    }

    /// The page `id` with its overflow pages, checked to lie inside the database.
    /// `reference` says who pointed to it, for the message when it cannot be read.
    func page(_ id: UInt64, reference: @autoclosure () -> (offset: Int, text: String)) throws -> BoltPage {
        guard id >= 2, id < meta.pageCount else {
            let (offset, text) = reference()
            throw InputError(path: path, offset: offset, message: "\(text) points to page \(id), outside the tree "
                             + "(pages 2 to \(meta.pageCount - 1)): the snapshot is corrupt")
        }
        let start = Int(id) * pageSize
        var bytes = try Self.pread(descriptor, path: path, at: start, count: pageSize)
        let header = LittleEndianBytes(bytes)
        guard header.u64(0) == id else {
            throw InputError(path: path, offset: start, message: "page \(id) says it is page \(header.u64(0)): "
                             + "the snapshot is corrupt")
        }
        let overflow = UInt64(header.u32(12))
        if overflow > 0 {
            guard id + overflow < meta.pageCount else {
                throw InputError(path: path, offset: start + 12, message: "page \(id) claims \(overflow) overflow "
                                 + "pages, past the last page \(meta.pageCount - 1): the snapshot is corrupt")
            }
            bytes += try Self.pread(descriptor, path: path, at: start + pageSize, count: Int(overflow) * pageSize)
        }
        return try BoltPage(bytes: bytes, fileOffset: start, label: "page \(id)", path: path)
    }

    /// Pages within this many of each other are asked for in one stretch: the stretch then
    /// also covers the overflow pages that follow each child (a value of a few KiB).
    static let prefetchGap: UInt64 = 8

    /// Pages asked for so far (`prefetchChildren`): what shows the walk asks ahead.
    private(set) var pagesAskedAhead: UInt64 = 0

    /// Tells the kernel which pages the walk will read next: every child of the branch
    /// `page`, in stretches of nearby pages. A snapshot copied in for an audit is often not
    /// in the page cache, and read one page at a time, backwards (where the kernel reads
    /// nothing ahead), each leaf would wait for the disk: a 1.59 GB snapshot read cold took
    /// 2.2 to 2.6 times as long as its range. bbolt lays a branch's children out near each
    /// other, so this is a few requests per branch, served while the walk goes on; ids it
    /// would refuse to read are left for `page` to report.
    func prefetchChildren(of page: BoltPage) {
        guard !page.isLeaf else { return }
        let children = (0..<page.count).compactMap { try? page.branchElement($0).child }
        for stretch in Self.prefetchStretches(children, pageCount: meta.pageCount) {
            pagesAskedAhead += UInt64(stretch.count)
            _ = posix_fadvise(descriptor, off_t(Int(stretch.lowerBound) * pageSize),
                              off_t(stretch.count * pageSize), Int32(POSIX_FADV_WILLNEED))
        }
    }

    /// The page ids to ask for, given a branch's children: sorted, nearby ones joined, each
    /// stretch reaching `prefetchGap` pages past its last child (its overflow), none past
    /// the database's `pageCount` pages nor into the meta pages.
    static func prefetchStretches(_ children: [UInt64], pageCount: UInt64) -> [Range<UInt64>] {
        let sorted = children.filter { $0 >= 2 && $0 < pageCount }.sorted()
        var stretches: [Range<UInt64>] = []
        for child in sorted {
            if let last = stretches.last, child <= last.upperBound {
                stretches[stretches.count - 1] = last.lowerBound..<min(child + 1 + prefetchGap, pageCount)
            } else {
                stretches.append(child..<min(child + 1 + prefetchGap, pageCount))
            }
        }
        return stretches
    }

    /// The root page of a bucket, from the value of its entry in the parent bucket: a
    /// 16-byte header (root page id, sequence), then, when the root id is 0, the bucket's
    /// only page inline.
    func bucketRoot(_ value: [UInt8], valueOffset: Int, name: String) throws -> BoltPage {
        guard value.count >= 16 else {
            throw InputError(path: path, offset: valueOffset, message: "bucket `\(name)` has a \(value.count)-byte "
                             + "header, expected 16: the snapshot is corrupt")
        }
        let root = LittleEndianBytes(value).u64(0)
        if root != 0 { return try page(root, reference: (valueOffset, "bucket `\(name)`")) }
        let page = try BoltPage(bytes: Array(value[16...]), fileOffset: valueOffset + 16,
                                label: "the inline bucket `\(name)`", path: path)
        guard page.isLeaf else {
            throw InputError(path: path, offset: valueOffset + 16, message: "the inline bucket `\(name)` is not a "
                             + "leaf page: the snapshot is corrupt")
        }
        return page
    }

    static func pread(_ descriptor: Int32, path: String, at offset: Int, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { p in
                Glibc.pread(descriptor, p.baseAddress! + done, count - done, off_t(offset + done))
            }
            if got < 0, errno == EINTR { continue }
            if got < 0 {
                throw InputError(path: path, offset: offset + done,
                                 message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if got == 0 {
                throw InputError(path: path, offset: offset + done, message: "the file ends inside a page: "
                                 + "the snapshot is truncated")
            }
            done += got
        }
        return bytes
    }
}
