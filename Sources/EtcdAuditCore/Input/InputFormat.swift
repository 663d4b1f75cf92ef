/// The input formats (SPEC §2), by the names `--format` takes.
public enum InputFormat: String, CaseIterable, Sendable, Codable {
    case markdown
    case etcdctl
    case etcdctlJSON = "etcdctl-json"
    case jsonl
    case etcdV2 = "etcd-v2"
    case snapshot

    /// Guesses the format from the first bytes of an input (after decompression).
    static func detect(_ head: UnsafeRawBufferPointer) -> Detection {
        var i = 0
        // bbolt's magic 0xED0CDAED, little-endian, right after meta page 0's page header.
        // (A UTF-8 byte order mark was already consumed by the byte source.)
        // A snapshot whose first meta page is damaged shows its second's (or page 0's
        // header) instead: the snapshot reader reads it from there, or says what is amiss.
        // No text holds either (NUL bytes; the magic is not UTF-8).
        let magic = head.count >= 20 && head[16] == 0xED && head[17] == 0xDA && head[18] == 0x0C && head[19] == 0xED
        if magic || mayBeSnapshot(head) { return .format(.snapshot) }
        while i < head.count, [0x20, 0x09, 0x0A, 0x0D].contains(head[i]) { i += 1 }
        guard i < head.count else { return .empty }
        switch head[i] {
        case UInt8(ascii: "/"):
            return .format(.etcdctl)
        case UInt8(ascii: "{"):
            // The first member name tells an etcd JSON document from a JSON-lines record.
            let rest = String(decoding: UnsafeRawBufferPointer(rebasing: head[(i + 1)...]).prefix(64), as: UTF8.self)
            let name = rest.drop(while: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" })
            for member in ["header", "kvs", "count", "more"] where name.hasPrefix("\"\(member)\"") {
                return .format(.etcdctlJSON)
            }
            // A v2 answer: a GET, or the error etcd gives instead (`{"errorCode": 100, ...}`).
            for member in ["action", "node", "errorCode"] where name.hasPrefix("\"\(member)\"") {
                return .format(.etcdV2)
            }
            return .format(.jsonl)
        default:
            // Markdown is the fallback for text. Bytes no text holds are no dump at all.
            if let evidence = binaryEvidence(UnsafeRawBufferPointer(rebasing: head.prefix(textHeadSize))) {
                return .binary(evidence: evidence)
            }
            return .format(.markdown)
        }
    }

    /// What detection reads of every input: a text format shows itself in its first bytes.
    static let textHeadSize = 4096

    /// What it reads of bytes that are no text: up to the magic of bbolt's second meta page
    /// (after its 16-byte page header), which stands one page in, and pages are up to 64
    /// KiB. Not of every input: a cut-off `.gz` must give the records before the cut.
    static let headSize = BoltMeta.secondMetaOffsets.max()! + 16 + 4

    /// Bytes no text the markdown fallback reads holds (text in UTF-16 has no `/` key line).
    static let nulEvidence = "it holds NUL bytes"

    /// Why the head is no text ("it holds NUL bytes"), or nil when it may be.
    static func binaryEvidence(_ head: UnsafeRawBufferPointer) -> String? {
        if head.contains(0) { return nulEvidence }
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = head.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error(let length):
                // A sequence cut by the end of the head may go on after it.
                return offset + length == head.count ? nil : "it is not UTF-8 text"
            }
        }
    }

    /// True when the head may be a bbolt file that the snapshot reader can still read or
    /// say what is damaged in: page 0's header is a meta page's, or meta page 1 stands where
    /// the reader looks for it (its header and magic: the magic alone is four bytes a text
    /// in Latin-1 can hold).
    static func mayBeSnapshot(_ head: UnsafeRawBufferPointer) -> Bool {
        // Read in place: detection runs for every input, and a copy of the head was 64 KiB.
        func value<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
            T(littleEndian: head.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        if head.count >= 16, value(0, UInt64.self) == 0, value(8, UInt16.self) == BoltPage.metaFlag { return true }
        return BoltMeta.secondMetaOffsets.contains { offset in
            head.count >= offset + 20 && value(offset, UInt64.self) == 1 && value(offset + 8, UInt16.self) == BoltPage.metaFlag
                && value(offset + 16, UInt32.self) == BoltMeta.magic
        }
    }
}

/// The reader of bytes no format reads: no record, so the audit names them (`RecordShortfall`).
final class NoRecordsReader: RecordReader {
    func next() -> RawRecord? { nil }
    let info = InputInfo()
    var bytesRead: Int { 0 }
}

