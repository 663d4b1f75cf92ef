/// What happens to findings between the rules and the reports, in this order: waivers
/// mark them (a waived finding is reported as waived whether new or existing), `--redact`
/// rewrites their values (before the baseline: fingerprints then rest on the redacted
/// values, as they do in a redacted baseline), the baseline marks them new or existing.
/// Batch by batch, so the findings stream (`--report jsonl`) takes the same path as a
/// whole report.
public struct FindingPipeline {
    private var waivers: WaiverMarker?
    private let redaction: Redaction?
    private var baseline: Baseline.BaselineMatcher?

    public init(waivers: WaiverMarker? = nil, redaction: Redaction? = nil, baseline: Baseline? = nil) {
        self.waivers = waivers
        self.redaction = redaction
        self.baseline = baseline.map(Baseline.BaselineMatcher.init)
    }

    /// One batch of findings (a chunk of resources, or all of them), in report order.
    public mutating func process(_ batch: [Finding]) -> [Finding] {
        var findings = batch
        if waivers != nil {
            for i in findings.indices { waivers!.mark(&findings[i]) }
        }
        if let redaction { findings = redaction.redact(findings) }
        if baseline != nil {
            for i in findings.indices { baseline!.mark(&findings[i]) }
        }
        return findings
    }

    /// The summaries of what was done, once every finding went through.
    public func finish(_ result: inout AuditResult) {
        waivers?.finish(&result)
        redaction?.redactInputs(&result)
        baseline?.finish(&result)
    }

    /// The whole result at once.
    public mutating func apply(to result: inout AuditResult) {
        result.findings = process(result.findings)
        finish(&result)
    }
}
