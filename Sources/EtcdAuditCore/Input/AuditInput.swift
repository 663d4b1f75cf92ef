/// One input of an audit: a dump, or a live etcd read through its gateway.
public enum AuditInput: Sendable {
    /// A file in one of the `InputFormat`s, or `-` for standard input.
    case file(String)
    case endpoint(EndpointOptions)

    /// What the input's summary is called before it is opened (and if it cannot be).
    var label: String {
        switch self {
        case .file(let path): return path
        case .endpoint(let options): return options.label
        }
    }

    /// The format its summary names before it is opened (and if it cannot be).
    func formatName(given: InputFormat?) -> String {
        switch self {
        case .file: return given?.rawValue ?? "unknown"
        case .endpoint: return "endpoint"
        }
    }

    /// The input's reader, the format its summary names, and the path or URL it was read
    /// from (for an endpoint, the member that answered). `format` applies to files only.
    func open(format: InputFormat?, isDeclaredKey: @escaping (String) -> Bool) throws
        -> (reader: RecordReader, format: String, path: String)
    {
        switch self {
        case .file(let path):
            let opened = try InputOpener.open(path: path, format: format, isDeclaredKey: isDeclaredKey)
            return (opened.reader, opened.format.rawValue, path)
        case .endpoint(let options):
            let reader = try EndpointReader(options: options)
            return (reader, "endpoint", reader.endpoint)
        }
    }
}
