import Foundation

/// The JSON report (SPEC §4). `schema_version` changes when a field changes meaning.
struct JSONReporter: Reporter {
    static let schemaVersion = 3

    struct Document: Encodable {
        var schemaVersion = JSONReporter.schemaVersion
        var tool: Tool
        var inputs: [InputSummary]
        var summary: Summary
        var findings: [ReportedFinding]
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
    func render(_ result: AuditResult, options: ReportOptions, history: History?) throws -> String {
        var byRule: [String: Int] = [:]
        for finding in result.findings { byRule[finding.rule, default: 0] += 1 }
        // Per file, one key can be a record of several stores: each counts.
        let byFile = result.findingsByFile()
        let recordsWithFindings = result.isPerFile
            ? byFile.values.reduce(0) { $0 + Set($1.compactMap(\.keys.first)).count }
            : Set(result.findings.compactMap(\.keys.first)).count
        let summary = Summary(resources: result.resources.count, records: result.recordsRead,
                              skippedKeys: result.skippedKeys, findings: result.findings.count,
                              bySeverity: Self.bySeverity(result.findings), byRule: byRule,
                              elapsedSeconds: result.elapsedSeconds,
                              inputErrors: result.inputs.filter { $0.error != nil }.count,
                              unreadableParts: result.inputs.reduce(0) { $0 + $1.problems.count },
                              recordsWithFindings: recordsWithFindings, baseline: result.baseline,
                              config: result.config, waivers: result.waivers)
        let files = result.files?.map { file in
            let findings = byFile[file.path] ?? []
            return FileSummary(path: file.path, format: file.format, resources: file.resources.count,
                               records: file.recordsRead, skippedKeys: file.skippedKeys, findings: findings.count,
                               bySeverity: Self.bySeverity(findings))
        }
        let document = Document(tool: Tool(version: options.toolVersion), inputs: result.inputs,
                                summary: summary,
                                findings: result.findings.map { ReportedFinding(finding: $0, introduced: history?.introduced[$0.fingerprint]) },
                                resolved: result.baseline?.resolved, notChecked: result.baseline?.notChecked, files: files,
                                skippedFiles: result.skippedFiles.isEmpty ? nil : result.skippedFiles,
                                cleared: history.map(HistoryJSON.cleared), history: history.map(HistoryJSON.Replay.init))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }

    /// Every severity, zero included, so consumers need not guess absent ones.
    private static func bySeverity(_ findings: [Finding]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for severity in Severity.allCases { counts[severity.rawValue] = 0 }
        for finding in findings { counts[finding.severity.rawValue, default: 0] += 1 }
        return counts
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
