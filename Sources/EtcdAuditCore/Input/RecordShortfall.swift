/// Why an input read to its end is no store to audit: it gave no records and is no export
/// of an empty store, or most of its non-empty lines are not records of its format. A gate
/// fed the wrong file (a README, an empty file, the wrong `--format`) must not pass.
struct RecordShortfall: Equatable {
    /// What was found, in a few words (a walked file's `skipped_files` reason).
    var reason: String
    /// What to try.
    var advice: String

    /// The input error of a file named on the command line.
    func message(path: String) -> String { "\(path): \(reason); \(advice)" }

    /// nil when the input is fine: it gave records of which at most half its lines are
    /// stray, or none because it exports an empty store (`InputInfo.isStoreExport`).
    /// `detected` is what the first bytes look like; `forced` is true when `--format`
    /// chose `format`.
    static func check(records: Int, info: InputInfo, bytes: Int, format: InputFormat,
                      detected: Detection, forced: Bool) -> RecordShortfall? {
        let how = forced ? "as --format says" : "detected from its first bytes"
        let stray = info.lines > 0 ? "\(info.strayLines) of \(info.lines) non-empty lines are not \(format.rawValue) records" : nil
        let reason: String
        if detected == .empty && records == 0 {
            reason = bytes == 0 ? "the file is empty" : "the file holds nothing but whitespace"
        } else if records == 0, !forced, case .binary(let evidence) = detected {
            // Not "no records read as markdown": markdown was only the fallback.
            reason = "binary data (\(evidence)), not a dump in any format etcd-audit reads"
        } else if records == 0 {
            guard !info.isStoreExport else { return nil }
            reason = "no records read as \(format.rawValue) (\(how)): "
                + ([emptyDescription(format)] + (stray.map { [$0] } ?? [])).joined(separator: "; ")
        } else if let stray, info.strayLines * 2 > info.lines {
            reason = "\(stray) (read as \(format.rawValue), \(how)): \(strayDescription(format))"
        } else {
            return nil
        }
        return RecordShortfall(reason: reason, advice: advice(format: format, detected: detected, forced: forced))
    }

    private static func advice(format: InputFormat, detected: Detection, forced: Bool) -> String {
        switch detected {
        case .empty:
            return "an export of an empty etcd still holds a header (etcdctl get --prefix \"\" -w json): "
                + "is this the file you meant?"
        case .binary(let evidence) where forced:
            return "its first bytes are binary data (\(evidence)): is this the file you meant?"
        case .binary:
            let text = InputFormat.allCases.filter { $0 != .snapshot }.map(\.rawValue).joined(separator: ", ")
            return "those are \(text) (text, plain or .gz) and snapshot (etcdctl snapshot save): is this the file you meant?"
        case .format(let detected) where forced && detected != format:
            return "its first bytes look like \(detected.rawValue): try --format \(detected.rawValue), or leave --format out"
        case .format:
            let others = InputFormat.allCases.filter { $0 != format }.map(\.rawValue)
            return "if it is a dump in another format, give --format with one of: " + others.joined(separator: ", ")
        }
    }

    /// What a record is in each format, said as its absence.
    private static func emptyDescription(_ format: InputFormat) -> String {
        switch format {
        case .markdown: return "no fenced code block starts with an etcd key (a line beginning with /)"
        case .etcdctl: return "no key line"
        case .etcdctlJSON: return "no kvs, and no header of an empty store (a --count-only export has a count and no kvs)"
        case .jsonl: return "no line is a {\"key\": …, \"value\": …} object"
        case .etcdV2: return "no key node, and no root directory of an empty store"
        case .snapshot: return "no keys"
        }
    }

    /// What a stray line is in the formats that count them (InputInfo.strayLines).
    private static func strayDescription(_ format: InputFormat) -> String {
        switch format {
        case .jsonl: return "lines that are not JSON objects with a string \"key\""
        case .etcdctl: return "lines before the first etcd key (/…), or after a value's JSON ended"
        default: return "lines that belong to no record"
        }
    }
}
