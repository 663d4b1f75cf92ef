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
    let words = WordTable()

    init(layouts: Layouts) { self.layouts = layouts }

    func number(of name: String) -> Int { words.number(of: name) }

    /// The number of `word`, unless the table holds `limit` names and `word` is not one.
    func number(ofWord word: String, limit: Int) -> Int? { words.number(ofWord: word, limit: limit) }

    /// Every name so far (a reader takes them once, not a lock per name).
    var names: [String] { words.all }
}

/// Names and words the packed forms keep once and then by number. Append-only and
/// shared by threads.
final class WordTable: @unchecked Sendable {
    /// The words of the selected values (SelectedValues): one table for the process, as
    /// those values are packed where a value is parsed, with no store at hand.
    static let selections = WordTable()

    private var table: [String] = []
    /// Each name's hash, by number.
    private var hashes: [UInt64] = []
    /// Open addressing over `table`: a name's number, or -1. Names are told apart by their
    /// bytes: a `Dictionary` of strings would give "café" in NFC and in NFD one number,
    /// and the store would give back the other spelling.
    private var buckets = [Int32](repeating: -1, count: 1024)
    private let lock = NSLock()

    func number(of name: String) -> Int { number(ofWord: name, limit: .max)! }

    func number(ofWord word: String, limit: Int) -> Int? {
        var utf8 = word
        return utf8.withUTF8 { number(ofBytes: UnsafeRawBufferPointer($0), limit: limit) { word } }
    }

    /// The number of the word whose bytes are `utf8` (`text` makes it a String when it is
    /// new), unless the table holds `limit` words and this is not one.
    func number(ofBytes utf8: UnsafeRawBufferPointer, limit: Int, _ text: () -> String) -> Int? {
        let hash = StableHasher.xxh3(utf8).low
        lock.lock()
        defer { lock.unlock() }
        var i = Int(truncatingIfNeeded: hash) & (buckets.count - 1)
        while buckets[i] >= 0 {
            let n = Int(buckets[i])
            if hashes[n] == hash, table[n].utf8.count == utf8.count,
               table[n].utf8.withContiguousStorageIfAvailable({ utf8.isEmpty || memcmp($0.baseAddress!, utf8.baseAddress!, utf8.count) == 0 })
                ?? table[n].utf8.elementsEqual(utf8) {
                return n
            }
            i = (i + 1) & (buckets.count - 1)
        }
        guard table.count < limit, table.count < Int(Int32.max) else { return nil }
        table.append(text())
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

    /// Every word so far.
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return table
    }
}
