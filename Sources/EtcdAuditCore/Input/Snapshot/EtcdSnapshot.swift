/// An etcd v3 snapshot opened for reading its history: the `key` bucket holds, keyed by
/// revision, every version of every key written since the last compaction (and, for each
/// key alive at the compaction, its version then). Two walks serve every use:
///
/// - `versions(atOrBefore:)` goes backwards from a revision: the first version met of
///   each key is the one the store held at that revision (`SnapshotReader`);
/// - `writes(after:)` goes forwards: every write in revision order, puts and deletions,
///   which replays the store from one revision to the next (a history of the store).
///
/// Both hold the pages on one path of the tree, never the file.
final class EtcdSnapshot {
    let file: BoltFile
    private let keyRoot: BoltPage
    private let root: BoltPage

    /// Takes ownership of `descriptor`, a random-access file of `fileSize` bytes.
    init(path: String, descriptor: Int32, fileSize: Int) throws {
        file = try BoltFile(path: path, descriptor: descriptor, fileSize: fileSize)
        root = try file.page(file.meta.rootPage, reference: (16, "the meta page (txid \(file.meta.txid))"))
        guard let key = try Self.bucketRoot(named: "key", in: file, root: root) else {
            throw InputError(path: path, offset: nil, message: "this bbolt file has no `key` bucket: it is not an "
                             + "etcd v3 snapshot")
        }
        keyRoot = key
    }

    var path: String { file.path }

    /// A nested bucket of the root bucket (the bucket of buckets), nil when there is none.
    private static func bucketRoot(named name: String, in file: BoltFile, root: BoltPage) throws -> BoltPage? {
        let wanted = Array(name.utf8)
        var buckets = try BoltCursor(file: file, root: root, bound: wanted, forward: true)
        guard let entry = try buckets.next(), entry.keyBytes() == wanted else { return nil }
        guard entry.isBucket else {
            throw InputError(path: file.path, offset: entry.offset, message: "`\(name)` in the root bucket is not a bucket")
        }
        return try file.bucketRoot(entry.valueBytes(), valueOffset: entry.valueOffset, name: name)
    }

    // MARK: the revisions held

    /// The newest revision written (the store's revision as etcd restores it: never below
    /// its compaction), nil for a store never written to.
    func newestRevision() throws -> Int64? {
        var cursor = BoltCursor(file: file, root: keyRoot)
        let newest = try cursor.previous().map { try Version(entry: $0, path: path).revision.main }
        let compacted = try compactedRevision()
        guard let newest else { return compacted }
        return max(newest, compacted ?? newest)
    }

    /// The revision the store was compacted at, nil if never. A compaction etcd scheduled
    /// but had not finished counts: etcd refuses reads below it already (`ErrCompacted`),
    /// and its deletions below it may be half done in the file.
    func compactedRevision() throws -> Int64? {
        guard let meta = try Self.bucketRoot(named: "meta", in: file, root: root) else { return nil }
        var compacted: Int64?
        for name in ["scheduledCompactRev", "finishedCompactRev"] {
            let wanted = Array(name.utf8)
            var cursor = try BoltCursor(file: file, root: meta, bound: wanted, forward: true)
            guard let entry = try cursor.next(), entry.keyBytes() == wanted else { continue }
            guard let revision = entry.page.withBytes(entry.value, { EtcdRevision($0) }) else {
                throw InputError(path: path, offset: entry.offset, message: "`\(name)` in bucket `meta` has a "
                                 + "\(entry.value.count)-byte value that is not a revision: the snapshot is corrupt")
            }
            compacted = max(compacted ?? revision.main, revision.main)
        }
        return compacted
    }

    /// The revisions whose store the file holds: from the compaction (or 1, etcd's first
    /// revision) to the newest.
    func heldRevisions() throws -> ClosedRange<Int64> {
        let first = max(try compactedRevision() ?? 1, 1)
        return first...max(try newestRevision() ?? 1, first)
    }

    /// Nil when the store at `revision` can be read from the file, else the input error
    /// that says which revisions it holds.
    func refusal(of revision: Int64) throws -> InputError? {
        let held = try heldRevisions()
        let range = "this snapshot holds revisions \(held.lowerBound) to \(held.upperBound)"
        if revision < held.lowerBound {
            return InputError(path: path, offset: nil, message: "revision \(revision) has been compacted: \(range) "
                              + "(compacted at \(held.lowerBound)); give --revision in that range")
        }
        if revision > held.upperBound {
            return InputError(path: path, offset: nil, message: "revision \(revision) is newer than the store: "
                              + "\(range); give --revision in that range")
        }
        return nil
    }

    // MARK: walks

    /// The versions written at `revision` or before, newest first.
    func versions(atOrBefore revision: Int64) throws -> VersionWalk {
        try VersionWalk(snapshot: self, cursor: BoltCursor(file: file, root: keyRoot,
                                                           bound: Self.bound(after: revision), forward: false))
    }

    /// The versions written after `revision` (every one with 0), oldest first: each a put
    /// or a deletion (`Version.isDeletion`), sub revisions of one transaction in order.
    func writes(after revision: Int64) throws -> VersionWalk {
        try VersionWalk(snapshot: self, cursor: BoltCursor(file: file, root: keyRoot,
                                                           bound: Self.bound(after: revision), forward: true))
    }

