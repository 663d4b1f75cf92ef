import Foundation

public enum Severity: String, CaseIterable, Sendable, Codable, Comparable {
    case info, warning, error

    public static func < (a: Severity, b: Severity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One violation: which rule, which resource, what differed, and where to look.
public struct Finding: Hashable, Sendable, Codable {
    public var rule: String
    public var severity: Severity
    public var resourceType: String
    public var resourceID: String
    public var message: String
    /// The record at fault's key first, then the other records the finding compares.
    public var keys: [String]
    public var expected: String?
    public var actual: String?
    /// The record at fault, or (once located) the member at fault inside it.
    public var location: SourceLocation
    /// The other records (and members) the finding compares, each with its key.
    public var related: [RelatedLocation] = []
    /// Set when a waiver of the configuration covers this finding: it stays in every
    /// report but no longer fails the run.
    public var waiver: WaiverMark?
    /// Set when the run compares with a baseline report: whether that report had it.
    public var baseline: BaselineState?
    /// The member at fault, as the check named it; `FindingLocator` turns it into
    /// `location.line`, `column` and `pointer`. Not part of any report.
    public var member: MemberPath?
    /// Values from the store that the message quotes besides `expected` and `actual`
    /// (as the message spells them), so `--redact` can replace them. Not part of any report.
    public var values: [String] = []
    /// Found by comparing resources with each other (uniqueness): known only once every
    /// resource was checked, so the findings stream (`--report jsonl`) gives it at the end.
    /// Not part of any report.
    public var acrossResources = false

    enum CodingKeys: String, CodingKey {
        case rule, severity, message, keys, expected, actual, location, related, waiver, baseline
        case resourceType = "resource_type"
        case resourceID = "resource_id"
    }

    public init(rule: String, severity: Severity, resourceType: String, resourceID: String, message: String,
                keys: [String], expected: String? = nil, actual: String? = nil, location: SourceLocation,
                related: [RelatedLocation] = [], member: MemberPath? = nil, values: [String] = []) {
        self.rule = rule
        self.severity = severity
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.message = message
        self.keys = keys
        self.expected = expected
        self.actual = actual
        self.location = location
        self.related = related
        self.member = member
        self.values = values
    }

    /// Whether the finding can fail the run at its severity: not when a waiver covers it,
    /// nor when the baseline report already had it.
    public var failsRun: Bool { waiver == nil && baseline != .existing }

    /// True when this finding makes the exit status 1 under `--fail-on failOn` (nil: never).
    public func fails(at failOn: Severity?) -> Bool {
        guard let failOn else { return false }
        return failsRun && severity >= failOn
    }

    /// The order of every report: by resource, then rule, then place. Texts compare as
    /// bytes: two ids `String` calls equal (NFC and NFD) are two resources, as in etcd.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        if !a.resourceType.sameBytes(b.resourceType) { return a.resourceType.bytesPrecede(b.resourceType) }
        if !a.resourceID.sameBytes(b.resourceID) { return a.resourceID.bytesPrecede(b.resourceID) }
        if !a.rule.sameBytes(b.rule) { return a.rule.bytesPrecede(b.rule) }
        if a.location < b.location { return true }
        if b.location < a.location { return false }
        if !a.keys.elementsEqual(b.keys, by: { $0.sameBytes($1) }) {
            return a.keys.lexicographicallyPrecedes(b.keys) { $0.bytesPrecede($1) }
        }
        return a.message.bytesPrecede(b.message)
    }

    /// A digest of what makes the finding the same one from run to run: rule, resource,
    /// the record at fault's key and the values compared — never its line, offset,
    /// message or order, which move. SARIF's `partialFingerprints`, GitLab's
    /// `fingerprint`, the JSON report's `fingerprint` and baselines rest on it.
    public var fingerprint: String {
        Self.fingerprint(rule: rule, resourceType: resourceType, resourceID: resourceID,
                         recordKey: keys.first, expected: expected, actual: actual)
    }

    /// The one fingerprint function: also used on the findings of an old JSON report that
    /// has no `fingerprint` member (schema 1 and 2), from the members it does have.
    public static func fingerprint(rule: String, resourceType: String, resourceID: String, recordKey: String?,
                                   expected: String?, actual: String?) -> String {
        var parts = [rule, resourceType, resourceID, recordKey ?? "",
                     expected.map(normalised) ?? "\u{0}", actual.map(normalised) ?? "\u{0}"]
        parts = parts.map { "\($0.utf8.count):\($0)" }
        return StableHasher.digest(of: parts.joined()).description
    }

    /// A compared value as the fingerprint sees it: surrounding blanks dropped, and a JSON
    /// object or array written one canonical way (sorted members, no spaces), so a value
    /// re-serialised by another writer between two snapshots is still the same value.
    static func normalised(_ value: String) -> String {
        // Foundation's trimming cost 20,000 instructions a value, for every finding the
        // JSON report writes; a value that starts and ends with a visible ASCII character
        // (nearly all) has nothing to trim.
        let visible: (UInt8?) -> Bool = { byte in byte.map { $0 > 0x20 && $0 < 0x7F } ?? false }
        let trimmed = visible(value.utf8.first) && visible(value.utf8.last)
            ? value : value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let first = trimmed.first, first == "{" || first == "[",
              let tree = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)),
              let canonical = try? JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return trimmed }
        return String(decoding: canonical, as: UTF8.self)
    }
}

/// Another record a finding compares, with where it stands (and the member, once located).
public struct RelatedLocation: Hashable, Sendable, Codable {
    public var key: String
    public var location: SourceLocation
    /// The member the finding compares in that record, as the check named it.
    public var member: MemberPath?

    public init(key: String, location: SourceLocation, member: MemberPath? = nil) {
        self.key = key
        self.location = location
        self.member = member
    }

    enum CodingKeys: String, CodingKey { case key }

    /// Flat in the JSON report: `{key, path, line?, column?, offset?, pointer?, mod_revision?}`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try location.encode(to: encoder)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        location = try SourceLocation(from: decoder)
    }
}

/// What a report says of a waived finding: the waiver's reason and expiry.
public struct WaiverMark: Hashable, Sendable, Codable {
    public var reason: String
    /// `YYYY-MM-DD`, as the configuration gives it.
    public var expires: String?

    public init(reason: String, expires: String? = nil) {
        self.reason = reason
        self.expires = expires
    }
}
