import Foundation

// Primitives of the bytes the store keeps (RecordCodec): varints, strings, names by
// number, optionals and arrays. Only the store writes these bytes and only it reads them,
// so the reader trusts them.

/// Unsigned LEB128: the numbers of the codec and of the slab's segment headers.
enum Varint {
    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Most varints of the store are one byte (slots, tags, lengths, small numbers): that
    /// case is inlined where a record is read, the rest is a call.
    @inline(__always)
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> UInt64 {
        let first = bytes[index]
        guard first >= 0x80 else {
            index += 1
            return UInt64(first)
        }
        return readLonger(bytes, &index)
    }

    private static func readLonger(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = bytes[index]
            index += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }
}

struct ByteWriter {
    var bytes: [UInt8] = []
    let context: PackingContext
    /// Where the last outputs list written lies in `bytes` (RecordCodec.outputs).
    /// A list holds no strings (keys are names, values digests): its bytes are the same
    /// wherever it is written, so a job_state's are compared with its stack's.
    var outputsRange: Range<Int>?

    init(context: PackingContext) { self.context = context }

    /// Names repeat in every record (members, params, output keys, paths): each is written
    /// once, in the context's table, and then by number.
    mutating func name(_ value: String) { int(context.words.number(of: value)) }

    /// Most varints are one byte (tags, lengths, small numbers): appended here, the rest by a call.
    @inline(__always)
    mutating func varint(_ value: UInt64) {
        if value < 0x80 { bytes.append(UInt8(value)) } else { Varint.append(value, to: &bytes) }
    }

    mutating func int(_ value: Int) { varint(UInt64(value)) }
    /// Zig-zag, so that small negative numbers stay short.
    mutating func int64(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    /// A varint `count << 1` and the UTF-8, or, for a word (CompactText: a job key's
    /// action and handler), `number << 1 | 1`, its number in the context's table.
    mutating func string(_ value: String) {
        var utf8 = value
        utf8.withUTF8 { utf8 in
            if CompactText.isWord(utf8), let number = context.words.number(ofWord: value, limit: CompactText.wordsKept) {
                return int(number << 1 | 1)
            }
            int(utf8.count << 1)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func digest(_ value: JSONDigest) {
        withUnsafeBytes(of: (value.high.littleEndian, value.low.littleEndian)) { bytes.append(contentsOf: $0) }
    }

    /// A presence byte, then the value.
    mutating func optional<T>(_ value: T?, _ write: (inout ByteWriter, T) -> Void) {
        guard let value else { return bytes.append(0) }
        bytes.append(1)
        write(&self, value)
    }

    mutating func array<T>(_ values: [T], _ write: (inout ByteWriter, T) -> Void) {
        int(values.count)
        for value in values { write(&self, value) }
    }
}

struct ByteReader: PackedBytesReading {
    private(set) var bytes: [UInt8]
    /// The outputs list read last in this resource (a stack's, job_state's or state's):
    /// what a mark (`OutputsTag.sameOutputsMark`) stands for.
    var outputsMet: [HeatOutput]?
    /// The context's names, as they were when this reader was made.
    let names: [String]
    let context: PackingContext
    var index = 0
    private var end: Int

    /// `bytes` empty: a reader with nothing to read yet (`read(_:_:)` gives it bytes).
    init(_ bytes: [UInt8] = [], context: PackingContext) {
        self.bytes = bytes
        self.context = context
        names = context.words.all
        end = bytes.count
    }

    /// Reads `range` of `bytes` next (a segment of the store's slab; no copy).
    mutating func read(_ bytes: [UInt8], _ range: Range<Int>) {
        self.bytes = bytes
        index = range.lowerBound
        end = range.upperBound
    }

    /// A member, param, output or path name: a number in the context's table.
    mutating func name() -> String { names[int()] }

    var atEnd: Bool { index >= end }

    mutating func byte() -> UInt8 {
        defer { index += 1 }
        return bytes[index]
    }

    mutating func varint() -> UInt64 {
        bytes.withUnsafeBufferPointer { Varint.read($0, &index) }
    }

    mutating func int() -> Int { Int(varint()) }
    mutating func int64() -> Int64 {
        let v = varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func string() -> String {
        let tag = varint()
        if tag & 1 == 1 { return names[Int(tag >> 1)] }
        let count = Int(tag >> 1)
        defer { index += count }
        return bytes.withUnsafeBufferPointer { String(decoding: $0[index..<index + count], as: UTF8.self) }
    }

    mutating func digest() -> JSONDigest {
        defer { index += 16 }
        return bytes.withUnsafeBytes { raw in
            JSONDigest(high: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)),
                       low: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)))
        }
    }

    /// The next `count` bytes, as a slice of what is read (no copy).
    mutating func bytes(count: Int) -> ArraySlice<UInt8> {
        defer { index += count }
        return bytes[index..<index + count]
    }
}

/// What the readers of packed bytes share (the store's `ByteReader`, `PackedFindings`'): a
/// presence byte before an optional, a count before an array.
protocol PackedBytesReading {
    mutating func byte() -> UInt8
    mutating func int() -> Int
}

extension PackedBytesReading {
    mutating func optional<T>(_ read: (inout Self) -> T) -> T? {
        byte() == 0 ? nil : read(&self)
    }

    mutating func array<T>(_ read: (inout Self) -> T) -> [T] {
        let count = int()
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(read(&self)) }
        return out
    }
}
