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
        if head.count >= 20, head[16] == 0xED, head[17] == 0xDA, head[18] == 0x0C, head[19] == 0xED {
            return .format(.snapshot)
        }
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
            return .format(.markdown)
        }
    }
}

enum Detection {
    case format(InputFormat)
    case empty
}

extension ByteSource {
    /// What the bytes buffered so far look like (nil: nothing but whitespace); fill it
    /// first (4 KiB is what detection needs).
    var detectedFormat: InputFormat? {
        switch withAvailable({ InputFormat.detect($0) }) {
        case .format(let format): return format
        case .empty: return nil
        }
    }
}

/// Opens one input for reading records.
enum InputOpener {
    /// The reader, the format it reads, and what the first bytes look like (nil: nothing
    /// but whitespace), detected even when `format` is given, so that an input that
    /// yields no records can say which `--format` to try. `revision` (nil: the newest)
    /// is the store's revision to read: only a snapshot holds more than one.
    static func open(path: String, format: InputFormat?, revision: Int64? = nil,
                     isDeclaredKey: @escaping (String) -> Bool)
        throws -> (reader: RecordReader, format: InputFormat, detected: InputFormat?)
    {
        let source = try ByteSource(path: path)
        if format == nil {
            try source.fill(atLeast: 4096)
        } else {
            // With --format the reader meets a fault itself, after the records before it.
            _ = try? source.fill(atLeast: 4096)
        }
        let detected = source.detectedFormat
        // Nothing to read, nothing to guess: any reader finds no records.
        let chosen = format ?? detected ?? .etcdctl
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