    /// The first bucket key after every version of `revision`. Wrapping past Int64.max
    /// gives the sign bit, above every revision, as it should.
    private static func bound(after revision: Int64) -> [UInt8] {
        EtcdRevision.bytes(main: max(revision, 0) &+ 1)
    }

    /// The versions newest first, the whole bucket (the store at its newest revision).
    func versions() -> VersionWalk {
        VersionWalk(snapshot: self, cursor: BoltCursor(file: file, root: keyRoot))
    }
}

extension EtcdSnapshot {
    /// The etcd key and value of the version whose bbolt leaf element stands at `offset`
    /// (16 bytes: flags, the data's position from the element, key size, value size); a
    /// value spanning overflow pages is contiguous in the file. Nil when the bytes there
    /// are not such an element (the file changed): what the locator and `history` read again.
    static func keyValue(atElement offset: Int, descriptor: Int32, size: Int, path: String) throws
        -> (key: [UInt8], value: [UInt8])?
    {
        guard offset >= 0, offset + BoltPage.elementSize <= size else { return nil }
        let element = LittleEndianBytes(try BoltFile.pread(descriptor, path: path, at: offset, count: BoltPage.elementSize))
        let dataStart = offset + Int(element.u32(4))
        let keySize = Int(element.u32(8)), valueSize = Int(element.u32(12))
        guard dataStart + keySize + valueSize <= size else { return nil }
        let data = try BoltFile.pread(descriptor, path: path, at: dataStart + keySize, count: valueSize)
        let kv = try data.withUnsafeBytes { try EtcdKeyValue.decode($0) }
        return (Array(data[kv.key]), Array(data[kv.value]))
    }

    /// The etcd key of the version whose leaf element stands at `offset`, one this walk
    /// met before (what `SnapshotReader` compares when two keys' hashes agree).
    func key(atElement offset: Int) throws -> [UInt8] {
        let changed = InputError(path: path, offset: offset, message: "the version met at this element before no "
                                 + "longer reads as one: the snapshot changed while it was read")
        do {
            guard let read = try Self.keyValue(atElement: offset, descriptor: file.descriptor, size: file.fileSize,
                                               path: path) else { throw changed }
            return read.key
        } catch let error as InputError {
            throw error  // a read that failed, or `changed`
        } catch {
            throw changed  // no longer a KeyValue message
        }
    }

    /// One entry of the `key` bucket: a key's version written at `revision`. Its key and
    /// value stay in the page (`keyBytes()`, `valueBytes()`), so versions a walk passes
    /// over are never copied.
    struct Version {
        var revision: EtcdRevision
        var kv: EtcdKeyValue
        var entry: BoltCursor.Entry

        /// A deletion of the key (etcd's tombstone: its value is the key alone).
        var isDeletion: Bool { revision.isTombstone }
        /// Where the version stands in the file: its leaf element (what the locator reads again).
        var offset: Int { entry.offset }

        init(entry: BoltCursor.Entry, path: String) throws {
            self.entry = entry
            guard !entry.isBucket else { throw Self.damage(entry, path, "is a nested bucket, not a revision") }
            guard let revision = entry.page.withBytes(entry.key, { EtcdRevision($0) }) else {
                throw Self.damage(entry, path, "has a \(entry.key.count)-byte key that is not a revision")
            }
            self.revision = revision
            do {
                kv = try entry.page.withBytes(entry.value) { try EtcdKeyValue.decode($0) }
            } catch let error as ProtobufError {
                throw InputError(path: path, offset: entry.valueOffset + error.offset,
                                 message: "the value of revision \(revision) (element \(entry.index) of "
                                 + "\(entry.page.label)) is not an etcd KeyValue: \(error.message)")
            }
            guard !kv.key.isEmpty else { throw Self.damage(entry, path, "(revision \(revision)) has no etcd key") }
        }

        func keyBytes() -> [UInt8] { bytes(kv.key) }
        func valueBytes() -> [UInt8] { bytes(kv.value) }

        /// Runs `body` on the etcd key in its page, not copied.
        func withKeyBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            let base = entry.value.lowerBound
            return try entry.page.withBytes((base + kv.key.lowerBound)..<(base + kv.key.upperBound), body)
        }

        private func bytes(_ range: Range<Int>) -> [UInt8] {
            let base = entry.value.lowerBound
            return Array(entry.page.bytes[(base + range.lowerBound)..<(base + range.upperBound)])
        }

        static func damage(_ entry: BoltCursor.Entry, _ path: String, _ what: String) -> InputError {
            InputError(path: path, offset: entry.offset, message: "element \(entry.index) of \(entry.page.label) in "
                       + "bucket `key` \(what): the snapshot is corrupt")
        }
    }

    /// A walk of the `key` bucket, version by version, in the direction it was made for.
    struct VersionWalk {
        let snapshot: EtcdSnapshot
        var cursor: BoltCursor
        private let forward: Bool

        init(snapshot: EtcdSnapshot, cursor: BoltCursor) {
            self.snapshot = snapshot
            self.cursor = cursor
            forward = cursor.isForward
        }

        mutating func next() throws -> Version? {
            guard let entry = try forward ? cursor.next() : cursor.previous() else { return nil }
            return try Version(entry: entry, path: snapshot.path)
        }
    }
}
