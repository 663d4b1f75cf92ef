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
