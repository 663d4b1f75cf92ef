/// One input of an audit: a dump, or a live etcd read through its gateway.
public enum AuditInput: Sendable {
    /// A file in one of the `InputFormat`s, or `-` for standard input, named on the
    /// command line: if it yields no records it is an input error (no silent pass).
    case file(String)
    /// A file found by walking a directory: one that holds no records is skipped and
    /// listed, not audited and not an error (a README beside the fixtures).
    case walked(String)
    case endpoint(EndpointOptions)

    /// What the input's summary is called before it is opened (and if it cannot be).
    var label: String {
        switch self {
        case .file(let path), .walked(let path): return path
        case .endpoint(let options): return options.label
        }
    }

    /// The file's path; nil for a live etcd.
    public var filePath: String? {
        switch self {
        case .file(let path), .walked(let path): return path
        case .endpoint: return nil
        }
    }

    /// The format its summary names before it is opened (and if it cannot be).
    func formatName(given: InputFormat?) -> String {
        switch self {
        case .file, .walked: return given?.rawValue ?? "unknown"
        case .endpoint: return "endpoint"
        }
    }

    /// The input's reader, the format its summary names, the path or URL it was read
    /// from (for an endpoint, the member that answered), and for files what the first
    /// bytes look like (nil: a live etcd). `format` and `revision` (the store's revision
    /// to read, nil: the newest; snapshots only) apply to files; a live etcd has its own.
    func open(format: InputFormat?, revision: Int64? = nil, isDeclaredKey: @escaping (String) -> Bool) throws
        -> (reader: RecordReader, format: String, path: String, detected: Detection?)
    {
        switch self {
        case .file(let path), .walked(let path):
            let opened = try InputOpener.open(path: path, format: format, revision: revision, isDeclaredKey: isDeclaredKey)
            return (opened.reader, opened.format.rawValue, path, opened.detected)
        case .endpoint(let options):
            let reader = try EndpointReader(options: options)
            return (reader, "endpoint", reader.endpoint, nil)
        }
    }
}
