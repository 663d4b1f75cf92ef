/// Standard base64 (RFC 4648 §4, padding optional), as etcd's JSON output writes keys
/// and values. Returns nil on any byte outside the alphabet or a bad length.
enum Base64 {
    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        return t
    }()

    static func decode(_ input: [UInt8]) -> [UInt8]? {
        var end = input.count
        while end > 0, input[end - 1] == UInt8(ascii: "=") { end -= 1 }
        guard input.count - end <= 2, end % 4 != 1 else { return nil }
        // Writes straight into the result: appending byte by byte cost more than the parse
        // of the value it decodes.
        let length = end / 4 * 3 + max(0, end % 4 - 1)
        var valid = true
        let out = [UInt8](unsafeUninitializedCapacity: length) { out, initialized in
            table.withUnsafeBufferPointer { t in
                input.withUnsafeBufferPointer { p in
                    var i = 0, o = 0
                    while i + 4 <= end {
                        let a = t[Int(p[i])], b = t[Int(p[i + 1])], c = t[Int(p[i + 2])], d = t[Int(p[i + 3])]
                        if (a | b | c | d) & 0xC0 != 0 { valid = false; return }
                        out[o] = a << 2 | b >> 4
                        out[o + 1] = b << 4 | c >> 2
                        out[o + 2] = c << 6 | d
                        i += 4
                        o += 3
                    }
                    let rest = end - i
                    if rest >= 2 {
                        let a = t[Int(p[i])], b = t[Int(p[i + 1])]
                        if (a | b) & 0xC0 != 0 { valid = false; return }
                        out[o] = a << 2 | b >> 4
                        o += 1
                        if rest == 3 {
                            let c = t[Int(p[i + 2])]
                            if c & 0xC0 != 0 { valid = false; return }
                            out[o] = b << 4 | c >> 2
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
