import Foundation

/// `--report jsonl`, the findings stream for very large audits: one line per finding, as
/// the JSON report writes it (with its fingerprint), then one last line holding the rest of
/// the JSON report (`schema_version`, `tool`, `inputs`, `summary`, and with a baseline
/// `resolved` and `not_checked`), so a consumer knows the stream is whole.
///
/// The lines come resource by resource in report order; findings across resources (a
/// value two resources must not share) can only be known once every resource is checked,
/// so they come after all the others. `JSONLStream` writes the same lines as the audit
/// goes, holding none of them; this reporter writes them from a whole result.
struct JSONLReporter: Reporter {
    func render(_ result: AuditResult, options: ReportOptions) throws -> String {
        var lines = JSONLLines(perFile: result.isPerFile)
        var text = ""
        for finding in Self.streamOrder(result) { text += try lines.line(finding) }
        return text + (try lines.last(result, options: options))
    }

    /// The findings in the order the stream gives them: file by file with `--per-file`
    /// (in the order of `files`), in each store the findings of each resource, then those
    /// across resources.
    static func streamOrder(_ result: AuditResult) -> [Finding] {
        guard let files = result.files else { return storeOrder(result.findings) }
        let byFile = result.findingsByFile()
        return files.flatMap { storeOrder(byFile[$0.path] ?? []) }
    }

    private static func storeOrder(_ findings: [Finding]) -> [Finding] {
        findings.filter { !$0.acrossResources } + findings.filter(\.acrossResources)
    }
}

/// Turns findings into lines and counts them for the last line.
struct JSONLLines {
    private var tally: FindingTally
    private let encoder: JSONEncoder

    init(perFile: Bool) {
        tally = FindingTally(perFile: perFile)
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    mutating func line(_ finding: Finding) throws -> String {
        tally.add(finding)
        return String(decoding: try encoder.encode(JSONReporter.ReportedFinding(finding: finding)), as: UTF8.self) + "\n"
    }

    /// The JSON report without its findings: `result` has every summary but the findings.
    func last(_ result: AuditResult, options: ReportOptions) throws -> String {
        let document = JSONReporter.document(result, tally: tally, findings: nil, options: options)
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}

/// Writes the findings stream while the audit runs: each batch of findings (after the
/// waivers, `--redact` and the baseline) as lines, flushed at once, and the last line when
/// the audit is done. Memory stays flat with the number of findings: a finding is written
/// and let go (only a digest of its record's key stays, for the summary's count).
public final class JSONLStream {
    private var lines: JSONLLines
    private var pipeline: FindingPipeline
    private let write: (String) throws -> Void
    private let failOn: Severity?
    /// Whether a finding written makes the exit status 1 (the result holds none of them).
    public private(set) var hasFailingFinding = false
    /// The first write error; the stream stops writing after it and `finish` throws it.
    private var failure: Error?

    /// `write` takes each piece of text in order (a file, standard output).
    public init(perFile: Bool, pipeline: FindingPipeline, failOn: Severity?, write: @escaping (String) throws -> Void) {
        lines = JSONLLines(perFile: perFile)
        self.failOn = failOn
        self.pipeline = pipeline
        self.write = write
    }

    /// One batch, in report order (the `stream` of `Auditor.audit`).
    public func add(_ batch: [Finding]) {
        guard failure == nil, !batch.isEmpty else { return }
        do {
            var text = ""
            for finding in pipeline.process(batch) {
                if finding.fails(at: failOn) { hasFailingFinding = true }
                text += try lines.line(finding)
            }
            try write(text)
        } catch {
            failure = error
        }
    }

    /// Completes `result` (which holds no findings) with what the findings' passage left
    /// (waivers, baseline) and writes the last line.
    public func finish(_ result: inout AuditResult, options: ReportOptions) throws {
        pipeline.finish(&result)
        if let failure { throw failure }
        try write(try lines.last(result, options: options))
    }
}
