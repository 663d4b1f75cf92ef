import Foundation

/// `diff --report json`: both sides' inputs and counts, `resources {added, removed,
/// changed}` and `findings {new, resolved, persisting}`, each finding as the check report
/// writes it (fingerprint included). Its own `schema_version`: the shape is diff's.
public enum DiffJSONReport {
    public static let schemaVersion = 1

    public static func render(_ diff: StoreDiff, toolVersion: String = EtcdAudit.version) throws -> String {
        let document = Document(
            tool: JSONReporter.Tool(version: toolVersion), old: Side(diff.old), new: Side(diff.new),
            summary: Summary(diff),
            resources: Resources(added: diff.added.map(Resource.init), removed: diff.removed.map(Resource.init),
                                 changed: diff.changed.map(Resource.init)),
            findings: Findings(new: diff.newFindings.map { JSONReporter.ReportedFinding(finding: $0) },
                               resolved: diff.resolved.map { JSONReporter.ReportedFinding(finding: $0) },
                               persisting: diff.persisting.map { JSONReporter.ReportedFinding(finding: $0) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }

    struct Document: Encodable {
        var schemaVersion = DiffJSONReport.schemaVersion
        var tool: JSONReporter.Tool
        var old: Side
        var new: Side
        var summary: Summary
        var resources: Resources
        var findings: Findings

        enum CodingKeys: String, CodingKey {
            case schemaVersion = "schema_version"
            case tool, old, new, summary, resources, findings
        }
    }

    struct Side: Encodable {
        var inputs: [InputSummary]
        var revision: Int64?
        var resources: Int
        var records: Int
        var findings: Int

        init(_ side: StoreDiff.Side) {
            inputs = side.inputs
            revision = side.revision
            resources = side.resources
            records = side.records
            findings = side.findings
        }

        enum CodingKeys: String, CodingKey { case inputs, revision, resources, records, findings }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(inputs, forKey: .inputs)
            try c.encode(revision, forKey: .revision)  // null: the newest
            try c.encode(resources, forKey: .resources)
            try c.encode(records, forKey: .records)
            try c.encode(findings, forKey: .findings)
        }
    }

    struct Summary: Encodable {
        var resources: [String: Int]
        var findings: [String: Int]
        var inputErrors: Int

        init(_ diff: StoreDiff) {
            resources = ["added": diff.added.count, "removed": diff.removed.count, "changed": diff.changed.count]
            findings = ["new": diff.newFindings.count, "resolved": diff.resolved.count,
                        "persisting": diff.persisting.count]
            inputErrors = (diff.old.inputs + diff.new.inputs).filter { $0.error != nil }.count
        }

        enum CodingKeys: String, CodingKey {
            case resources, findings
            case inputErrors = "input_errors"
        }
    }

    struct Resources: Encodable {
        var added: [Resource]
        var removed: [Resource]
        var changed: [Resource]
    }

    struct Findings: Encodable {
        var new: [JSONReporter.ReportedFinding]
        var resolved: [JSONReporter.ReportedFinding]
        var persisting: [JSONReporter.ReportedFinding]
    }

    struct Resource: Encodable {
        var type: String
        var plural: String
        var id: String
        var records: [Record]

        init(_ change: ResourceChange) {
            type = change.type.singular
            plural = change.type.plural
            id = change.id
            records = change.records.map(Record.init)
        }
    }

    /// A record's change; `old`/`new` is absent on the side that lacks the record.
    struct Record: Encodable {
        var change: RecordChange

        struct Version: Encodable {
            var modRevision: Int64?
            var digest: String
            enum CodingKeys: String, CodingKey {
                case modRevision = "mod_revision"
                case digest
            }
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(modRevision, forKey: .modRevision)
                try c.encode(digest, forKey: .digest)
            }
        }

        enum CodingKeys: String, CodingKey { case change, kind, key, old, new, members, note }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(change.change.rawValue, forKey: .change)
            try c.encode(change.kind, forKey: .kind)
            try c.encode(change.key, forKey: .key)
            try c.encodeIfPresent(change.oldDigest.map { Version(modRevision: change.oldModRevision, digest: $0.description) },
                                  forKey: .old)
            try c.encodeIfPresent(change.newDigest.map { Version(modRevision: change.newModRevision, digest: $0.description) },
                                  forKey: .new)
            if change.change == .changed { try c.encode(change.members.map(Member.init), forKey: .members) }
            try c.encodeIfPresent(change.note, forKey: .note)
        }
    }

    /// A member the rules read that changed; `old`/`new` is absent when the member was.
    struct Member: Encodable {
        var path: String
        var pointer: String
        var old: ExplainJSONReport.Value?
        var new: ExplainJSONReport.Value?

        init(_ change: DiffMemberChange) {
            path = change.path.description
            pointer = change.pointer
            old = change.old.map(ExplainJSONReport.Value.init)
            new = change.new.map(ExplainJSONReport.Value.init)
        }
    }
}
