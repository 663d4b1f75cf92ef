import Foundation

/// What packing and unpacking share: the layouts (whose patterns spell the keys out) and
/// the table of names. One per store; records are packed on several threads.
final class PackingContext: @unchecked Sendable {
    let layouts: Layouts
    let words = WordTable()

    init(layouts: Layouts) { self.layouts = layouts }
}

/// Names and words the packed forms keep once and then by number. Append-only and
/// shared by threads.
final class WordTable: @unchecked Sendable {
    /// The words of the selected values (SelectedValues): one table for the process, as
    /// those values are packed where a value is parsed, with no store at hand.
    static let selections = WordTable()

    /// The table, its hashes and buckets, in one value.
    private struct State {
        var table: [String] = []
        /// Each name's hash, by number.
        var hashes: [UInt64] = []
        /// Open addressing over `table`: a name's number, or -1. Names are told apart by
        /// their bytes: a `Dictionary` of strings would give "café" in NFC and in NFD one
        /// number, and the store would give back the other spelling.
        var buckets = [Int32](repeating: -1, count: 1024)
    }
    /// Behind a pointer, read and changed only under `lock`: as stored properties of the
    /// class, each array a lookup touched cost a runtime exclusivity check (151,905 of them
    /// in the 10 MB benchmark dump).
    private let state: UnsafeMutablePointer<State> = {
        let state = UnsafeMutablePointer<State>.allocate(capacity: 1)
        state.initialize(to: State())
        return state
    }()
    private let lock = NSLock()

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    func number(of name: String) -> Int { number(ofWord: name, limit: .max)! }

    /// The number of `word`, unless the table holds `limit` words and `word` is not one.
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
        return Self.number(in: &state.pointee, utf8, hash: hash, limit: limit, text)
    }

    private static func number(in state: inout State, _ utf8: UnsafeRawBufferPointer, hash: UInt64, limit: Int,
                               _ text: () -> String) -> Int? {
        let mask = state.buckets.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while state.buckets[i] >= 0 {
            let n = Int(state.buckets[i])
            if state.hashes[n] == hash, state.table[n].utf8.count == utf8.count,
               state.table[n].utf8.withContiguousStorageIfAvailable({ utf8.isEmpty || memcmp($0.baseAddress!, utf8.baseAddress!, utf8.count) == 0 })
                ?? state.table[n].utf8.elementsEqual(utf8) {
                return n
            }
            i = (i + 1) & mask
        }
        guard state.table.count < limit, state.table.count < Int(Int32.max) else { return nil }
        state.table.append(text())
        state.hashes.append(hash)
        state.buckets[i] = Int32(state.table.count - 1)
        if state.table.count * 2 > state.buckets.count { grow(&state) }
        return state.table.count - 1
    }

    private static func grow(_ state: inout State) {
        state.buckets = [Int32](repeating: -1, count: state.buckets.count * 2)
        let mask = state.buckets.count - 1
        for (n, hash) in state.hashes.enumerated() {
            var i = Int(truncatingIfNeeded: hash) & mask
            while state.buckets[i] >= 0 { i = (i + 1) & mask }
            state.buckets[i] = Int32(n)
        }
    }

    /// Every word so far (a reader takes them once, not a lock per word).
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return state.pointee.table
    }
}
