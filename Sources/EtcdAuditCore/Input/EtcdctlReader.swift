/// `etcdctl get --prefix ""`: a key line, then the value, which may span lines. The
/// value runs until a line starting with `/` that is a declared key, or that follows a
/// value whose brackets have closed (etcd keys start with `/`; no line inside a JSON
/// value can). Lines of garbage after a closed value stay part of it, so jansson reports
/// them, and one bad value never swallows the records after it.
final class EtcdctlReader: RecordReader {
    private let lines: LineReader
    private let isDeclaredKey: (String) -> Bool
    private(set) var info = InputInfo()
    private var lookahead: Line?
    private var lastLineCutOff = false
    private var pendingError: InputError?

    /// `linesBefore`: lines before the source's position (the locator starts at a key line).
    init(source: ByteSource, isDeclaredKey: @escaping (String) -> Bool, linesBefore: Int = 0) {
        lines = LineReader(source: source, linesBefore: linesBefore)
        self.isDeclaredKey = isDeclaredKey
    }

    var bytesRead: Int { lines.offset }

    private func nextLine() throws -> Line? {
        if let line = lookahead {
            lookahead = nil
            return line
        }
        return try lines.next()
    }

    func next() throws -> RawRecord? {
        if let pendingError {
            self.pendingError = nil
            throw pendingError
        }
        // etcd keys are never empty: blank lines between records are not keys (nor are
        // lines of blanks: a file of whitespace holds no record).
        var keyLine: Line?
        while let line = try nextLine() {
            if line.isBlank { continue }
            keyLine = line
            break
        }
        guard let keyLine else { return nil }
        // Stray lines (InputInfo): a key line that is no etcd key and its value, and lines
        // after a declared key's JSON ended. Other applications' values may be any text.
        let isKey = keyLine.startsWithSlash, isDeclared = isKey && isDeclaredKey(keyLine.text)
        info.lines += 1
        if !isKey { info.strayLines += 1 }
        var value: [UInt8] = []
        var scanner = JSONExtentScanner()
        var first = true
        while let line = try nextLine() {
            if line.startsWithSlash && (scanner.isComplete || isDeclaredKey(line.text)) {
                lookahead = line
                break
            }
            if !line.isBlank {
                info.lines += 1
                if !isKey || (isDeclared && scanner.isComplete) { info.strayLines += 1 }
            }
            if !first { value.append(0x0A) }
            value.append(contentsOf: line.bytes)
            first = false
            scanner.feed(line.bytes)
            lastLineCutOff = !line.terminated
        }
        // etcdctl ends every value with a newline of its own (the one after the last line
        // read); blank lines before the next key are newlines at the end of the value.
        if lookahead == nil, first, isKey {
            // etcdctl writes a line for every value, an empty one too.
            pendingError = InputError(path: lines.path, offset: lines.offset,
                                      message: "the file ends after the key \(keyLine.text), before its value (cut off?)")
        } else if lookahead == nil, lastLineCutOff, !scanner.isComplete {
            // etcdctl ends its output with a newline; a value that stops mid-line with its
            // brackets open was cut off. One that stops at a line end is an invalid value
            // (a finding), as a bad value mid-file would be: the file may end there.
            pendingError = InputError(path: lines.path, offset: lines.offset,
                                      message: "the file ends inside the value of \(keyLine.text) (cut off?)")
        }
        return RawRecord(keyLine: keyLine, value: value, path: lines.path)
    }
}

/// Tracks brackets and strings over the lines of a value, to tell where a JSON value
/// that spans lines ends. It does not validate: jansson does that afterwards.
struct JSONExtentScanner {
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var sawToken = false

    /// True at a line end after a whole value: brackets balanced and not inside a string.
    var isComplete: Bool { sawToken && depth <= 0 && !inString }

    mutating func feed(_ line: [UInt8]) {
        for c in line {
            if inString {
                if escaped { escaped = false }
                else if c == UInt8(ascii: "\\") { escaped = true }
                else if c == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true; sawToken = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; sawToken = true
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; sawToken = true
            case 0x20, 0x09, 0x0D, 0x0A: break
            default: sawToken = true
            }
        }
        // A raw newline ends a (necessarily invalid) string: the next line starts afresh.
        inString = false
        escaped = false
    }
}
