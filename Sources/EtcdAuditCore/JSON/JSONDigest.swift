import CXXHash

/// A 128-bit digest of a JSON value, stable across runs and machines, so that large
/// members that are only compared need not be kept (and baselines can name them). Its text
/// is XXH3-128's canonical form: the high half first, 32 hex digits.
public struct JSONDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public static func < (a: JSONDigest, b: JSONDigest) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }

    /// Written digit by digit: a `|digest` selection is read as this text for every record.
    public var description: String {
        String(unsafeUninitializedCapacity: 32) { out in
            for i in 0..<32 {
                let half = i < 16 ? high : low
                let nibble = UInt8(truncatingIfNeeded: half >> UInt64(60 - 4 * (i & 15))) & 0xF
                out[i] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
            }
            return 32
        }
    }
}

/// Digests with XXH3-128 (libxxhash), a hash made for this: fast on short and long input
/// alike, and 128 bits, so that two different values of one store giving one digest is
/// not a case to plan for (see the README, "What a digest decides"). Raw bytes (a whole
/// etcd value, a text) are hashed as they are. A JSON value is hashed through a canonical
/// encoding that this hasher gathers: a tag per kind, integers as 8 little-endian bytes,
/// texts as their length and bytes (a text over `inlineLimit` bytes as its length and its
/// own digest, so a huge string is not copied), an object as its sorted member digests.
struct StableHasher {
    private var bytes: [UInt8] = []
    /// Texts longer than this enter the encoding as their digest.
    static let inlineLimit = 1024

    init() { bytes.reserveCapacity(256) }

    mutating func combine(tag: UInt8) {
        bytes.append(tag)
    }

    mutating func combine(int: Int64) {
        withUnsafeBytes(of: int.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func combine(bytes text: UnsafeRawBufferPointer) {
        combine(int: Int64(text.count))
        if text.count <= Self.inlineLimit {
            bytes.append(contentsOf: text)
        } else {
            combine(digest: Self.xxh3(text))
        }
    }

    mutating func combine(digest: JSONDigest) {
        combine(int: Int64(bitPattern: digest.high))
        combine(int: Int64(bitPattern: digest.low))
    }

    func finish() -> JSONDigest {
        bytes.withUnsafeBytes { Self.xxh3($0) }
    }

    /// The digest of what `body` adds, which is then taken out again: a part (an object's
    /// member) that the whole takes in as its digest. One buffer serves every part.
    mutating func digest(ofPart body: (inout StableHasher) -> Void) -> JSONDigest {
        let mark = bytes.count
        body(&self)
        let digest = bytes.withUnsafeBytes { Self.xxh3(UnsafeRawBufferPointer(rebasing: $0[mark...])) }
        bytes.removeSubrange(mark...)
        return digest
    }

    static func xxh3(_ raw: UnsafeRawBufferPointer) -> JSONDigest {
        let hash = XXH3_128bits(raw.baseAddress, raw.count)
        return JSONDigest(high: hash.high64, low: hash.low64)
    }
}

extension StableHasher {
    /// Digest of raw bytes (e.g. a whole etcd value, for telling values of one key apart).
    static func digest(of bytes: ArraySlice<UInt8>) -> JSONDigest {
        bytes.withUnsafeBytes { xxh3($0) }
    }

    /// Digest of two texts, told apart by the first one's length (8 bytes, little-endian,
    /// before both), without a joined copy on the heap for short ones.
    static func digest(of first: String, _ second: String) -> JSONDigest {
        var first = first, second = second
        return first.withUTF8 { a in
            second.withUTF8 { b in
                withUnsafeTemporaryAllocation(byteCount: 8 + a.count + b.count, alignment: 8) { buffer in
                    buffer.storeBytes(of: UInt64(a.count).littleEndian, as: UInt64.self)
                    UnsafeMutableRawBufferPointer(rebasing: buffer[8..<(8 + a.count)]).copyMemory(from: UnsafeRawBufferPointer(a))
                    UnsafeMutableRawBufferPointer(rebasing: buffer[(8 + a.count)...]).copyMemory(from: UnsafeRawBufferPointer(b))
                    return xxh3(UnsafeRawBufferPointer(buffer))
                }
            }
        }
    }

    static func digest(of text: String) -> JSONDigest {
        var text = text
        return text.withUTF8 { xxh3(UnsafeRawBufferPointer($0)) }
    }
}
