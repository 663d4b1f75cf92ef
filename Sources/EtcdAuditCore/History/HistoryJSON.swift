/// What the JSON report of `history` adds to the check report: `introduced` on each
/// finding (JSONReporter), `cleared[]`, and `history` (the revisions replayed and every
/// resource's timeline, what an HTML timeline draws).
enum HistoryJSON {
    struct Cleared: Encodable {
        var finding: JSONReporter.ReportedFinding
        var cleared: WriteRef

        enum CodingKeys: String, CodingKey { case cleared }

        /// The finding as it last held (with its fingerprint and `introduced`), and `cleared`.
        func encode(to encoder: Encoder) throws {
            try finding.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(cleared, forKey: .cleared)
        }
    }

    static func cleared(_ history: History) -> [Cleared] {
        history.cleared.map { Cleared(finding: .init(finding: $0.finding, introduced: $0.introduced), cleared: $0.cleared) }
    }

    struct Replay: Encodable {
        var fromRevision: Int64
        var toRevision: Int64
        var heldFrom: Int64
        var heldTo: Int64
        var writes: Int
        var resources: [Timeline]

        enum CodingKeys: String, CodingKey {
            case writes, resources
            case fromRevision = "from_revision"
            case toRevision = "to_revision"
            case heldFrom = "held_from"
            case heldTo = "held_to"
        }

        init(_ history: History) {
            fromRevision = history.revisions.lowerBound
            toRevision = history.revisions.upperBound
            heldFrom = history.held.lowerBound
            heldTo = history.held.upperBound
            writes = history.writes
            resources = history.timelines.map(Timeline.init)
        }
    }

    struct Timeline: Encodable {
        var type: String
        var id: String
        var events: [Event]

        init(_ timeline: ResourceTimeline) {
            type = timeline.type
            id = timeline.id
            events = timeline.events.map(Event.init)
        }
    }

    /// Findings in events by rule and fingerprint: the full finding is in `findings` or `cleared`.
    struct Event: Encodable {
        var revision: Int64
        var writes: [Write]
        var appeared: [Mark]
        var cleared: [Mark]

        init(_ event: ResourceTimeline.Event) {
            revision = event.revision
            writes = event.writes.map(Write.init)
            appeared = event.appeared.map(Mark.init)
            cleared = event.cleared.map(Mark.init)
        }
    }

    struct Write: Encodable {
        var key: String
        var deleted: Bool
        var changes: [Change]

        init(_ write: RecordWrite) {
            key = write.key
            deleted = write.deleted
            changes = write.changes.map { Change(member: $0.member, old: $0.old, new: $0.new) }
        }
    }

    struct Change: Encodable {
        var member: String
        var old: String?
        var new: String?

        enum CodingKeys: String, CodingKey { case member, old, new }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(member, forKey: .member)
            try c.encode(old, forKey: .old)
            try c.encode(new, forKey: .new)
        }
    }

    struct Mark: Encodable {
        var rule: String
        var severity: Severity
        var message: String
        var fingerprint: String

        init(_ finding: Finding) {
            rule = finding.rule
            severity = finding.severity
            message = finding.message
            fingerprint = finding.fingerprint
        }
    }
}

public enum HistoryJSONReport {
    /// The check report of the last revision replayed, dated (see `HistoryJSON`).
    public static func render(_ history: History, options: ReportOptions) throws -> String {
        try JSONReporter().render(history.result, options: options, history: history)
    }
}
