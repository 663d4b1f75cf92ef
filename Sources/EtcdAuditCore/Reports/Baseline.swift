import Foundation

/// Whether the baseline report had a finding (`--baseline`).
public enum BaselineState: String, Sendable, Codable, Hashable {
    case new, existing
}

/// `--baseline OLD.json`: the report keeps every finding, each marked `new` or `existing`
/// (the old JSON report has one with the same fingerprint), and only new ones fail the
/// run. The old report's findings that no longer hold are listed as `resolved`, in full;
/// those of a store that could not be read to its end this time are `not_checked`, since
/// a cut-off input may hide any record a finding rests on. So tonight's JSON report is
/// tomorrow's baseline.
public struct Baseline: Sendable {
    /// One finding of the old report, as it was written, and its fingerprint.
    struct OldFinding: Sendable {
        var json: ReportJSON
        var fingerprint: String
        var path: String?
    }

    public let path: String
    private let findings: [OldFinding]
    /// The JSON report schema whose fingerprints are this version's (XXH3-128).
    static let sameFingerprintsSince = 4

    public init(path: String) throws {
        self.path = path
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InputError(path: path, offset: nil, message: "cannot read the baseline: \(errorText(error))")
        }
        do {
            let report = try JSONDecoder().decode(ReportJSON.self, from: bytes)
            guard case .array(let listed)? = report[member: "findings"] else {
                throw BaselineError("it has no findings list")
            }
            // Findings the old run could not check are still open: carry them on.
            var all = listed
            if case .array(let unchecked)? = report[member: "not_checked"] { all += unchecked }
            var version = 1
            if case .integer(let v)? = report[member: "schema_version"] { version = Int(v) }
            findings = try all.enumerated().map { index, json in
                guard let fingerprint = Self.fingerprint(of: json, schemaVersion: version) else {
                    throw BaselineError("finding \(index + 1) has no fingerprint, nor rule, resource_type and resource_id")
                }
                return OldFinding(json: json, fingerprint: fingerprint, path: json[member: "location"]?[member: "path"]?.string)
            }
        } catch let error as DecodingError {
            // Where it breaks, as jansson says it of an input, not DecodingError's internals.
            guard case .failure(let bad) = JSONDocument.parse(Array(bytes), { _ in () }) else {
                throw InputError(path: path, offset: nil,
                                 message: "cannot be read as an etcd-audit JSON report (--baseline): \(error)")
            }
            throw InputError(path: path, offset: nil, message: "cannot be read as an etcd-audit JSON report "
                             + "(--baseline): it is not JSON: \(bad.message) (line \(bad.line), column \(bad.column))")
        } catch {
            throw InputError(path: path, offset: nil,
                             message: "cannot be read as an etcd-audit JSON report (--baseline): \(error)")
        }
    }

    /// The report's own `fingerprint` when this version made it (schema 4 and later; kept
    /// even when values were redacted), else the digest `Finding.fingerprint` makes, from
    /// the members it was made of: schema 1 and 2 have none, and schema 3's came from the
    /// hash before XXH3. (A redacted schema 3 report holds the old redaction digests: its
    /// findings match none of a redacted run now, once.)
    static func fingerprint(of json: ReportJSON, schemaVersion: Int = JSONReporter.schemaVersion) -> String? {
        if schemaVersion >= Self.sameFingerprintsSince, let given = json[member: "fingerprint"]?.string { return given }
        guard let rule = json[member: "rule"]?.string, let type = json[member: "resource_type"]?.string,
              let id = json[member: "resource_id"]?.string else { return nil }
        var recordKey: String?
        if case .array(let keys)? = json[member: "keys"] { recordKey = keys.first?.string }
        return Finding.fingerprint(rule: rule, resourceType: type, resourceID: id, recordKey: recordKey,
                                   expected: json[member: "expected"]?.string, actual: json[member: "actual"]?.string)
    }

    /// Marks each finding new or existing (n identical old findings make the first n of
    /// the new run existing) and lists the old ones left over as resolved or not checked.
    public func apply(to result: inout AuditResult) {
        var matcher = BaselineMatcher(self)
        for i in result.findings.indices { matcher.mark(&result.findings[i]) }
        matcher.finish(&result)
    }

    /// Marks findings one at a time (the findings stream never holds them all), and at the
    /// end lists what was left over.
    public struct BaselineMatcher {
        private let baseline: Baseline
        private var fingerprints: FingerprintMatcher
        private var matched: Set<Int> { fingerprints.matched }
        private var new = 0

        public init(_ baseline: Baseline) {
            self.baseline = baseline
            fingerprints = FingerprintMatcher(old: baseline.findings.map(\.fingerprint))
        }

        public mutating func mark(_ finding: inout Finding) {
            if fingerprints.match(finding.fingerprint) != nil {
                finding.baseline = .existing
            } else {
                finding.baseline = .new
                new += 1
            }
        }

        /// `result.baseline`: the counts, and the old findings no finding matched, resolved or
        /// (in a store that stopped early) not checked.
        public func finish(_ result: inout AuditResult) {
            let unchecked = Baseline.uncheckedStores(result)
            var resolved: [ReportJSON] = [], notChecked: [ReportJSON] = []
            for (index, old) in baseline.findings.enumerated() where !matched.contains(index) {
                if unchecked(old.path) { notChecked.append(old.json) } else { resolved.append(old.json) }
            }
            result.baseline = BaselineSummary(path: baseline.path, new: new, existing: matched.count,
                                              resolved: resolved, notChecked: notChecked)
        }
    }

    /// Whether an old finding (by its `location.path`) belongs to a store that stopped early.
    /// One store: any input error, since a resource's records may sit in any input and
    /// a record past the cut can hide or cause any finding. With `--per-file`, the file the
    /// finding was in, if it has an error this time (a file no longer audited is resolved).
    fileprivate static func uncheckedStores(_ result: AuditResult) -> (String?) -> Bool {
        if result.isPerFile {
            let broken = Set(result.inputs.filter { $0.error != nil }.map(\.path))
            return { path in path.map(broken.contains) ?? !broken.isEmpty }
        }
        let broken = result.hasInputErrors
        return { _ in broken }
    }
}

