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
/// etcd value, a text) are hashed as they are. A JSON value (`JSONCursor.digest`) is hashed
/// through a canonical encoding, gathered in C while jansson's tree is there
/// (CJSONWalk's json_digest.c): a tag per kind, integers as 8 little-endian bytes, texts as
/// their length and bytes (a text over 1,024 bytes as its length and its own digest, so a
/// huge string is not copied), an object as its member count and sorted member digests.
enum StableHasher {
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
