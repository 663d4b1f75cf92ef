import CBase64

/// Standard base64 (RFC 4648 §4, padding optional), as etcd's JSON output writes keys
/// and values. Returns nil on any byte outside the alphabet or a bad length.
enum Base64 {
    /// For the k-th character of a group of four (k = 0...3), at `k * 256 + byte`: its six
    /// bits already shifted to their place in the group's 24, or `invalid` when the byte is
    /// not in the alphabet. A group is then four lookups ORed together and one test.
    private static let placed: [UInt32] = {
        var t = [UInt32](repeating: invalid, count: 4 * 256)
        for (value, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            for k in 0..<4 { t[k * 256 + Int(c)] = UInt32(value) << (18 - 6 * k) }
        }
        return t
    }()
    private static let invalid: UInt32 = 1 << 31

    static func decode(_ input: [UInt8]) -> [UInt8]? {
        var end = input.count
        while end > 0, input[end - 1] == UInt8(ascii: "=") { end -= 1 }
        guard input.count - end <= 2, end % 4 != 1 else { return nil }
        // Writes straight into the result: appending byte by byte cost more than the parse
        // of the value it decodes.
        let length = end / 4 * 3 + max(0, end % 4 - 1)
        var valid = true
        let out = [UInt8](unsafeUninitializedCapacity: length) { out, initialized in
            placed.withUnsafeBufferPointer { t in
                input.withUnsafeBufferPointer { p in
                    // The last group may be short: it is read as if padded with "A" (zero
                    // bits), and only its whole bytes are kept.
                    func group(_ i: Int, _ count: Int) -> UInt32 {
                        var bits: UInt32 = 0
                        for k in 0..<4 { bits |= t[k &* 256 &+ Int(k < count ? p[i &+ k] : UInt8(ascii: "A"))] }
                        return bits
                    }
                    // Thirty-two or sixteen characters at a time where the machine can
                    // (CBase64), up to the first block holding a character outside the
                    // alphabet (or the end); then by group, which decides every error.
                    var i = etcd_audit_base64_decode_blocks(p.baseAddress, end, out.baseAddress, length)
                    var o = i / 4 * 3
                    while i &+ 4 <= end {
                        let bits = t[Int(p[i])] | t[256 &+ Int(p[i &+ 1])] | t[512 &+ Int(p[i &+ 2])] | t[768 &+ Int(p[i &+ 3])]
                        if bits & invalid != 0 { valid = false; return }
                        out[o] = UInt8(truncatingIfNeeded: bits >> 16)
                        out[o &+ 1] = UInt8(truncatingIfNeeded: bits >> 8)
                        out[o &+ 2] = UInt8(truncatingIfNeeded: bits)
                        i &+= 4
                        o &+= 3
                    }
                    let rest = end - i
                    if rest >= 2 {
                        let bits = group(i, rest)
                        if bits & invalid != 0 { valid = false; return }
                        out[o] = UInt8(truncatingIfNeeded: bits >> 16)
                        o += 1
                        if rest == 3 {
                            out[o] = UInt8(truncatingIfNeeded: bits >> 8)
                            o += 1
                        }
                    }
                    initialized = o
                }
            }
        }
        return valid ? out : nil
    }
}
