// The strings of etcd records are mostly ids: UUIDs, MAC addresses, hex tenant ids, and
// words that repeat in every record ("modify", "heat_worker", "UPDATE_COMPLETE"). The
// selected values keep an id as its bytes and a word by number (CJSONWalk's
// selected_writer.c tells them apart; SelectedValues.swift spells them out again here);
// the store's own strings (a job key's action and handler) keep a word by number. Only
// strings that come back exactly as they were take a form (lowercase hex).

enum CompactText {
    /// Words up to this long are kept by number, while the table has room: a store with
    /// millions of distinct words keeps the rest as text. Long enough for the platform's
    /// longest param name (`virtual_machine_interface_allowed_address_pairs`, 47 bytes).
    static let wordLength = 2...64
    static let wordsKept = 1 << 16

    /// A word: no digits (an id or a version is not one), of a length kept by number.
    static func isWord(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        wordLength.contains(utf8.count) && !utf8.contains { $0 >= 0x30 && $0 <= 0x39 }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    /// Where a UUID's and a MAC's separators go: before these bytes (bit n, byte n).
    static let uuidBreaks: UInt32 = 1 << 4 | 1 << 6 | 1 << 8 | 1 << 10
    static let macBreaks: UInt32 = 0b11_1110

    /// The lowercase hex text of `bytes`, with `separator` before the bytes `breaks` names
    /// (a UUID's dashes, a MAC's colons).
    static func hexText(_ bytes: UnsafeBufferPointer<UInt8>, separator: UInt8, breaks: UInt32) -> String {
        let digits = hexDigits
        return String(unsafeUninitializedCapacity: bytes.count * 2 + breaks.nonzeroBitCount) { out in
            var n = 0
            for (i, b) in bytes.enumerated() {
                if i < 32, breaks >> i & 1 == 1 { out[n] = separator; n += 1 }
                out[n] = digits[Int(b >> 4)]
                out[n + 1] = digits[Int(b & 0xF)]
                n += 2
            }
            return n
        }
    }
}
