// The strings of etcd records are mostly ids: UUIDs, MAC addresses, hex tenant ids, and
// words that repeat in every record ("modify", "heat_worker", "UPDATE_COMPLETE"). The
// selected values (SelectedValues.swift) keep an id as its bytes and a word by number;
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

    /// An even number (16 or more) of lowercase hex digits: kept as half as many bytes.
    static func isHexRun(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        utf8.count >= 16 && utf8.count % 2 == 0 && utf8.allSatisfy { hexDigit($0) != nil }
    }

    /// The bytes a hex run (`isHexRun`) stands for.
    static func appendHexBytes(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        var i = 0
        while i < utf8.count {
            bytes.append(hexDigit(utf8[i])! << 4 | hexDigit(utf8[i + 1])!)
            i += 2
        }
    }

    static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// Hex digits of `utf8` with separators at `separators` skipped, as one number.
    private static func hexNumber(_ utf8: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, separator: UInt8,
                                  at separators: [Bool]) -> UInt64? {
        var value: UInt64 = 0
        for i in range {
            if separators[i] {
                guard utf8[i] == separator else { return nil }
                continue
            }
            guard let d = hexDigit(utf8[i]) else { return nil }
            value = value << 4 | UInt64(d)
        }
        return value
    }

    // Where the separators are, by position (run for every string of 36 or 17 bytes).
    private static let uuidHyphens = (0..<36).map { [8, 13, 18, 23].contains($0) }
    private static let macColons = (0..<17).map { [2, 5, 8, 11, 14].contains($0) }

    /// 8-4-4-4-12 lowercase hex digits, as two numbers (16 bytes).
    static func uuid(_ utf8: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        guard utf8.count == 36,
              let high = hexNumber(utf8, 0..<18, separator: UInt8(ascii: "-"), at: uuidHyphens),
              let low = hexNumber(utf8, 18..<36, separator: UInt8(ascii: "-"), at: uuidHyphens) else { return nil }
        return (high, low)
    }

    /// Six lowercase hex pairs with colons, as one number (6 bytes).
    static func mac(_ utf8: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard utf8.count == 17 else { return nil }
        return hexNumber(utf8, 0..<17, separator: UInt8(ascii: ":"), at: macColons)
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
