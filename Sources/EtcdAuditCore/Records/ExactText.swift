// etcd compares keys as bytes, so an id spelled NFC (é, U+00E9) and the same id spelled
// NFD (e + U+0301) are two keys and two resources. Swift's String `==`, `<` and hashing
// follow Unicode canonical equivalence and would make them one. Keys, ids and the store
// values the rules compare go through these instead.

#if canImport(Glibc)
import Glibc
#endif

extension StringProtocol {
    /// Same UTF-8 bytes (String `==` also calls canonically equivalent texts equal).
    /// (Called for every name packed and every key joined: native strings are compared
    /// with `memcmp`, not byte by byte through the collection protocols.)
    @inlinable func sameBytes<Other: StringProtocol>(_ other: Other) -> Bool {
        let contiguous = utf8.withContiguousStorageIfAvailable { mine in
            other.utf8.withContiguousStorageIfAvailable { theirs in
                mine.count == theirs.count && (mine.isEmpty || memcmp(mine.baseAddress!, theirs.baseAddress!, mine.count) == 0)
            }
        }
        if let contiguous, let same = contiguous { return same }
        return utf8.elementsEqual(other.utf8)
    }

    /// Byte order, as etcd sorts keys.
    @inlinable func bytesPrecede<Other: StringProtocol>(_ other: Other) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// Whether `other`'s bytes occur in these.
    func containsBytes<Other: StringProtocol>(_ other: Other) -> Bool {
        rangeOfBytes(other) != nil
    }

    /// Where `other`'s bytes first occur, as UTF-8 offsets.
    func rangeOfBytes<Other: StringProtocol>(_ other: Other, from start: Int = 0) -> Range<Int>? {
        let hay = Array(utf8), needle = Array(other.utf8)
        guard !needle.isEmpty, hay.count - start >= needle.count else { return needle.isEmpty ? start..<start : nil }
        for i in start...(hay.count - needle.count) where hay[i] == needle[0] {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i..<(i + needle.count) }
        }
        return nil
    }

    /// Every occurrence of `target`'s bytes replaced by `replacement`.
    func replacingBytes<Target: StringProtocol>(_ target: Target, with replacement: String) -> String {
        var out: [UInt8] = [], at = 0
        let hay = Array(utf8), width = target.utf8.count
        while let found = rangeOfBytes(target, from: at), width > 0 {
            out += hay[at..<found.lowerBound]
            out += replacement.utf8
            at = found.upperBound
        }
        out += hay[at...]
        return String(decoding: out, as: UTF8.self)
    }
}

extension UnsafeRawBufferPointer {
    /// The same bytes, by `memcmp` (an empty buffer may have no address).
    @inlinable func sameBytes(_ other: UnsafeRawBufferPointer) -> Bool {
        count == other.count && (isEmpty || memcmp(baseAddress!, other.baseAddress!, count) == 0)
    }
}

/// A string as a dictionary or set key, equal, hashed and ordered by its UTF-8 bytes.
public struct ExactText: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var string: String

    public init(_ string: String) { self.string = string }
    public init(stringLiteral string: String) { self.string = string }

    public static func == (a: ExactText, b: ExactText) -> Bool { a.string.sameBytes(b.string) }
    public static func < (a: ExactText, b: ExactText) -> Bool { a.string.bytesPrecede(b.string) }

    public func hash(into hasher: inout Hasher) {
        var text = string
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    public var description: String { string }
}