enum Detection: Equatable {
    case format(InputFormat)
    /// Nothing but whitespace.
    case empty
    /// No text and no snapshot: no dump in any format; read as markdown all the same
    /// (text in another encoding may still hold records), and named so when it gives none.
    case binary(evidence: String)

    /// The reader to use when `--format` names none (nil: nothing to read).
    var format: InputFormat? {
        switch self {
        case .format(let format): return format
        case .empty: return nil
        case .binary: return .markdown
        }
    }
}

extension ByteSource {
    /// What the bytes buffered so far look like; fill `InputFormat.textHeadSize` first,
    /// and `headSize` for bytes that are no text.
    var detection: Detection {
        // No more than that, whatever else is buffered: the same file, the same verdict.
        withAvailable { InputFormat.detect(UnsafeRawBufferPointer(rebasing: $0.prefix(InputFormat.headSize))) }
    }

    /// Whether the text head holds a markdown fence (```` ``` ```` or `~~~`), as a dump
    /// whose values hold NUL bytes does (a block's fence comes before its value) and random
    /// bytes or zeros do not.
    var headHoldsAFence: Bool {
        withAvailable { bytes in
            var run = 0, previous: UInt8 = 0
            for byte in bytes.prefix(InputFormat.textHeadSize) {
                let isFence = byte == UInt8(ascii: "`") || byte == UInt8(ascii: "~")
                run = isFence ? (byte == previous ? run + 1 : 1) : 0
                if run == 3 { return true }
                previous = byte
            }
            return false
        }
    }
}

/// Opens one input for reading records.
enum InputOpener {
    /// The reader, the format it reads, and what the first bytes look like, detected even
    /// when `format` is given, so that an input that yields no records can say which
    /// `--format` to try. `revision` (nil: the newest) is the store's revision to read:
    /// only a snapshot holds more than one.
    static func open(path: String, format: InputFormat?, revision: Int64? = nil,
                     isDeclaredKey: @escaping (String) -> Bool)
        throws -> (reader: RecordReader, format: InputFormat, detected: Detection)
    {
        let source = try ByteSource(path: path)
        if format == nil {
            try source.fill(atLeast: InputFormat.textHeadSize)
        } else {
            // With --format the reader meets a fault itself, after the records before it.
            _ = try? source.fill(atLeast: InputFormat.textHeadSize)
        }
        var detected = source.detection
        if case .binary = detected {
            // Maybe a snapshot whose meta page 1 lies further in. A fault met here is the
            // reader's to meet again (ByteSource keeps it), after the records before it.
            _ = try? source.fill(atLeast: InputFormat.headSize)
            detected = source.detection
        }
        if format == nil, detected == .binary(evidence: InputFormat.nulEvidence), !source.headHoldsAFence {
            // Nothing the fallback could read (a markdown dump whose values hold NUL bytes
            // still shows its fences): the audit says what the bytes are at once, where
            // reading on held all of /dev/zero's one line in memory.
            return (NoRecordsReader(), .markdown, detected)
        }
        // Nothing to read, nothing to guess: any reader finds no records.
        let chosen = format ?? detected.format ?? .etcdctl
        if let revision, chosen != .snapshot {
            // Reading it anyway would audit another revision than the one asked for.
            throw InputError(path: path, offset: nil, message: "--revision \(revision) needs a snapshot (or --endpoint), "
                             + "but this input is \(chosen.rawValue), which holds one revision of the store: audit it "
                             + "without --revision, or give the snapshot")
        }
        let reader = try makeReader(chosen, source: source, path: path, revision: revision, isDeclaredKey: isDeclaredKey)
        return (reader, chosen, detected)
    }

    private static func makeReader(_ chosen: InputFormat, source: ByteSource, path: String, revision: Int64?,
                                   isDeclaredKey: @escaping (String) -> Bool) throws -> RecordReader {
        switch chosen {
        case .markdown: return MarkdownReader(source: source)
        case .etcdctl: return EtcdctlReader(source: source, isDeclaredKey: isDeclaredKey)
        case .etcdctlJSON: return EtcdctlJSONReader(source: source)
        case .jsonl: return JSONLinesReader(source: source)
        case .etcdV2: return EtcdV2Reader(source: source)
        case .snapshot: return SnapshotReader(path: path, descriptor: try source.randomAccessDescriptor(), revision: revision)
        }
    }
}
