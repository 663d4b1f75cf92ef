#if canImport(Glibc)
import Glibc
#endif

/// One line of a text input, without its `\n` (a `\r` before it is kept: inside a value
/// it is data; `text` drops it for key and fence lines).
struct Line {
    var bytes: [UInt8]
    /// 1-based.
    var number: Int
    /// Byte offset of the line's first byte.
    var offset: Int
    /// False only for a last line that has no `\n`.
    var terminated: Bool

    /// The line as text without a trailing `\r`, for key and fence lines.
    var text: String { keyText.text }

    /// `text`, and whether the bytes were UTF-8.
    var keyText: (text: String, isUTF8: Bool) {
        var b = bytes[...]
        if b.last == 0x0D { b = b.dropLast() }
        return RawRecord.keyText(b)
    }

    var startsWithSlash: Bool { bytes.first == UInt8(ascii: "/") }

    /// Nothing but spaces, tabs and a `\r`: no key, no record, not counted as a line.
    var isBlank: Bool { bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }
}

/// Splits a `ByteSource` into lines.
final class LineReader {
    private let source: ByteSource
    private var number = 0

    /// `linesBefore`: how many lines precede the source's position (the locator starts
    /// reading at a record's line).
    init(source: ByteSource, linesBefore: Int = 0) {
        self.source = source
        number = linesBefore
    }

    var path: String { source.path }
    var offset: Int { source.offset }

    func next() throws -> Line? {
        var collected: [UInt8] = []
        let lineOffset = source.offset
        while true {
            let available = try source.fill(atLeast: 1)
            if available == 0 {
                if collected.isEmpty && source.atEnd { return nil }
                number += 1
                return Line(bytes: collected, number: number, offset: lineOffset, terminated: false)
            }
            let (taken, foundNewline) = source.withAvailable { chunk -> (Int, Bool) in
                if let nl = memchr(chunk.baseAddress!, 0x0A, chunk.count) {
                    let length = chunk.baseAddress!.distance(to: UnsafeRawPointer(nl))
                    collected.append(contentsOf: chunk[..<length])
                    return (length + 1, true)
                }
                collected.append(contentsOf: chunk)
                return (chunk.count, false)
            }
            source.consume(taken)
            if foundNewline {
                number += 1
                return Line(bytes: collected, number: number, offset: lineOffset, terminated: true)
            }
        }
    }
}
