// The strings of etcd records are mostly ids: UUIDs, MAC addresses, hex tenant ids, each
// written as text two or three times in one record (a param's value and its resources list
// name the same network). The store keeps them as their bytes, and a repeat as a reference
// to the first: a job packs to about a third less.
//
// A string is a varint `count << 1` and its UTF-8, or a varint `form << 1 | 1` and the
// form's bytes. Only strings that come back exactly as they were take a form (lowercase hex).

enum CompactForm: UInt64 {
    /// 8-4-4-4-12 lowercase hex digits: 16 bytes.
    case uuid
    /// Six lowercase hex pairs with colons: 6 bytes.
    case mac
    /// An even number (16 or more) of lowercase hex digits: a count, then half as many bytes.
    case hex
    /// A UUID or MAC written before by the same writer (a record, or a resource made over):
    /// its number among the first `repeatsKept` of them.
    case repeated
    /// A word without digits ("modify", "heat_worker", "UPDATE_COMPLETE"): such values
    /// repeat in every record, and are kept once, in the names table, and then by number.
    case word
}

/// A UUID or MAC as numbers, to find a repeat without making strings.
struct CompactValue: Equatable {
    var form: CompactForm
    var high: UInt64
    var low: UInt64
}

extension ByteWriter {
    /// Strings up to this many UUIDs and MACs into a record are remembered for repeats.
    static let repeatsKept = 32

    /// Words up to this long are kept by number, while the table has room: a store with
    /// millions of distinct words keeps the rest as text. Long enough for the platform's
    /// longest param name (`virtual_machine_interface_allowed_address_pairs`, 47 bytes),
    /// which every port job repeats.
    static let wordLength = 2...64
    static let wordsKept = 1 << 16

    /// Writes `value` (its UTF-8 is `utf8`) in a compact form if it has one; false if it has none.
    mutating func compactString(_ utf8: UnsafeBufferPointer<UInt8>, _ value: String) -> Bool {
        if Self.wordLength.contains(utf8.count), !utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }),
           let number = context.number(ofWord: value, limit: Self.wordsKept) {
            varint(CompactForm.word.rawValue << 1 | 1)
            int(number)
            return true
        }
        guard utf8.count >= 16 else { return false }
        if utf8.count == 36, let (high, low) = Self.uuid(utf8) {
            fixed(CompactValue(form: .uuid, high: high, low: low), bytes: 16)
            return true
        }
        if utf8.count == 17, let mac = Self.mac(utf8) {
            fixed(CompactValue(form: .mac, high: 0, low: mac), bytes: 6)
            return true
        }
        if Self.isHexRun(utf8) {
            varint(CompactForm.hex.rawValue << 1 | 1)
            int(utf8.count / 2)
            Self.appendHexBytes(utf8, to: &bytes)
            return true
        }
        return false
    }

    private mutating func fixed(_ value: CompactValue, bytes count: Int) {
        if let n = repeats.firstIndex(of: value) {
            varint(CompactForm.repeated.rawValue << 1 | 1)
            int(n)
            return
        }
        if repeats.count < Self.repeatsKept { repeats.append(value) }
        varint(value.form.rawValue << 1 | 1)
        if count == 16 {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value.high >> UInt64(shift))) }
        }
        for shift in stride(from: min(count, 8) * 8 - 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value.low >> UInt64(shift)))
        }
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

    static func uuid(_ utf8: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        guard let high = hexNumber(utf8, 0..<18, separator: UInt8(ascii: "-"), at: uuidHyphens),
              let low = hexNumber(utf8, 18..<36, separator: UInt8(ascii: "-"), at: uuidHyphens) else { return nil }
        return (high, low)
    }

    static func mac(_ utf8: UnsafeBufferPointer<UInt8>) -> UInt64? {
        hexNumber(utf8, 0..<17, separator: UInt8(ascii: ":"), at: macColons)
    }
}

extension ByteReader {
    /// The string of a compact form (`tag` is the varint before it).
    mutating func compactString(tag: UInt64) -> String {
        switch CompactForm(rawValue: tag >> 1)! {
        case .uuid:
            let value = CompactValue(form: .uuid, high: number(8), low: number(8))
            if repeats.count < ByteWriter.repeatsKept { repeats.append(value) }
            return Self.text(value)
        case .mac:
            let value = CompactValue(form: .mac, high: 0, low: number(6))
            if repeats.count < ByteWriter.repeatsKept { repeats.append(value) }
            return Self.text(value)
        case .hex:
            let count = int()
            return Self.hexText(count: count) { byte() }
        case .repeated:
            return Self.text(repeats[int()])
        case .word:
            return names[int()]
        }
    }

    private mutating func number(_ count: Int) -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<count { value = value << 8 | UInt64(byte()) }
        return value
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

    static func text(_ value: CompactValue) -> String {
        let digits = hexDigits
        switch value.form {
        case .uuid:
            return String(unsafeUninitializedCapacity: 36) { out in
                var n = 0
                for (word, shifts) in [(value.high, 0..<16), (value.low, 0..<16)] {
                    for s in shifts {
                        if n == 8 || n == 13 || n == 18 || n == 23 { out[n] = UInt8(ascii: "-"); n += 1 }
                        out[n] = digits[Int((word >> UInt64(60 - 4 * s)) & 0xF)]
                        n += 1
                    }
                }
                return n
            }
        default:
            return String(unsafeUninitializedCapacity: 17) { out in
                var n = 0
                for s in 0..<12 {
                    if s > 0, s % 2 == 0 { out[n] = UInt8(ascii: ":"); n += 1 }
                    out[n] = digits[Int((value.low >> UInt64(44 - 4 * s)) & 0xF)]
                    n += 1
                }
                return n
            }
        }
    }
}
