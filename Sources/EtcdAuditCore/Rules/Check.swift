/// A check kind: the code behind one or more rules. A rule in `Rules/` names its kind
/// and gives its params; the kind reads the joined resource and reports findings.
public protocol Check: Sendable {
    /// The name rule files use in `kind:`.
    static var kind: String { get }
    /// Validates and takes the rule's params (throw naming the field).
    init(params: RuleParams) throws(RuleError)
    /// The members this check reads beyond the defaults.
    var plan: ExtractionPlan { get }
    /// What a resource must hold for this check to compare anything (`explain` tells a
    /// rule that passed from one that could not run). No default: every kind says.
    var needs: [RecordNeed] { get }
    /// Checks one resource.
    func check(_ resource: Resource, _ sink: inout FindingSink)
    /// For kinds that check across resources: the values of one resource that no other
    /// resource of its type may hold, and the record holding them. The engine meets every
    /// resource once, keeps a digest of each value, and calls `checkAcross` only with the
    /// resources that share one. The record, not its meta: a copy of that retained its
    /// texts for every resource, and only a shared value's finding reads it.
    func sharedValues(_ resource: Resource) -> (values: Set<String>, at: RecordEntry)?
    /// Checks resources of one type together (uniqueness); most kinds need not.
    func checkAcross(_ resources: [Resource], _ sink: inout FindingSink)
    /// True for kinds that implement `checkAcross`.
    static var checksAcrossResources: Bool { get }
    /// True when this rule checks across resources (a declared rule does with `unique:`).
    var acrossResources: Bool { get }
}

extension Check {
    public var plan: ExtractionPlan { ExtractionPlan() }
    public func check(_ resource: Resource, _ sink: inout FindingSink) {}
    public func sharedValues(_ resource: Resource) -> (values: Set<String>, at: RecordEntry)? { nil }
    public func checkAcross(_ resources: [Resource], _ sink: inout FindingSink) {}
    public static var checksAcrossResources: Bool { false }
    public var acrossResources: Bool { Self.checksAcrossResources }
}

/// Every check kind the engine implements. A new kind is one file and one line here.
enum CheckKinds {
    static let all: [any Check.Type] = [
        InputProblemCheck.self,
        JobVersionConsistencyCheck.self,
        InFlightCheck.self,
        StatusAgreementCheck.self,
        HeatOutputsDecodableCheck.self,
        HeatOutputsAgreementCheck.self,
        ParamsDriftCheck.self,
        DeclaredCheck.self,
    ]

    static let byName: [String: any Check.Type] = Dictionary(uniqueKeysWithValues: all.map { ($0.kind, $0) })
}

/// Collects the findings of one rule, filling in what every finding of it shares.
public struct FindingSink {
    public let rule: String
    public let severity: Severity
    public private(set) var findings: [Finding] = []

    init(rule: String, severity: Severity) {
        self.rule = rule
        self.severity = severity
    }

    /// Reports a finding on `resource`, at the record `meta` (its key and location), and
    /// at `member` inside it when the check can name it. The record at fault's key always
    /// comes first in `keys`; the other keys are the records the finding compares, each a
    /// related location (with the member `relatedMembers` names for its key, if any).
    /// Records of other resources (uniqueness) are passed whole in `related`.
    public mutating func report(_ resource: Resource, at meta: RecordMeta, _ message: String,
                                expected: String? = nil, actual: String? = nil, keys: [String]? = nil,
                                location: SourceLocation? = nil, member: MemberPath? = nil,
                                relatedMembers: [String: MemberPath] = [:], related: [RelatedLocation]? = nil,
                                values: [String] = []) {
        let others = (keys ?? []).filter { $0 != meta.key }
        var relatedLocations = related ?? []
        if related == nil {
            for key in others {
                guard let other = resource.meta(ofKey: key) else { continue }
                relatedLocations.append(RelatedLocation(key: key, location: other.findingLocation,
                                                        member: relatedMembers[key]))
            }
        }
        var at = location ?? meta.findingLocation
        if location != nil { at.modRevision = meta.modRevision }
        findings.append(Finding(rule: rule, severity: severity, resourceType: resource.type.singular,
                                resourceID: resource.id, message: message, keys: [meta.key] + others,
                                expected: expected, actual: actual, location: at,
                                related: relatedLocations, member: member, values: values))
    }
}

extension RecordMeta {
    /// The record's location as a finding shows it: where its key stands, and its
    /// `mod_revision` where the input carries one.
    public var findingLocation: SourceLocation {
        var location = self.location
        location.modRevision = modRevision
        return location
    }
}

/// How the checks show values in messages: strings bare, everything else as JSON.
func show(_ value: JSONValue?) -> String {
    switch value {
    case nil: return "(absent)"
    case .string(let s)?: return s
    case let v?: return v.text
    }
}
