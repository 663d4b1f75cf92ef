/// A 128-bit digest of a JSON value, stable across runs and machines, so that large
/// members that are only compared need not be kept (and baselines can name them).
public struct JSONDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public static func < (a: JSONDigest, b: JSONDigest) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }

    public var description: String {
        let h = String(high, radix: 16), l = String(low, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h + String(repeating: "0", count: 16 - l.count) + l
    }
}

/// Two 64-bit multiply-rotate lanes over 8-byte words (the tail byte by byte), with a
/// final avalanche. Not cryptographic: it only has to tell apart the values of one store,
/// and it runs over every byte of every value, so it takes words, not bytes.
struct StableHasher {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x6c62_272e_07bb_0142

    @inline(__always) private mutating func mix(_ word: UInt64) {
        a = ((a ^ word) &* 0x9e37_79b9_7f4a_7c15)
        a = (a << 29) | (a >> 35)
        b = ((b ^ word) &* 0xc2b2_ae3d_27d4_eb4f)
        b = (b << 31) | (b >> 33)
    }

    mutating func combine(tag: UInt8) {
        mix(UInt64(tag) | 0x100)
    }

    mutating func combine(int: Int64) {
        mix(UInt64(bitPattern: int))
    }

    mutating func combine(bytes: UnsafeRawBufferPointer) {
        mix(UInt64(bytes.count))
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            mix(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            for j in 0..<(n - i) { tail |= UInt64(bytes[i + j]) << (8 * UInt64(j)) }
            mix(tail)
        }
    }


    mutating func combine(digest: JSONDigest) {
        mix(digest.high)
        mix(digest.low)
    }

    func finish() -> JSONDigest {
        // A final avalanche so that near values do not give near digests.
        func avalanche(_ x: UInt64) -> UInt64 {
            var z = x
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        return JSONDigest(high: avalanche(a ^ (b >> 1)), low: avalanche(b &+ a))
    }
}

extension StableHasher {
    /// Digest of raw bytes (e.g. a whole etcd value), for telling values of one key apart.
    static func digest(of bytes: ArraySlice<UInt8>) -> JSONDigest {
        var hasher = StableHasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finish()
    }

    /// Digest of two texts, told apart by their lengths (no joined copy).
    static func digest(of first: String, _ second: String) -> JSONDigest {
        var first = first, second = second
        var hasher = StableHasher()
        first.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        second.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        return hasher.finish()
    }

    static func digest(of text: String) -> JSONDigest {
        var text = text
        var hasher = StableHasher()
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        return hasher.finish()
    }
}
