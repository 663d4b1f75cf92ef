import CXXHash

/// The etcd keys a snapshot walk has met, kept as 64-bit hashes (XXH3-64) in an
/// open-addressing table, each with the place the key was met: 12 bytes a slot instead of
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
    /// Where the key of the same slot was met: the file offset of its version's element,
    /// divided by 16. Elements are 16 bytes after a 16-byte page header, in pages of a
    /// multiple of 4 KiB, so their offsets are multiples of 16, and up to 64 GiB fit in 4
    /// bytes. An offset that does not fit so (an inline bucket's, a larger file) turns the
    /// table to `widePlaces`, 8 bytes each.
    private var places: [UInt32]
    private var widePlaces: [Int] = []
    /// Whether the places are kept whole (a table never has fewer than 1,024 slots).
    private var wide: Bool { !widePlaces.isEmpty }
    private(set) var count = 0
    private let hash: Hash

    /// `hash` is XXH3-64 but for tests, which force collisions with a poorer one.
    init(hash: @escaping Hash = MetKeys.xxh3) {
        self.hash = hash
        hashes = [UInt64](repeating: 0, count: 1024)
        places = [UInt32](repeating: 0, count: 1024)
    }

    private func place(at slot: Int) -> Int { wide ? widePlaces[slot] : Int(places[slot]) * 16 }

    private mutating func setPlace(_ place: Int, at slot: Int) {
        if !wide, place >= 0, place % 16 == 0, place / 16 <= Int(UInt32.max) {
            places[slot] = UInt32(place / 16)
            return
        }
        if !wide {
            widePlaces = places.map { Int($0) * 16 }
            places = []
        }
        widePlaces[slot] = place
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
            if hashes[slot] == wanted, try keyAt(self.place(at: slot)).elementsEqual(key) { return false }
            slot = (slot + 1) & mask
        }
        hashes[slot] = wanted
        setPlace(place, at: slot)
        count += 1
        if count * 4 > hashes.count * 3 { grow() }
        return true
    }

    /// Twice the slots, every entry placed again by its stored hash (no key is read).
    private mutating func grow() {
        let oldHashes = hashes, oldPlaces = places, oldWidePlaces = widePlaces
        hashes = [UInt64](repeating: 0, count: oldHashes.count * 2)
        if wide {
            widePlaces = [Int](repeating: 0, count: hashes.count)
        } else {
            places = [UInt32](repeating: 0, count: hashes.count)
        }
        let mask = hashes.count - 1
        for (old, stored) in oldHashes.enumerated() where stored != 0 {
            var slot = Int(truncatingIfNeeded: stored) & mask
            while hashes[slot] != 0 { slot = (slot + 1) & mask }
            hashes[slot] = stored
            if wide { widePlaces[slot] = oldWidePlaces[old] } else { places[slot] = oldPlaces[old] }
        }
    }
}
