import Foundation

/// The JSON report (SPEC §4). `schema_version` changes when a field changes meaning
/// (4: fingerprints are XXH3-128 digests; a baseline of 3 or less is matched by its fields).
struct JSONReporter: Reporter {
    static let schemaVersion = 4

    struct Document: Encodable {
        var schemaVersion = JSONReporter.schemaVersion
        var tool: Tool
        var inputs: [InputSummary]
        var summary: Summary
        /// Nil in the findings stream's last line (the findings are the lines before it).
        var findings: [ReportedFinding]?
        /// With --baseline only: the baseline's findings that no longer hold, and those of a
        /// store that stopped early this time, as the baseline report had them.
        var resolved: [ReportJSON]?
        var notChecked: [ReportJSON]?
        /// With --per-file only: what each file audited alone gave (totals stay in summary).
        var files: [FileSummary]?
        /// Only when some file was not audited (a walked file without records, a link).
        var skippedFiles: [SkippedFile]?
        /// `history` only: the findings that held and stopped, and what was replayed.
        var cleared: [HistoryJSON.Cleared]?
        var history: HistoryJSON.Replay?

        enum CodingKeys: String, CodingKey {
            case schemaVersion = "schema_version"
            case tool, inputs, summary, findings, files, resolved, cleared, history
            case notChecked = "not_checked"
            case skippedFiles = "skipped_files"
        }
    }

    /// A finding with its `fingerprint`, which the finding's own encoding leaves out (it is
    /// derived), so a baseline need not compute it again, even from redacted values.
    struct ReportedFinding: Encodable {
        var finding: Finding
        /// `history` only: the write after which it first held and held ever since.
        var introduced: WriteRef?

        init(finding: Finding, introduced: WriteRef? = nil) {
            self.finding = finding
            self.introduced = introduced
        }

        enum CodingKeys: String, CodingKey { case fingerprint, introduced }

        func encode(to encoder: Encoder) throws {
            try finding.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(finding.fingerprint, forKey: .fingerprint)
            try c.encodeIfPresent(introduced, forKey: .introduced)
        }
    }

    struct FileSummary: Encodable {
        var path: String
        var format: String
        var resources: Int
        var records: Int
        var skippedKeys: Int
        var findings: Int
        var bySeverity: [String: Int]

        enum CodingKeys: String, CodingKey {
            case path, format, resources, records, findings
            case skippedKeys = "skipped_keys"
            case bySeverity = "by_severity"
        }
    }

    struct Tool: Encodable {
        var name = "etcd-audit"
        var version: String
    }

    struct Summary: Encodable {
        var resources: Int
        var records: Int
        var skippedKeys: Int
        var findings: Int
        var bySeverity: [String: Int]
        var byRule: [String: Int]
        var elapsedSeconds: Double?
        var inputErrors: Int
        var unreadableParts: Int
        var recordsWithFindings: Int
        var baseline: BaselineSummary?
        var config: String?
        var waivers: WaiverSummary?

        enum CodingKeys: String, CodingKey {
            case resources, records, findings
            case skippedKeys = "skipped_keys"
            case bySeverity = "by_severity"
            case byRule = "by_rule"
            case elapsedSeconds = "elapsed_s"
            case inputErrors = "input_errors"
            case unreadableParts = "unreadable_parts"
            case recordsWithFindings = "records_with_findings"
            case baseline, config, waivers
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(resources, forKey: .resources)
            try c.encode(records, forKey: .records)
            try c.encode(skippedKeys, forKey: .skippedKeys)
            try c.encode(findings, forKey: .findings)
            try c.encode(bySeverity, forKey: .bySeverity)
            try c.encode(byRule, forKey: .byRule)
            // null unless timing was asked for: the report stays byte-for-byte repeatable.
            try c.encode(elapsedSeconds, forKey: .elapsedSeconds)
            try c.encode(inputErrors, forKey: .inputErrors)
            try c.encode(unreadableParts, forKey: .unreadableParts)
            try c.encode(recordsWithFindings, forKey: .recordsWithFindings)
            try c.encodeIfPresent(baseline, forKey: .baseline)
            try c.encodeIfPresent(config, forKey: .config)
            try c.encodeIfPresent(waivers, forKey: .waivers)
        }
    }

