import Foundation

/// `explain --report json`, for tools: members sorted, arrays in the order the text shows
/// them, findings as the check report writes them (fingerprint included). Its own
/// `schema_version`: the shape is explain's, not the check report's.
public enum ExplainJSONReport {
    public static let schemaVersion = 1

    public static func render(_ explanation: Explanation, toolVersion: String = EtcdAudit.version) throws -> String {
        let document = Document(tool: JSONReporter.Tool(version: toolVersion), inputs: explanation.inputs,
                                config: explanation.config, resources: explanation.resources.map(Resource.init))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }

    struct Document: Encodable {
        var schemaVersion = ExplainJSONReport.schemaVersion
        var tool: JSONReporter.Tool
        var inputs: [InputSummary]
        var config: String?
        var resources: [Resource]

        enum CodingKeys: String, CodingKey {
            case schemaVersion = "schema_version"
            case tool, inputs, config, resources
        }
    }

    struct Resource: Encodable {
        var type: String
        var plural: String
        var id: String
        var summary: Summary
        var records: [Record]
        var rules: [Verdict]
        var writeOrder: [Step]

        enum CodingKeys: String, CodingKey {
            case type, plural, id, summary, records, rules
            case writeOrder = "write_order"
        }

        init(_ resource: ResourceExplanation) {
            type = resource.type.singular
            plural = resource.type.plural
            id = resource.id
            let c = resource.counts
            summary = Summary(records: resource.records.count, findings: c.findings, fired: c.fired, passed: c.passed,
                              notRun: c.notRun)
            records = resource.records.map(Record.init)
            rules = resource.verdicts.map(Verdict.init)
            writeOrder = resource.writeOrder.map(Step.init)
        }
    }

    struct Summary: Encodable {
        var records, findings, fired, passed, notRun: Int
        enum CodingKeys: String, CodingKey {
            case records, findings, fired, passed
            case notRun = "not_run"
        }
    }

    struct Record: Encodable {
        var detail: RecordDetail

        enum CodingKeys: String, CodingKey {
            case kind, key, location, members, problems, value
            case createRevision = "create_revision", modRevision = "mod_revision"
            case heatOutputs = "heat_outputs", valueText = "value_text"
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(detail.kind, forKey: .kind)
            try c.encode(detail.key, forKey: .key)
            try c.encode(detail.location, forKey: .location)
            try c.encode(detail.createRevision, forKey: .createRevision)
            try c.encode(detail.modRevision, forKey: .modRevision)
            try c.encode(detail.members.map(Member.init), forKey: .members)
            try c.encodeIfPresent(detail.heatOutputs.map(Outputs.init), forKey: .heatOutputs)
            try c.encode(detail.problems, forKey: .problems)
            try c.encode(detail.value.map(Value.init), forKey: .value)
            try c.encodeIfPresent(detail.valueText, forKey: .valueText)
        }
    }

    struct Member: Encodable {
        var path: String
        var pointer: String
        var value: Value

        init(_ member: RecordDetail.Member) {
            path = member.path.description
            pointer = member.pointer
            value = Value(member.value)
        }
    }

    struct Outputs: Encodable {
        var path: String
        var encoded: Bool
        var outputs: [Output]
        var error: String?

        init(_ outputs: RecordDetail.HeatOutputs) {
            path = outputs.path.description
            encoded = outputs.encoded
            self.outputs = outputs.outputs.map { Output(outputKey: $0.key, outputValue: Value($0.value)) }
            error = outputs.error
        }

        enum CodingKeys: String, CodingKey { case path, encoded, outputs, error }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(encoded, forKey: .encoded)
            try c.encode(outputs, forKey: .outputs)
            try c.encode(error, forKey: .error)
        }
    }

    struct Output: Encodable {
        var outputKey: String
        var outputValue: Value
        enum CodingKeys: String, CodingKey {
            case outputKey = "output_key", outputValue = "output_value"
        }
    }

    struct Verdict: Encodable {
        var verdict: RuleVerdict

        enum CodingKeys: String, CodingKey { case rule, severity, kind, summary, verdict, reason, findings }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(verdict.rule, forKey: .rule)
            try c.encode(verdict.severity, forKey: .severity)
            try c.encode(verdict.kind, forKey: .kind)
            try c.encode(verdict.summary, forKey: .summary)
            try c.encode(verdict.outcome.rawValue, forKey: .verdict)
            try c.encodeIfPresent(verdict.reason, forKey: .reason)
            try c.encode(verdict.findings.map { JSONReporter.ReportedFinding(finding: $0) }, forKey: .findings)
        }
    }

    struct Step: Encodable {
        var step: WriteStep

        enum CodingKeys: String, CodingKey {
            case kind, key, after
            case modRevision = "mod_revision", createRevision = "create_revision"
        }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(step.modRevision, forKey: .modRevision)
            try c.encode(step.createRevision, forKey: .createRevision)
            try c.encode(step.kind, forKey: .kind)
            try c.encode(step.key, forKey: .key)
            try c.encode(step.after, forKey: .after)
        }
    }

    /// A value of the store as JSON (integers stay integers).
    struct Value: Encodable {
        var value: JSONValue
        init(_ value: JSONValue) { self.value = value }

        private struct Name: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: Encoder) throws {
            switch value {
            case .object(let members):
                var c = encoder.container(keyedBy: Name.self)
                for member in members { try c.encode(Value(member.value), forKey: Name(stringValue: member.name)) }
            case .array(let items):
                var c = encoder.unkeyedContainer()
                for item in items { try c.encode(Value(item)) }
            default:
                var c = encoder.singleValueContainer()
                switch value {
                case .null: try c.encodeNil()
                case .bool(let b): try c.encode(b)
                case .integer(let i): try c.encode(i)
                case .real(let d): if d.isFinite { try c.encode(d) } else { try c.encodeNil() }
                case .string(let s): try c.encode(s)
                case .array, .object: break
                }
            }
        }
    }
}
