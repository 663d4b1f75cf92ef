/// What `explain` shows: for each resource asked about, its records, every rule that
/// applies to its type with its verdict, and the order its records were written in.
public struct Explanation: Sendable {
    public var inputs: [InputSummary]
    public var resources: [ResourceExplanation]
    /// The configuration file the run used, as it was named.
    public var config: String?

    /// True when some input could not be read to its end (exit status 2).
    public var hasInputErrors: Bool { inputs.contains { $0.error != nil } }
}

public struct ResourceExplanation: Sendable {
    public var type: ResourceType
    public var id: String
    /// In pipeline order (SPEC §1), jobs by key.
    public var records: [RecordDetail]
    /// By rule id; with `findingsOnly`, the fired rules only (`counts` still counts all).
    public var verdicts: [RuleVerdict]
    /// The records with a `mod_revision`, oldest write first.
    public var writeOrder: [WriteStep]
    public var counts: Counts

    public struct Counts: Sendable {
        public var fired = 0, passed = 0, notRun = 0, findings = 0
    }
}

/// One rule's verdict on one resource.
public struct RuleVerdict: Sendable {
    public enum Outcome: String, Sendable {
        case fired, passed
        /// A record (or revision) the rule's check kind needs is missing: no verdict.
        case notRun = "not_run"
    }

    public var rule: String
    public var severity: Severity
    public var kind: String
    public var summary: String
    public var outcome: Outcome
    /// Why it could not run (`notRun` only).
    public var reason: String?
    /// Its findings on the resource (`fired` only), in report order.
    public var findings: [Finding]
}

/// One write of the resource's records, as its `mod_revision` dates it.
public struct WriteStep: Sendable {
    public var modRevision: Int64
    public var createRevision: Int64?
    public var kind: RecordKind
    public var key: String
    /// Kinds later in the pipeline (config → job → stack → job_state → state → monitoring)
    /// whose record was written before this one: "job written after state".
    public var after: [RecordKind]
}

extension Explanation {
    /// The explanation of the resources `queries` name, from an audit run with `capture`
    /// (waivers, if any, already applied to `result`). Throws when a query names no
    /// resource of the store, or several.
    public init(result: AuditResult, capture: ResourceCapture, queries: [ResourceQuery],
                findingsOnly: Bool = false) throws(ExplainError) {
        var plan = ExtractionPlan()
        for rule in result.rules { plan.merge(rule.check.plan) }
        var resolved: [Resource] = []
        for query in queries {
            let resource = try query.resolve(in: capture.resources, store: result.resources)
            if !resolved.contains(where: { $0 === resource }) { resolved.append(resource) }
        }
        let findings = Dictionary(grouping: result.findings) { ResourceRef(type: $0.resourceType, id: $0.resourceID) }
        inputs = result.inputs
        config = result.config
        resources = resolved.map { resource in
            ResourceExplanation(resource, rules: result.rules, findings: findings[resource.ref] ?? [],
                                capture: capture, plan: plan, findingsOnly: findingsOnly)
        }
    }
}

extension ResourceExplanation {
    init(_ resource: Resource, rules: [Rule], findings: [Finding], capture: ResourceCapture, plan: ExtractionPlan,
         findingsOnly: Bool) {
        type = resource.type
        id = resource.id
        records = resource.allRecords.map { kind, meta in
            // The copy audited: the one read at the place the join kept.
            let copies = capture.raw(ofKey: meta.key)
            let raw = copies.first { $0.location == meta.location } ?? copies.last
            return RecordDetail(kind: kind, meta: meta, raw: raw, resource: resource, plan: plan)
        }
        var counts = Counts()
        var verdicts: [RuleVerdict] = []
        for rule in rules.sorted(by: { $0.id < $1.id }) where rule.applies(to: resource.type) {
            let fired = findings.filter { $0.rule == rule.id }
            var verdict = RuleVerdict(rule: rule.id, severity: rule.severity, kind: rule.kind, summary: rule.summary,
                                      outcome: .passed, reason: nil, findings: fired)
            if !fired.isEmpty {
                verdict.outcome = .fired
                counts.fired += 1
                counts.findings += fired.count
            } else if let missing = RecordNeed.firstMissing(rule.check.needs, in: resource) {
                verdict.outcome = .notRun
                verdict.reason = missing
                counts.notRun += 1
            } else {
                counts.passed += 1
            }
            if !findingsOnly || verdict.outcome == .fired { verdicts.append(verdict) }
        }
        self.verdicts = verdicts
        self.counts = counts
        writeOrder = Self.writeOrder(resource.allRecords)
    }

    /// Records with revisions, oldest write first (one revision can write several keys, in
    /// a transaction: those in pipeline order), each with the later pipeline steps it follows.
    static func writeOrder(_ records: [(kind: RecordKind, meta: RecordMeta)]) -> [WriteStep] {
        let dated = records.compactMap { record in record.meta.modRevision.map { (record.kind, record.meta, $0) } }
            .sorted { ($0.2, $0.0, $0.1.key) < ($1.2, $1.0, $1.1.key) }
        return dated.map { kind, meta, revision in
            let earlierLater = dated.filter { $0.2 < revision && $0.0 > kind }.map(\.0)
            return WriteStep(modRevision: revision, createRevision: meta.createRevision, kind: kind, key: meta.key,
                             after: Array(Set(earlierLater)).sorted())
        }
    }
}
