/// A protobuf wire-format reader over bytes someone else owns (a page of a snapshot), as
/// small as etcd's `mvccpb.KeyValue` needs: varints and length-delimited fields, fixed
/// fields skipped. Nothing is copied: length-delimited fields come back as byte ranges.
/// Any malformed byte is a `ProtobufError` with its offset, never a trap.
struct ProtobufReader {
    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    private let bytes: UnsafeRawBufferPointer
    /// Offset of the next unread byte, relative to the start of `bytes`.
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var atEnd: Bool { offset >= bytes.count }

    /// The next field's number and wire type, or nil after the last field.
    mutating func nextField() throws -> (number: Int, wireType: WireType)? {
        guard !atEnd else { return nil }
        let start = offset
        let tag = try varint()
        guard let wireType = WireType(rawValue: UInt8(tag & 7)) else {
            throw ProtobufError(offset: start, message: "invalid wire type \(tag & 7)")
        }
        // Field numbers are 1 ... 2^29 - 1.
        let number = tag >> 3
        guard number >= 1, number < 1 << 29 else {
            throw ProtobufError(offset: start, message: "invalid field number \(number)")
        }
        return (Int(number), wireType)
    }

    mutating func varint() throws -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else {
                throw ProtobufError(offset: start, message: "varint runs past the end of the message")
            }
            let byte = bytes[offset]
            offset += 1
            // The tenth byte may only carry the 64th bit.
            if shift == 63, byte > 1 {
                throw ProtobufError(offset: start, message: "varint longer than 64 bits")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// The range (within the reader's bytes) of a length-delimited field's content.
    mutating func lengthDelimited() throws -> Range<Int> {
        let start = offset
        let length = try varint()
        guard length <= UInt64(bytes.count - offset) else {
            throw ProtobufError(offset: start, message: "field of \(length) bytes runs past the end of the message "
                                + "(\(bytes.count - offset) bytes left)")
        }
        let range = offset..<(offset + Int(length))
        offset = range.upperBound
        return range
    }

    /// Skips the content of a field this reader's caller does not know.
    mutating func skip(_ wireType: WireType) throws {
        let start = offset
        switch wireType {
        case .varint: _ = try varint()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed64, .fixed32:
            let size = wireType == .fixed64 ? 8 : 4
            guard bytes.count - offset >= size else {
                throw ProtobufError(offset: start, message: "fixed field runs past the end of the message")
            }
            offset += size
        case .startGroup, .endGroup:
            // Groups are proto2-only and etcd's messages have none: treat them as damage.
            throw ProtobufError(offset: start, message: "unexpected group (wire type \(wireType.rawValue))")
        }
    }
}

/// Malformed protobuf bytes: what is wrong and where (relative to the message start).
struct ProtobufError: Error, Equatable {
    var offset: Int
    var message: String
}
