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

    /// The lowercase hex text of `count` bytes, each from `next`.
    static func hexText(count: Int, _ next: () -> UInt8) -> String {
        let digits = hexDigits
        return String(unsafeUninitializedCapacity: count * 2) { out in
            for i in 0..<count {
                let b = next()
                out[2 * i] = digits[Int(b >> 4)]
                out[2 * i + 1] = digits[Int(b & 0xF)]
            }
            return count * 2
        }
    }

    static func uuidText(high: UInt64, low: UInt64) -> String {
        let digits = hexDigits
        return String(unsafeUninitializedCapacity: 36) { out in
            var n = 0
            for word in [high, low] {
                for s in 0..<16 {
                    if n == 8 || n == 13 || n == 18 || n == 23 { out[n] = UInt8(ascii: "-"); n += 1 }
                    out[n] = digits[Int((word >> UInt64(60 - 4 * s)) & 0xF)]
                    n += 1
                }
            }
            return n
        }
    }

    static func macText(_ value: UInt64) -> String {
        let digits = hexDigits
        return String(unsafeUninitializedCapacity: 17) { out in
            var n = 0
            for s in 0..<12 {
                if s > 0, s % 2 == 0 { out[n] = UInt8(ascii: ":"); n += 1 }
                out[n] = digits[Int((value >> UInt64(44 - 4 * s)) & 0xF)]
                n += 1
            }
            return n
        }
    }
}
