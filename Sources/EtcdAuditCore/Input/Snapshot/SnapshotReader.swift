#if canImport(Glibc)
import Glibc
#endif

/// An etcd v3 snapshot (`etcdctl snapshot save`, a bbolt file) read directly: the `key`
/// bucket holds every revision still kept, keyed by revision, valued by `mvccpb.KeyValue`.
/// The reader yields the newest revision of each key and leaves out keys whose newest
/// entry is a tombstone, which is what `etcdctl get --prefix ""` would have shown.
///
/// Why newest-first: the bucket is ordered by revision, and an entry's etcd key is only
/// known after decoding its value. Walking the tree backwards, the first entry met for a
/// key is its newest, so one pass decides every entry, and all the reader remembers is
/// the set of keys already met (live, deleted, or of no declared layout): keys, never
/// values, about what the records' own keys take. A forward walk would need the same key
/// set plus each key's newest revision, and a second pass to emit. Values of older
/// revisions are never copied; the pages held are those on the path to the current leaf.
final class SnapshotReader: RecordReader {
    private let path: String
    /// The snapshot, until the walk starts (the first `next()`, so that a broken file is
    /// reported as a snapshot that failed, not as an input of unknown format).
    private var descriptor: Int32?
    private let fileSize: Int
    private var cursor: BoltCursor?
    private var keysMet = Set<[UInt8]>()
    private(set) var info = InputInfo()

    /// Takes ownership of `descriptor`, a random-access file holding the snapshot.
    init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
        var st = stat()
        fileSize = fstat(descriptor, &st) == 0 ? Int(st.st_size) : 0
    }

    deinit {
        if let descriptor { close(descriptor) }
    }

    /// The snapshot's size: the walk reads what it needs of it (the `key` bucket's pages),
    /// not free pages or other buckets.
    var bytesRead: Int { fileSize }

    /// The root page of the `key` bucket, found in the root bucket (the bucket of buckets).
    private static func keyBucketRoot(in file: BoltFile) throws -> BoltPage {
        let root = try file.page(file.meta.rootPage, reference: (16, "the meta page (txid \(file.meta.txid))"))
        var buckets = BoltCursor(file: file, root: root)
        while let entry = try buckets.previous() {
            guard entry.keyBytes() == Array("key".utf8) else { continue }
            guard entry.isBucket else {
                throw InputError(path: file.path, offset: entry.offset,
                                 message: "`key` in the root bucket is not a bucket")
            }
            return try file.bucketRoot(entry.valueBytes(), valueOffset: entry.valueOffset, name: "key")
        }
        throw InputError(path: file.path, offset: nil, message: "this bbolt file has no `key` bucket: it is not an "
                         + "etcd v3 snapshot")
    }

    func next() throws -> RawRecord? {
        if let descriptor {
            self.descriptor = nil
            let file = try BoltFile(path: path, descriptor: descriptor, fileSize: fileSize)
            cursor = BoltCursor(file: file, root: try Self.keyBucketRoot(in: file))
            info.isStoreExport = true  // a bbolt file with etcd's key bucket, maybe empty
        }
        while let entry = try cursor?.previous() {
            guard !entry.isBucket else {
                throw damage(entry, "is a nested bucket, not a revision")
            }
            guard let revision = entry.page.withBytes(entry.key, { EtcdRevision($0) }) else {
                throw damage(entry, "has a \(entry.key.count)-byte key that is not a revision")
            }
            // The walk goes newest first: the first revision met is the store's revision.
            if info.revision == nil { info.revision = revision.main }
            let kv: EtcdKeyValue
            do {
                kv = try entry.page.withBytes(entry.value) { try EtcdKeyValue.decode($0) }
            } catch let error as ProtobufError {
                throw InputError(path: path, offset: entry.valueOffset + error.offset,
                                 message: "the value of revision \(revision) (element \(entry.index) of "
                                 + "\(entry.page.label)) is not an etcd KeyValue: \(error.message)")
            }
            guard !kv.key.isEmpty else { throw damage(entry, "(revision \(revision)) has no etcd key") }
            let base = entry.value.lowerBound
            let key = Array(entry.page.bytes[(base + kv.key.lowerBound)..<(base + kv.key.upperBound)])
            guard keysMet.insert(key).inserted, !revision.isTombstone else { continue }
            let value = Array(entry.page.bytes[(base + kv.value.lowerBound)..<(base + kv.value.upperBound)])
            return RawRecord(key: String(decoding: key, as: UTF8.self), value: value,
                             createRevision: kv.createRevision, modRevision: kv.modRevision,
                             location: SourceLocation(path: path, offset: entry.offset))
        }
        return nil
    }

    private func damage(_ entry: BoltCursor.Entry, _ what: String) -> InputError {
        InputError(path: path, offset: entry.offset,
                   message: "element \(entry.index) of \(entry.page.label) in bucket `key` \(what): the snapshot is corrupt")
    }
}
