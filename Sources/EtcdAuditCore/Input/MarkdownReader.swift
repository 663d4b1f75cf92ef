/// Documents like the seeds: fenced code blocks whose first line is an etcd key and
/// whose remaining lines are the value. Other blocks and prose are passed over.
final class MarkdownReader: RecordReader {
    private let lines: LineReader
    private(set) var info = InputInfo()
    private var pendingError: InputError?

    init(source: ByteSource) {
        lines = LineReader(source: source)
    }

    var bytesRead: Int { lines.offset }

    private static func isFence(_ line: Line) -> Bool {
        let text = line.text.drop(while: { $0 == " " || $0 == "\t" })
        return text.hasPrefix("```") || text.hasPrefix("~~~")
    }

    func next() throws -> RawRecord? {
        if let pendingError { throw pendingError }
        while let line = try lines.next() {
            guard Self.isFence(line) else { continue }
            // Inside a block: the first line names the key, or the block is not a record.
            guard let keyLine = try lines.next() else {
                throw InputError(path: lines.path, offset: line.offset,
                                 message: "code block opened at line \(line.number) is empty and never closed")
            }
            if Self.isFence(keyLine) { continue }
            let isRecord = keyLine.text.hasPrefix("/")
            let (value, closed) = try Self.blockValue(lines, keeping: isRecord)
            if !closed {
                // Audit what was read, then report the cut-off document (exit 2).
                pendingError = InputError(path: lines.path, offset: lines.offset,
                                          message: "code block opened at line \(line.number) is never closed (file cut off?)")
            }
            if !isRecord {
                if let pendingError { throw pendingError }
                continue
            }
            return RawRecord(keyLine: keyLine, value: value, path: lines.path)
        }
        return nil
    }

    /// The lines of a block after its key line, up to the closing fence (also what the
    /// locator reads again), and whether the fence came.
    static func blockValue(_ lines: LineReader, keeping: Bool = true) throws -> (value: [UInt8], closed: Bool) {
        var value: [UInt8] = []
        while let valueLine = try lines.next() {
            if isFence(valueLine) { return (value, true) }
            if keeping {
                // Every line of the block ends with a newline, the value's last one too.
                value.append(contentsOf: valueLine.bytes)
                value.append(0x0A)
            }
        }
        return (value, false)
    }
}
