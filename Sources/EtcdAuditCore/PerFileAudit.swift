/// One file audited as its own store (`--per-file`): what the reports say of it alone.
/// Its findings are those whose location names its path (a store holds one file's records).
public struct FileAudit: Sendable {
    public var path: String
    public var format: String
    public var resources: ResourceList
    public var recordsRead: Int
    public var skippedKeys: Int
}

extension Auditor {
    /// Audits what the command line selected: as one store (SPEC §2: a dump in parts), or
    /// with `perFile` each file, and the live etcd, as its own store. Files skipped while
    /// selecting or reading are listed in `skippedFiles`.
    /// `capture` (explain) applies to one store only, not with `perFile`. With `stream`,
    /// findings go to it batch by batch instead of into the result (file after file with
    /// `perFile`): see `audit(_:format:revision:jobs:capture:progress:stream:)`.
    public func audit(_ selection: InputSelection, perFile: Bool, format: InputFormat? = nil, revision: Int64? = nil,
                      jobs: Int = 1, capture: ResourceCapture? = nil,
                      progress: ((_ records: Int, _ bytes: Int) -> Void)? = nil,
                      stream: (([Finding]) -> Void)? = nil) -> AuditResult {
        var result = perFile
            ? auditEach(selection.inputs, format: format, revision: revision, jobs: jobs, progress: progress, stream: stream)
            : audit(selection.inputs, format: format, revision: revision, jobs: jobs, capture: capture, progress: progress,
                    stream: stream)
        result.skippedFiles = (result.skippedFiles + selection.skipped)
            .sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        // No silent pass for directories either: one where no file gave records.
        let audited = Set(result.inputs.map(\.path))
        for directory in selection.directories where !directory.files.contains(where: audited.contains) {
            let what = directory.files.isEmpty ? "no file to audit (hidden entries are never walked)"
                : "no file with records (\(directory.files.count) skipped: listed in the report)"
            result.inputs.append(InputSummary(
                path: directory.path, format: "directory", bytes: 0, records: 0, problems: [],
                error: "\(directory.path): this directory holds \(what); check the path and --include/--exclude"))
        }
        return result
    }

    /// Each input as its own store, audited by `audit(_:format:revision:jobs:progress:)` as if it
    /// were alone, the results joined: files in path order (bytes; so the report does not
    /// depend on the order pre-commit passes them), a file named twice audited once, the
    /// live etcd last; findings file by file, each file's in report order; totals summed.
    public func auditEach(_ inputs: [AuditInput], format: InputFormat? = nil, revision: Int64? = nil, jobs: Int = 1,
                          progress: ((_ records: Int, _ bytes: Int) -> Void)? = nil,
                          stream: (([Finding]) -> Void)? = nil) -> AuditResult {
        // Named twice, however spelled (`a.md`, `./a.md`): audited once, as first named.
        var seen = Set<FileIdentity>()
        let files = inputs.compactMap(\.filePath).filter { seen.insert(FileIdentity($0)).inserted }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let ordered = files.map { path in inputs.first { $0.filePath == path }! }
            + inputs.filter { $0.filePath == nil }

        var joined = AuditResult(inputs: [], rules: rules, resources: ResourceList.joined([]), resourceTypes: [:],
                                 findings: [], recordsRead: 0, skippedKeys: 0, files: [])
        var lists: [ResourceList] = []
        var recordsBefore = 0, bytesBefore = 0
        for input in ordered {
            // Progress counts on from the files before.
            let shifted = progress.map { report in
                { [recordsBefore, bytesBefore] (records: Int, bytes: Int) in
                    report(recordsBefore + records, bytesBefore + bytes)
                }
            }
            let one = audit([input], format: format, revision: revision, jobs: jobs, progress: shifted, stream: stream)
            joined.resourceTypes = one.resourceTypes
            joined.inputs += one.inputs
            joined.skippedFiles += one.skippedFiles
            recordsBefore += one.inputs.reduce(0) { $0 + $1.records }
            bytesBefore += one.inputs.reduce(0) { $0 + $1.bytes }
            guard let summary = one.inputs.first else { continue }  // a walked file without records
            joined.files?.append(FileAudit(path: summary.path, format: summary.format, resources: one.resources,
                                           recordsRead: one.recordsRead, skippedKeys: one.skippedKeys))
            lists.append(one.resources)
            joined.findings += one.findings
            joined.recordsRead += one.recordsRead
            joined.skippedKeys += one.skippedKeys
        }
        joined.resources = ResourceList.joined(lists)
        return joined
    }
}

extension AuditResult {
    /// True when each file was audited as its own store.
    public var isPerFile: Bool { files != nil }

    /// The findings of each file of a `--per-file` audit, by its path, in report order.
    public func findingsByFile() -> [String: [Finding]] {
        Dictionary(grouping: findings, by: \.location.path)
    }
}
