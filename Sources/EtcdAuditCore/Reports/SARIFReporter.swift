import Foundation

/// SARIF 2.1.0 (OASIS), for code scanning: every rule of the run as a reporting descriptor
/// (summary, rationale, help, default level, `helpUri` into the rule reference); one
/// result per finding with its level, message, place (path relative to the working
/// directory, line and column), the other records it compares as related locations, etcd
/// keys as logical locations, and a fingerprint that does not move with lines. A waived
/// finding carries an external suppression; inputs that could not be read are tool
/// execution notifications, and make the execution unsuccessful.
struct SARIFReporter: Reporter {
    static let schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    /// Our key in `partialFingerprints`; the version changes when the digest does.
    static let fingerprintKey = "etcdAudit/v2"

    struct Log: Encodable {
        var schema = SARIFReporter.schema
        var version = "2.1.0"
        var runs: [Run]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema"
            case version, runs
        }
    }

    struct Run: Encodable {
        var tool: Tool
        /// Columns count Unicode scalars, as the finding locator counts them.
        var columnKind = "unicodeCodePoints"
        var invocations: [Invocation]
        var results: [Result]
    }

    struct Tool: Encodable {
        var driver: Driver
    }

    struct Driver: Encodable {
        var name = "etcd-audit"
        var version: String
        var rules: [Descriptor]
    }

    struct Descriptor: Encodable {
        var id: String
        var shortDescription: Message
        var fullDescription: Message
        var help: Message
        var helpUri: String
        var defaultConfiguration: Configuration
        var properties: DescriptorProperties
    }

    struct DescriptorProperties: Encodable {
        /// The check kind, so code scanning can filter by it.
        var tags: [String]
    }

    struct Configuration: Encodable {
        var level: String
    }

    struct Message: Encodable, Hashable {
        var text: String
        var markdown: String?
    }

    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int?
        var level: String
        var message: Message
        var locations: [Location]
        var relatedLocations: [Location]?
        var partialFingerprints: [String: String]
        var suppressions: [Suppression]?
        /// With --baseline: `new`, or `unchanged` when the baseline report had the finding.
        var baselineState: String?
        var properties: ResultProperties
    }

    /// What the JSON report says of the finding besides its place and message.
    struct ResultProperties: Encodable {
        var resourceType: String
        var resourceId: String
        var keys: [String]
        var expected: String?
        var actual: String?
        var pointer: String?
        var byteOffset: Int?
        var modRevision: Int64?
    }

    struct Location: Encodable, Hashable {
        var id: Int?
        var physicalLocation: PhysicalLocation
        var logicalLocations: [LogicalLocation]?
        var message: Message?
    }

    struct PhysicalLocation: Encodable, Hashable {
        var artifactLocation: ArtifactLocation
        var region: Region?
    }

    struct ArtifactLocation: Encodable, Hashable {
        var uri: String
    }

    struct Region: Encodable, Hashable {
        var startLine: Int
        var startColumn: Int?
    }

    struct LogicalLocation: Encodable, Hashable {
        var name: String
        var fullyQualifiedName: String
        var kind: String
    }

    struct Suppression: Encodable {
        var kind = "external"
        var status = "accepted"
        var justification: String
        var properties: [String: String]?
    }

    struct Invocation: Encodable {
        var executionSuccessful: Bool
        var toolExecutionNotifications: [Notification]
    }

    struct Notification: Encodable {
        var level: String
        var message: Message
        var locations: [Location]
    }

    func render(_ result: AuditResult, options: ReportOptions) throws -> String {
        let placement = CodeHostPlacement(workingDirectory: options.workingDirectory)
        let ruleIndex = Dictionary(result.rules.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        let fingerprints = CodeHostPlacement.uniqueFingerprints(result.findings)
        let results = zip(result.findings, fingerprints).map { finding, fingerprint in
            self.result(finding, ruleIndex: ruleIndex[finding.rule], fingerprint: fingerprint, placement: placement)
        }
        let run = Run(
            tool: Tool(driver: Driver(version: options.toolVersion,
                                      rules: result.rules.map { descriptor($0, reference: options.rulesReferenceURL) })),
            invocations: [Invocation(executionSuccessful: !result.hasInputErrors,
                                     toolExecutionNotifications: notifications(result.inputs, placement: placement))],
            results: results)
        return try PrettyJSONEncoder.document(Log(runs: [run])) + "\n"
    }

    private func descriptor(_ rule: Rule, reference: String) -> Descriptor {
        let rationale = rule.rationale.trimmingCharacters(in: .whitespacesAndNewlines)
        // A declared rule's declaration is in the rule reference; here only its params.
        var facts = (rule.kind == DeclaredCheck.kind ? "Declared in the rule language" : "Check kind `\(rule.kind)`")
            + ", applies to " + (rule.appliesTo.map { $0.joined(separator: ", ") } ?? "every resource type") + "."
        let params = rule.knobs.map { "`\($0.0)`: `\($0.1.text)`" }
        if !params.isEmpty { facts += " Parameters: " + params.joined(separator: ", ") + "." }
        let helpUri = reference + "#" + CatalogDocument.anchor(rule.id)
        let text = "\(rule.summary)\n\n\(rationale)\n\n\(facts)".replacingOccurrences(of: "`", with: "")
        let markdown = "**\(rule.summary)**\n\n\(rationale)\n\n\(facts)\n\n[Rule reference](\(helpUri))"
        return Descriptor(id: rule.id, shortDescription: Message(text: rule.summary), fullDescription: Message(text: rationale),
                          help: Message(text: text, markdown: markdown), helpUri: helpUri,
                          defaultConfiguration: Configuration(level: Self.level(rule.severity)),
                          properties: DescriptorProperties(tags: [rule.kind]))
    }

    private func result(_ finding: Finding, ruleIndex: Int?, fingerprint: String, placement: CodeHostPlacement) -> Result {
        let key = finding.keys.first
        let place = CodeHostPlacement.place(finding.location, key: key)
        let related = finding.related.enumerated().map { index, other in
            location(other.location, key: other.key, placement: placement, id: index + 1,
                     message: Message(text: CodeHostPlacement.place(other.location, key: other.key)))
        }
        let suppressions = finding.waiver.map { waiver in
            [Suppression(justification: waiver.reason, properties: waiver.expires.map { ["expires": $0] })]
        }
        return Result(
            ruleId: finding.rule, ruleIndex: ruleIndex, level: Self.level(finding.severity),
            message: Message(text: place.isEmpty ? finding.message : "\(finding.message) (\(place))"),
            locations: [location(finding.location, key: key, placement: placement)],
            relatedLocations: related.isEmpty ? nil : related,
            partialFingerprints: [Self.fingerprintKey: fingerprint], suppressions: suppressions,
            baselineState: finding.baseline.map { $0 == .new ? "new" : "unchanged" },
            properties: ResultProperties(
                resourceType: finding.resourceType, resourceId: finding.resourceID, keys: finding.keys,
                expected: finding.expected, actual: finding.actual, pointer: finding.location.pointer,
                byteOffset: finding.location.line == nil ? finding.location.offset : nil,
                modRevision: finding.location.modRevision))
    }

    /// A place in an input: its file and line (1 for inputs without lines), and the etcd
    /// key, and the member's pointer inside its value, as logical locations.
    private func location(_ location: SourceLocation, key: String?, placement: CodeHostPlacement,
                          id: Int? = nil, message: Message? = nil) -> Location {
        var logical: [LogicalLocation] = []
        if let key {
            logical.append(LogicalLocation(name: key, fullyQualifiedName: key, kind: "resource"))
            if let pointer = location.pointer, !pointer.isEmpty {
                let name = pointer.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? pointer
                logical.append(LogicalLocation(name: name, fullyQualifiedName: key + "#" + pointer, kind: "property"))
            }
        }
        let column = location.line == nil ? nil : location.column
        return Location(
            id: id,
            physicalLocation: PhysicalLocation(
                artifactLocation: ArtifactLocation(uri: Self.uri(placement.path(location.path))),
                region: Region(startLine: CodeHostPlacement.line(location), startColumn: column)),
            logicalLocations: logical.isEmpty ? nil : logical, message: message)
    }

    /// Input errors (reading stopped) and unreadable parts (reading went on).
    private func notifications(_ inputs: [InputSummary], placement: CodeHostPlacement) -> [Notification] {
        var out: [Notification] = []
        for input in inputs {
            for problem in input.problems {
                out.append(Notification(level: "warning", message: Message(text: problem.message),
                                        locations: [location(problem.location, key: nil, placement: placement)]))
            }
            if let error = input.error {
                let file = Location(physicalLocation: PhysicalLocation(
                    artifactLocation: ArtifactLocation(uri: Self.uri(placement.path(input.path)))))
                out.append(Notification(level: "error", message: Message(text: error), locations: [file]))
            }
        }
        return out
    }

    static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        case .info: return "note"
        }
    }

    /// A path as a URI reference: relative paths percent-encoded, absolute ones as
    /// `file://` URIs; live etcds' URLs and `-` (stdin) as they are.
    static func uri(_ path: String) -> String {
        if path == "-" || path.contains("://") { return path }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ";:@")  // a first segment with ':' would read as a scheme
        let encoded = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        return path.hasPrefix("/") ? "file://" + encoded : encoded
    }
}
