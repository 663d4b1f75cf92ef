/// One JSON object per line: `{"key": "...", "value": <JSON, or a string holding the
/// value's text>, "create_revision": n?, "mod_revision": n?}`. A string value is always
/// the etcd value's text, to be parsed like any other format's.
final class JSONLinesReader: RecordReader {
    private let lines: LineReader
    private(set) var info = InputInfo()

    init(source: ByteSource) {
        lines = LineReader(source: source)
    }

    var bytesRead: Int { lines.offset }

    func next() throws -> RawRecord? {
        while let line = try lines.next() {
            if line.isBlank { continue }
            info.lines += 1
            let location = SourceLocation(path: lines.path, line: line.number, offset: line.offset)
            let parsed = JSONDocument.parse(line.bytes, allowNUL: true) { root -> Result<RawRecord, InputProblem> in
                guard root.kind == .object else {
                    return .failure(InputProblem(location: location, message: "line is not a JSON object"))
                }
                guard let key = root["key"]?.string else {
                    return .failure(InputProblem(location: location, message: "line has no string member \"key\""))
                }
                var record = RawRecord(key: key, value: [], createRevision: root["create_revision"]?.integer,
                                       modRevision: root["mod_revision"]?.integer, location: location)
                switch root["value"] {
                case nil: record.valueError = "line has no member \"value\""
                case let value? where value.kind == .string: record.value = value.stringBytes ?? []
                case let value?: record.value = value.serialized
                }
                return .success(record)
            }
            switch parsed {
            case .success(let outcome):
                switch outcome.value {
                case .success(var record):
                    // Duplicates inside an object value: the re-serialized text has lost them.
                    record.duplicatesFound = outcome.duplicates.compactMap { duplicate in
                        guard duplicate.path == "$.value" || duplicate.path.hasPrefix("$.value.") || duplicate.path.hasPrefix("$.value[")
                        else { return nil }
                        var moved = duplicate
                        moved.path = "$" + duplicate.path.dropFirst("$.value".count)
                        return moved
                    }
                    return record
                case .failure(let problem):
                    info.problems.append(problem)
                    info.strayLines += 1
                }
            case .failure(let error):
                if !line.terminated {
                    // The last line, without its newline, and not JSON: the file was cut off.
                    throw InputError(path: lines.path, offset: line.offset,
                                     message: "the file ends inside a line (cut off?): \(error.message)")
                }
                info.problems.append(InputProblem(location: location,
                                                  message: "line is not JSON: \(error.message) (column \(error.column))"))
                info.strayLines += 1
            }
        }
        return nil
    }
}