    func render(_ result: AuditResult, options: ReportOptions) throws -> String {
        try render(result, options: options, history: nil)
    }

    /// The check report; with `history`, each finding dated and the history's members added.
    func render(_ result: AuditResult, options: ReportOptions, history: History?,
                findingsPerPiece: Int = JSONReporter.findingsPerPiece) throws -> String {
        var tally = FindingTally(perFile: result.isPerFile)
        for finding in result.findings { tally.add(finding) }
        var document = Self.document(result, tally: tally, findings: [], options: options)
        document.cleared = history.map(HistoryJSON.cleared)
        document.history = history.map(HistoryJSON.Replay.init)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let skeleton = try encoder.encode(document)
        // The findings go in a few hundred at a time. Encoded in one piece with the document,
        // they took some 4 KB each at the run's end (the findings, Foundation's tree of
        // them, the bytes, the text): 278 MiB for 73,000 findings, far above what the
        // whole audit of their store held.
        guard !result.findings.isEmpty, let place = skeleton.range(of: Data("\n  \"findings\" : [\n\n  ]".utf8)) else {
            return String(decoding: skeleton, as: UTF8.self) + "\n"
        }
        var out: [UInt8] = []
        // Room for a typical finding's 550 bytes and more: the text is not copied as it grows.
        out.reserveCapacity(skeleton.count + result.findings.count * 1024)
        out += skeleton[..<place.lowerBound]
        out += "\n  \"findings\" : [".utf8
        // Pieces are written `jobs` at a time, one a thread: on a store with thousands of
        // findings this is the longest step after the rules, and it ran on one core.
        let findings = result.findings, introduced = history?.introduced
        let perPiece = max(1, findingsPerPiece), pieceCount = (findings.count + perPiece - 1) / perPiece
        // A piece's findings as reported, made when it is written (not all at once).
        let piece = { @Sendable (n: Int) in
            findings[(n * perPiece)..<min((n + 1) * perPiece, findings.count)].map {
                ReportedFinding(finding: $0, introduced: introduced?[$0.fingerprint])
            }
        }
        let wave = max(1, options.jobs)
        for first in stride(from: 0, to: pieceCount, by: wave) {
            // Each piece's text, written where it stands, two levels down; nil where the plain
            // encoder met a type it leaves to JSONEncoder.
            let written = concurrentMap(min(wave, pieceCount - first)) { i -> [[UInt8]]? in
                let reported = piece(first + i)
                let texts = reported.compactMap { PrettyJSONEncoder.encode($0, depth: 2) }
                return texts.count == reported.count ? texts : nil
            }
            for (i, texts) in written.enumerated() {
                if first + i > 0 { out.append(UInt8(ascii: ",")) }
                guard let texts else {
                    Self.appendElements(of: try encoder.encode(piece(first + i)), to: &out)
                    continue
                }
                for (j, finding) in texts.enumerated() {
                    out += (j > 0 ? ",\n    " : "\n    ").utf8
                    out += finding
                }
            }
        }
        out += "\n  ]".utf8
        out += skeleton[place.upperBound...]
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    static let findingsPerPiece = 256

    /// The elements of a pretty-printed top-level array, two levels deeper (the document's
    /// `findings` member): its lines without the `[` and `]` lines, each indented by two
    /// spaces more (an empty line, inside an empty array, stays empty). A newline inside a
    /// JSON string is written `\n`, so every line break in `array` is the printer's.
    static func appendElements(of array: Data, to out: inout [UInt8]) {
        array.withUnsafeBytes { (all: UnsafeRawBufferPointer) in
            guard all.count > 4 else { return }
            let body = UnsafeRawBufferPointer(rebasing: all[2..<(all.count - 2)])  // "[\n" ... "\n]"
            var lineStart = 0
            while lineStart <= body.count {
                var lineEnd = lineStart
                while lineEnd < body.count, body[lineEnd] != 0x0A { lineEnd += 1 }
                out.append(0x0A)
                if lineEnd > lineStart {
                    out.append(0x20)
                    out.append(0x20)
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[lineStart..<lineEnd]))
                }
                lineStart = lineEnd + 1
            }
        }
    }

    /// The report of `result`, whose findings `tally` counted (they are not in `result` when
    /// they were streamed).
    static func document(_ result: AuditResult, tally: FindingTally, findings: [ReportedFinding]?,
                         options: ReportOptions) -> Document {
        let summary = Summary(resources: result.resources.count, records: result.recordsRead,
                              skippedKeys: result.skippedKeys, findings: tally.count,
                              bySeverity: tally.bySeverity, byRule: tally.byRule,
                              elapsedSeconds: result.elapsedSeconds,
                              inputErrors: result.inputs.filter { $0.error != nil }.count,
                              unreadableParts: result.inputs.reduce(0) { $0 + $1.problems.count },
                              recordsWithFindings: tally.recordsWithFindings, baseline: result.baseline,
                              config: result.config, waivers: result.waivers)
        let files = result.files?.map { file in
            FileSummary(path: file.path, format: file.format, resources: file.resources.count,
                        records: file.recordsRead, skippedKeys: file.skippedKeys,
                        findings: tally.byFile[file.path]?.count ?? 0,
                        bySeverity: tally.byFile[file.path]?.bySeverity ?? Self.zeroBySeverity())
        }
        return Document(tool: Tool(version: options.toolVersion), inputs: result.inputs,
                        summary: summary, findings: findings,
                        resolved: result.baseline?.resolved, notChecked: result.baseline?.notChecked, files: files,
                        skippedFiles: result.skippedFiles.isEmpty ? nil : result.skippedFiles)
    }

    static func zeroBySeverity() -> [String: Int] {
        Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, 0) })
    }
}

