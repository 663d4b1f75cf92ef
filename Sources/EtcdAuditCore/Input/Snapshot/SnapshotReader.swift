#if canImport(Glibc)
import Glibc
#endif

/// An etcd v3 snapshot (`etcdctl snapshot save`, a bbolt file) read directly: the store as
/// it was at `revision` (nil: the newest), which is what `etcdctl get --prefix "" --rev N`
/// would have shown. The `key` bucket holds every version kept, keyed by revision; the
/// reader yields, of each key, its newest version at or before that revision, and leaves
/// out keys whose newest version there is a deletion (a tombstone).
///
/// Why newest-first: the bucket is ordered by revision, and an entry's etcd key is only
/// known after decoding its value. Walking the tree backwards from the revision (a seek:
/// later versions are not even read), the first entry met for a key is the one the store
/// held, so one pass decides every entry, and all the reader remembers is the set of keys
/// already met (live, deleted, or of no declared layout): a 64-bit hash of each and where
/// it was met (`MetKeys`, 12 bytes a slot), never the keys or values themselves. A forward
/// walk would need the same key set plus each key's newest revision, and a second pass to
/// emit. Values of older versions are never copied; the pages held are those on the path
/// to the current leaf.
final class SnapshotReader: RecordReader {
    private let path: String
    /// The snapshot, until the walk starts (the first `next()`, so that a broken file is
    /// reported as a snapshot that failed, not as an input of unknown format).
    private var descriptor: Int32?
    private let fileSize: Int
    private let revision: Int64?
    private var walk: EtcdSnapshot.VersionWalk?
    private var keysMet: MetKeys
    private(set) var info = InputInfo()

    /// Takes ownership of `descriptor`, a random-access file holding the snapshot.
    /// `revision` nil reads the newest store. `keyHash` is for tests, to force collisions.
    init(path: String, descriptor: Int32, revision: Int64? = nil, keyHash: @escaping MetKeys.Hash = MetKeys.xxh3) {
        self.path = path
        keysMet = MetKeys(hash: keyHash)
        self.descriptor = descriptor
        self.revision = revision
        var st = stat()
        fileSize = fstat(descriptor, &st) == 0 ? Int(st.st_size) : 0
    }

    deinit {
        if let descriptor { close(descriptor) }
    }

    /// The snapshot's size: the walk reads what it needs of it (the `key` bucket's pages),
    /// not free pages or other buckets.
    var bytesRead: Int { fileSize }

    func next() throws -> RawRecord? {
        if let descriptor {
            self.descriptor = nil
            let snapshot = try EtcdSnapshot(path: path, descriptor: descriptor, fileSize: fileSize)
            info.isStoreExport = true  // a bbolt file with etcd's key bucket, maybe empty
            if let revision {
                if let refusal = try snapshot.refusal(of: revision) { throw refusal }
                info.revision = revision
                walk = try snapshot.versions(atOrBefore: revision)
            } else {
                walk = snapshot.versions()
            }
        }
        guard let snapshot = walk?.snapshot else { return nil }
        while let version = try walk?.next() {
            // Newest first: without a revision asked for, the first met is the store's.
            if info.revision == nil { info.revision = version.revision.main }
            let first = try version.withKeyBytes { key in
                try keysMet.insert(key, at: version.offset) { try snapshot.key(atElement: $0) }
            }
            guard first, !version.isDeletion else { continue }
            return RawRecord(key: String(decoding: version.keyBytes(), as: UTF8.self), value: version.valueBytes(),
                             createRevision: version.kv.createRevision, modRevision: version.kv.modRevision,
                             location: SourceLocation(path: path, offset: version.offset))
        }
        return nil
    }
}
