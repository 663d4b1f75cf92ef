#if canImport(Glibc)
import Glibc
#endif

/// A record's value read again for the locator, and how its offsets become lines.
struct RereadRecord {
    var key: String
    /// The value's JSON text, and where the value starts in it.
    var text: LocatorText
    var start: Int
    /// The input's bytes that `text` counts its offsets in, and the line of their first
    /// byte (formats with lines only).
    var lines: (bytes: [UInt8], firstLine: Int)?
}

/// Opens one input again and reads records at their offsets, in increasing order (one pass
/// over the file; a `.gz` is inflated again from its start), with the readers' own framing.
/// Anything that goes wrong — the file gone or changed, bytes that are not what the audit
/// read — gives nil for that record, never an error: the finding keeps the record's place.
final class RecordRereader {
    private let path: String
    private let format: InputFormat
    private let isDeclaredKey: (String) -> Bool
    private var source: ByteSource?
    /// Snapshots are read by element, with `pread`.
    private var snapshot: (descriptor: Int32, size: Int)?

    /// The most read at once from a plain file at each place: the records at fault lie far
    /// apart (1,136 findings in a 100 MB dump), and reading a whole buffer at each one read
    /// some 65 MB again for those findings. A longer record is read on in more reads.
    static let chunkSize = 8 * 1024

    init(path: String, format: InputFormat, isDeclaredKey: @escaping (String) -> Bool) throws {
        self.path = path
        self.format = format
        self.isDeclaredKey = isDeclaredKey
        if format == .snapshot {
            let descriptor = try ByteSource(path: path).randomAccessDescriptor()
            var st = stat()
            snapshot = (descriptor, fstat(descriptor, &st) == 0 ? Int(st.st_size) : 0)
        } else {
            source = try ByteSource(path: path, chunkSize: Self.chunkSize)
        }
    }

    deinit {
        if let snapshot { close(snapshot.descriptor) }
    }

    /// The record whose key stood at `location` when the audit read it.
    func record(at location: SourceLocation) -> RereadRecord? {
        guard let offset = location.offset else { return nil }
        do {
            if let snapshot { return try snapshotRecord(at: offset, in: snapshot) }
            guard let source = try positioned(at: offset) else { return nil }
            let linesBefore = (location.line ?? 1) - 1
            switch format {
            case .markdown:
                let lines = LineReader(source: source, linesBefore: linesBefore)
                guard let keyLine = try lines.next() else { return nil }
                let value = try MarkdownReader.blockValue(lines).value
                return RereadRecord(key: keyLine.keyText.text, text: LocatorText(value), start: 0,
                                    lines: (value, keyLine.number + 1))
            case .etcdctl:
                let reader = EtcdctlReader(source: source, isDeclaredKey: isDeclaredKey, linesBefore: linesBefore)
                guard let raw = try reader.next(), let first = raw.valueFirstLine else { return nil }
                return RereadRecord(key: raw.key, text: LocatorText(raw.value), start: 0, lines: (raw.value, first))
            case .jsonl:
                guard let line = try LineReader(source: source, linesBefore: linesBefore).next() else { return nil }
                return Self.jsonLine(line)
            case .etcdctlJSON:
                var raw = try EtcdctlJSONReader(source: source).readKeyValue()
                raw.decodeValue()
                return RereadRecord(key: raw.key, text: LocatorText(raw.value), start: 0, lines: nil)
            case .etcdV2:
                guard let raw = try EtcdV2Reader(source: source).readNode() else { return nil }
                return RereadRecord(key: raw.key, text: LocatorText(raw.value), start: 0, lines: nil)
            case .snapshot:
                return nil  // read by element above, never through a byte source
            }
        } catch {
            return nil
        }
    }

    /// The byte source at `offset`; opened again from the start when the offset is behind
    /// what the source still holds (rare: records come in order).
    private func positioned(at offset: Int) throws -> ByteSource? {
        if let source, try source.seek(to: offset) { return source }
        let fresh = try ByteSource(path: path, chunkSize: Self.chunkSize)
        source = fresh
        return try fresh.seek(to: offset) ? fresh : nil
    }

    /// A JSON-lines record: the positions are the line's own. An object value lies in the
    /// line as it is; a string value holds the value's text, walked through its escapes.
    private static func jsonLine(_ line: Line) -> RereadRecord? {
        let bytes = line.bytes
        let start = JSONPositionScanner.skipSpace(bytes, 0)
        func member(_ name: String) -> Int? { JSONPositionScanner.member(bytes, start, named: Array(name.utf8))?.valueStart }
        guard let keyStart = member("key"), let key = JSONPositionScanner.decodeString(LocatorText(bytes), keyStart),
              let valueStart = member("value") else { return nil }
        let keyText = String(decoding: key.text.bytes, as: UTF8.self)
        if valueStart < bytes.count, bytes[valueStart] == UInt8(ascii: "\"") {
            guard let value = JSONPositionScanner.decodeString(LocatorText(bytes), valueStart) else { return nil }
            return RereadRecord(key: keyText, text: value.text, start: 0, lines: (bytes, line.number))
        }
        return RereadRecord(key: keyText, text: LocatorText(bytes), start: valueStart, lines: (bytes, line.number))
    }

    /// A snapshot record: the bbolt leaf element at `offset`, its value an etcd KeyValue.
    private func snapshotRecord(at offset: Int, in file: (descriptor: Int32, size: Int)) throws -> RereadRecord? {
        guard let (key, value) = try EtcdSnapshot.keyValue(atElement: offset, descriptor: file.descriptor,
                                                          size: file.size, path: path) else { return nil }
        return RereadRecord(key: String(decoding: key, as: UTF8.self), text: LocatorText(value), start: 0, lines: nil)
    }
}