/// The counts of the JSON report's summary, taken one finding at a time (the findings
/// stream never holds them all).
struct FindingTally {
    let perFile: Bool
    private(set) var count = 0
    private(set) var bySeverity = JSONReporter.zeroBySeverity()
    private(set) var byRule: [String: Int] = [:]
    /// Per file with `--per-file`: one key can be a record of several stores, each counts.
    private(set) var byFile: [String: (count: Int, bySeverity: [String: Int])] = [:]
    /// The records at fault, by a 128-bit digest of their key (and file, per file), so that
    /// the memory does not grow with the keys' length.
    private var records = Set<JSONDigest>()

    init(perFile: Bool) { self.perFile = perFile }

    var recordsWithFindings: Int { records.count }

    mutating func add(_ finding: Finding) {
        count += 1
        bySeverity[finding.severity.rawValue, default: 0] += 1
        byRule[finding.rule, default: 0] += 1
        if perFile {
            byFile[finding.location.path, default: (0, JSONReporter.zeroBySeverity())].count += 1
            byFile[finding.location.path]!.bySeverity[finding.severity.rawValue, default: 0] += 1
        }
        if let key = finding.keys.first {
            records.insert(StableHasher.digest(of: perFile ? finding.location.path : "", key))
        }
    }
}

extension InputSummary {
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(format, forKey: .format)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(records, forKey: .records)
        try c.encode(revision, forKey: .revision)
        try c.encodeIfPresent(clusterID, forKey: .clusterID)
        try c.encode(problems, forKey: .problems)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encodeIfPresent(bytesNotRead, forKey: .bytesNotRead)
    }
}
