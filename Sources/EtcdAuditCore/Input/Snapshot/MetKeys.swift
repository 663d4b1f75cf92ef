import CXXHash

/// The etcd keys a snapshot walk has met, kept as 64-bit hashes (XXH3-64) in an
/// open-addressing table, each with the place the key was met: 16 bytes a slot instead of
/// an array per key (on a 1.24 GB snapshot the arrays took some 75 MB). A hash says only
/// "maybe met": on a hit, the key met there is read again from the file (`keyAt`) and
/// compared byte for byte, so two different keys that share a hash are both kept, never
/// taken for one. Hits are repeats of a key (older versions, deletions) or, rarely, real
/// collisions; a store without history reads nothing again.
struct MetKeys {
    typealias Hash = (UnsafeRawBufferPointer) -> UInt64

    static func xxh3(_ key: UnsafeRawBufferPointer) -> UInt64 { XXH3_64bits(key.baseAddress, key.count) }

    /// 0 marks an empty slot; a key hashing to 0 is stored as 1 (the exact check decides).
    private var hashes: [UInt64]
    /// Where the key of the same slot was met (the file offset of its version's element).
    private var places: [Int]
    private(set) var count = 0
    private let hash: Hash

    /// `hash` is XXH3-64 but for tests, which force collisions with a poorer one.
    init(hash: @escaping Hash = MetKeys.xxh3) {
        self.hash = hash
        hashes = [UInt64](repeating: 0, count: 1024)
        places = [Int](repeating: 0, count: 1024)
    }

    /// Records `key`, met at `place`; false when it was met before. `keyAt` reads again the
    /// key met at an earlier place, called only when the hashes agree.
    mutating func insert(_ key: UnsafeRawBufferPointer, at place: Int,
                         keyAt: (Int) throws -> [UInt8]) rethrows -> Bool {
        let wanted = max(hash(key), 1)
        let mask = hashes.count - 1
        var slot = Int(truncatingIfNeeded: wanted) & mask
        // Linear probing: a hash may sit in several slots (different keys), all before the
        // first empty one.
        while hashes[slot] != 0 {
            if hashes[slot] == wanted, try keyAt(places[slot]).elementsEqual(key) { return false }
            slot = (slot + 1) & mask
        }
        hashes[slot] = wanted
        places[slot] = place
        count += 1
        if count * 4 > hashes.count * 3 { grow() }
        return true
    }

    /// Twice the slots, every entry placed again by its stored hash (no key is read).
    private mutating func grow() {
        let oldHashes = hashes, oldPlaces = places
        hashes = [UInt64](repeating: 0, count: oldHashes.count * 2)
        places = [Int](repeating: 0, count: oldHashes.count * 2)
        let mask = hashes.count - 1
        for (stored, place) in zip(oldHashes, oldPlaces) where stored != 0 {
            var slot = Int(truncatingIfNeeded: stored) & mask
            while hashes[slot] != 0 { slot = (slot + 1) & mask }
            hashes[slot] = stored
            places[slot] = place
        }
    }
}
