import Foundation

/// The records of the resources with findings, read again from their inputs after the
/// audit, for the HTML report's resource sections. The join keeps only the members the
/// rules read, and keeping every raw value while auditing would cost the whole store's
/// size; so the files are read once more, keeping only the keys of resources with
/// findings, each value cut at `valueLimit` bytes and all of them at `totalLimit`.
/// Standard input and live etcds cannot be read again: their records are not shown.
struct FindingRecords {
    /// One record as read again: its kind, key, revisions, place and value (or why not).
    struct Record {
        var kind: RecordKind
        var key: String
        /// The resource's id as the key holds it (before any redaction).
        var rawID: String
        var location: SourceLocation
        var createRevision: Int64?
        var modRevision: Int64?
        /// The value (cut past `valueLimit`), nil when it was left out (see `omitted`).
        var value: [UInt8]?
        var truncatedFrom: Int?
        var valueError: String?
    }

    static let valueLimit = 64 * 1024
    static let totalLimit = 16 * 1024 * 1024

    /// Records by resource, in input order.
    var records: [ResourceRef: [Record]] = [:]
    /// Inputs whose records could not be read again, with why.
    var unreadable: [(path: String, reason: String)] = []
    /// Values left out once `totalLimit` was spent.
    var valuesOmitted = 0

    /// Reads `inputs` again (paths relative to `directory` when not absolute) for the
    /// resources `wanted`; `idOf` gives the id a resource has in the findings (a digest
    /// under `--redact ids`).
    init(inputs: [InputSummary], directory: String, layouts: Layouts, wanted: Set<ResourceRef>,
         idOf: (String) -> String = { $0 }) {
        guard !wanted.isEmpty else { return }
        var budget = Self.totalLimit
        for input in inputs {
            let path = input.path.hasPrefix("/") ? input.path : directory + "/" + input.path
            guard let format = InputFormat(rawValue: input.format) else {
                unreadable.append((input.path, "a live etcd is not read again for the report"))
                continue
            }
            guard input.path != "-", FileIdentity.isRegular(path) else {
                unreadable.append((input.path, input.path == "-" ? "standard input cannot be read again"
                                   : "a pipe or a device cannot be read again"))
                continue
            }
            do {
                let opened = try InputOpener.open(path: path, format: format,
                                                  revision: format == .snapshot ? input.revision : nil) { layouts.match($0) != nil }
                while var raw = try opened.reader.next() {
                    guard let match = layouts.match(raw.key) else { continue }
                    let ref = ResourceRef(type: match.type.singular, id: idOf(match.id))
                    guard wanted.contains(ref) else { continue }
                    raw.decodeValue()
                    var record = Record(kind: match.kind, key: raw.key, rawID: match.id, location: raw.location,
                                        createRevision: raw.createRevision, modRevision: raw.modRevision,
                                        value: nil, truncatedFrom: nil, valueError: raw.valueError)
                    record.location.path = input.path
                    if budget > 0 {
                        let kept = min(raw.value.count, Self.valueLimit, budget)
                        record.value = Array(raw.value.prefix(kept))
                        if kept < raw.value.count { record.truncatedFrom = raw.value.count }
                        budget -= kept
                    } else {
                        valuesOmitted += 1
                    }
                    records[ref, default: []].append(record)
                }
            } catch {
                unreadable.append((input.path, "could not be read again: \(error)"))
            }
        }
    }
}
