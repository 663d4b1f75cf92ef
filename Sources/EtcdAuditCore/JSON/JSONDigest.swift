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

/// Two FNV-1a lanes with different bases and primes. Not cryptographic: it only has
/// to tell apart the values of one store.
struct StableHasher {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x6c62_272e_07bb_0142

    mutating func combine(tag: UInt8) {
        combine(byte: tag)
    }

    @inline(__always) private mutating func combine(byte: UInt8) {
        a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_0193 &+ 0x9e37_79b9
    }

    mutating func combine(int: Int64) {
        var v = UInt64(bitPattern: int)
        for _ in 0..<8 {
            combine(byte: UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    mutating func combine(bytes: UnsafeRawBufferPointer) {
        combine(int: Int64(bytes.count))
        for byte in bytes { combine(byte: byte) }
    }

    mutating func combine(string: String) {
        var s = string
        s.withUTF8 { combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    mutating func combine(digest: JSONDigest) {
        combine(int: Int64(bitPattern: digest.high))
        combine(int: Int64(bitPattern: digest.low))
    }

    func finish() -> JSONDigest {
        // A final avalanche so that near values do not give near digests.
        func mix(_ x: UInt64) -> UInt64 {
            var z = x
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        return JSONDigest(high: mix(a), low: mix(b ^ a))
    }
}

extension StableHasher {
    /// Digest of raw bytes (e.g. a whole etcd value), for telling values of one key apart.
    static func digest(of bytes: [UInt8]) -> JSONDigest {
        var hasher = StableHasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finish()
    }
}
