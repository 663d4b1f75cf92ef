import Foundation

/// The kind, type and id of the resource a record belongs to.
struct KeyOwner {
    var kind: RecordKind
    var type: ResourceType
    var id: String
}

/// What packing and unpacking share: the layouts (keys they spell out are not stored) and
/// the table of names. One per store; records are packed on several threads.
final class PackingContext: @unchecked Sendable {
    let layouts: Layouts
    private var table: [String] = []
    /// Each name's hash, by number.
    private var hashes: [UInt64] = []
    /// Open addressing over `table`: a name's number, or -1. Names are told apart by their
    /// bytes: a `Dictionary` of strings would give "café" in NFC and in NFD one number,
    /// and the store would give back the other spelling.
    private var buckets = [Int32](repeating: -1, count: 1024)
    private let lock = NSLock()

    init(layouts: Layouts) { self.layouts = layouts }

    func number(of name: String) -> Int { number(ofWord: name, limit: .max)! }

    /// The number of `word`, unless the table holds `limit` names and `word` is not one.
    func number(ofWord word: String, limit: Int) -> Int? {
        let hash = StableHasher.digest(of: word).low
        lock.lock()
        defer { lock.unlock() }
        var i = Int(truncatingIfNeeded: hash) & (buckets.count - 1)
        while buckets[i] >= 0 {
            let n = Int(buckets[i])
            if hashes[n] == hash, table[n].sameBytes(word) { return n }
            i = (i + 1) & (buckets.count - 1)
        }
        guard table.count < limit, table.count < Int(Int32.max) else { return nil }
        table.append(word)
        hashes.append(hash)
        buckets[i] = Int32(table.count - 1)
        if table.count * 2 > buckets.count { grow() }
        return table.count - 1
    }

    private func grow() {
        buckets = [Int32](repeating: -1, count: buckets.count * 2)
        for (n, hash) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: hash) & (buckets.count - 1)
            while buckets[i] >= 0 { i = (i + 1) & (buckets.count - 1) }
            buckets[i] = Int32(n)
        }
    }

    /// Every name so far (a reader takes them once, not a lock per name).
    var names: [String] {
        lock.lock()
        defer { lock.unlock() }
        return table
    }
}
