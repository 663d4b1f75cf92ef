/// Append-only storage for the records of every resource: chunks of 1 MiB that never move.
/// The records of one resource come far apart in a dump (all configs, then all jobs, ...);
/// kept in one growing array per resource, each of them cost an allocation, a header and a
/// copy of the whole resource on every record. Here a resource is a chain of segments, each
/// naming the one before it, and adding a record copies only its own bytes.
struct RecordSlab: Sendable {
    /// A segment's place: chunk number in the high 32 bits, offset in the low 32.
    typealias Position = UInt64

    static let chunkCapacity = 1 << 20
    private(set) var chunks: [[UInt8]] = []
    /// Payload bytes appended (what the segments carry, without their headers).
    private(set) var payloadBytes = 0

    /// Appends a segment holding `payload`, with `replaced` (if any) written as the one
    /// byte `mark`, after `previous`, the same resource's last segment. Returns where the
    /// segment and its payload begin.
    mutating func append(_ payload: [UInt8], replacing replaced: Range<Int>? = nil, with mark: UInt8 = 0,
                         after previous: Position?) -> (segment: Position, payload: Position) {
        let length = payload.count - (replaced.map { $0.count - 1 } ?? 0)
        let header = 15  // at most: three varints of up to five bytes
        if chunks.isEmpty || chunks[chunks.count - 1].capacity - chunks[chunks.count - 1].count < length + header {
            var chunk: [UInt8] = []
            chunk.reserveCapacity(max(Self.chunkCapacity, length + header))
            chunks.append(chunk)
        }
        let c = chunks.count - 1
        let start = chunks[c].count
        if let previous {
            Varint.append((previous >> 32) + 1, to: &chunks[c])
            Varint.append(previous & 0xFFFF_FFFF, to: &chunks[c])
        } else {
            chunks[c].append(0)
        }
        Varint.append(UInt64(length), to: &chunks[c])
        let payloadStart = chunks[c].count
        if let replaced {
            chunks[c] += payload[..<replaced.lowerBound]
            chunks[c].append(mark)
            chunks[c] += payload[replaced.upperBound...]
        } else {
            chunks[c] += payload
        }
        payloadBytes += length
        return (UInt64(c) << 32 | UInt64(start), UInt64(c) << 32 | UInt64(payloadStart))
    }

    /// The payload of each segment of the chain ending at `last`, first to last.
    func segments(endingAt last: Position) -> [(chunk: Int, range: Range<Int>)] {
        var out: [(chunk: Int, range: Range<Int>)] = []
        out.reserveCapacity(8)  // a resource's records, mostly: growing to them cost more than reading them
        var next: Position? = last
        while let position = next {
            let c = Int(position >> 32)
            var i = Int(position & 0xFFFF_FFFF)
            chunks[c].withUnsafeBufferPointer { chunk in
                let previousChunk = Varint.read(chunk, &i)
                next = previousChunk == 0 ? nil : (previousChunk - 1) << 32 | Varint.read(chunk, &i)
                let length = Int(Varint.read(chunk, &i))
                out.append((c, i..<(i + length)))
            }
        }
        out.reverse()
        return out
    }

    /// `count` payload bytes from `position` (a place `append` returned, plus an offset).
    func bytes(at position: Position, count: Int) -> ArraySlice<UInt8> {
        let offset = Int(position & 0xFFFF_FFFF)
        return chunks[Int(position >> 32)][offset..<(offset + count)]
    }
}

/// The id of every resource, as one run of bytes: a `String` each would cost an allocation
/// per resource for the whole audit.
struct ResourceIDs: Sendable {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    mutating func append(_ id: String) {
        bytes += id.utf8
        ends.append(bytes.count)
    }

    private func range(_ n: Int) -> Range<Int> { (n == 0 ? 0 : ends[n - 1])..<ends[n] }

    func string(_ n: Int) -> String { String(decoding: bytes[range(n)], as: UTF8.self) }

    /// By `memcmp`: a generic `elementsEqual` over the two views cost some 1,800
    /// instructions a call, and the join asks once per record.
    func equals(_ n: Int, _ id: String) -> Bool {
        var id = id
        return id.withUTF8 { utf8 in
            bytes.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[range(n)]).sameBytes(UnsafeRawBufferPointer(utf8)) }
        }
    }

    /// Byte order, as etcd orders keys (ExactText.swift says why not `String`'s `<`).
    func precedes(_ a: Int, _ b: Int) -> Bool {
        bytes[range(a)].lexicographicallyPrecedes(bytes[range(b)])
    }
}