/// Old findings' fingerprints, each matched at most once: n identical old findings match
/// the first n new ones. `--baseline` and `diff` count findings this way.
struct FingerprintMatcher {
    private var open: [String: [Int]] = [:]
    /// Indexes of the old findings matched so far.
    private(set) var matched = Set<Int>()

    init(old: [String]) {
        for (index, print) in old.enumerated() { open[print, default: []].append(index) }
    }

    /// The index of the old finding `print` matches, now taken; nil: none is left.
    mutating func match(_ print: String) -> Int? {
        guard var waiting = open[print], !waiting.isEmpty else { return nil }
        let index = waiting.removeFirst()
        open[print] = waiting
        matched.insert(index)
        return index
    }
}

struct BaselineError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What `--baseline` did, for the reports: the counts (`summary.baseline`), and the old
/// findings that no longer hold or could not be checked (top-level lists of the JSON report).
public struct BaselineSummary: Sendable, Encodable, Equatable {
    public var path: String
    public var new: Int
    public var existing: Int
    public var resolved: [ReportJSON]
    public var notChecked: [ReportJSON]

    public init(path: String, new: Int, existing: Int, resolved: [ReportJSON], notChecked: [ReportJSON]) {
        self.path = path
        self.new = new
        self.existing = existing
        self.resolved = resolved
        self.notChecked = notChecked
    }

    enum CodingKeys: String, CodingKey {
        case path, new, existing, resolved
        case notChecked = "not_checked"
    }

    /// Counts only: the findings themselves are the report's `resolved` and `not_checked`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(new, forKey: .new)
        try c.encode(existing, forKey: .existing)
        try c.encode(resolved.count, forKey: .resolved)
        try c.encode(notChecked.count, forKey: .notChecked)
    }
}
