// The problems with values themselves: found while reading, reported as rules so that
// their severity and selection work like any other rule's. One kind for the four: each
// reads the resource's `problems` and reports those of its `problem` param.

/// `input.invalid-json`, `input.duplicate-member`, `input.duplicate-key` and
/// `schema.invalid`: `params.problem` says which of the reading problems the rule reports.
struct InputProblemCheck: Check {
    static let kind = "input-problem"

    enum Problem: String, CaseIterable {
        /// A declared key whose value jansson rejects.
        case invalidJSON = "invalid-json"
        /// An object names a member twice (jansson keeps the last).
        case duplicateMember = "duplicate-member"
        /// One key read more than once with different values.
        case duplicateKey = "duplicate-key"
        /// A record lacks a required member or has one of the wrong type.
        case schema
    }

    let problem: Problem
    // Every problem is found while reading: a resource with any record can have one.
    let needs: [RecordNeed] = []

    init(params: RuleParams) throws(RuleError) {
        try params.allowOnly(["problem"])
        let allowed = Problem.allCases.map(\.rawValue).joined(separator: ", ")
        guard params.has("problem") else { throw RuleError(field: "params.problem", "is required (one of: \(allowed))") }
        let name = try params.string("problem")
        guard let problem = Problem(rawValue: name) else {
            throw RuleError(field: "params.problem", "unknown problem \(name) (one of: \(allowed))")
        }
        self.problem = problem
    }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        for (meta, found) in resource.problems {
            switch (problem, found) {
            case (.invalidJSON, .invalidJSON(let message, let line, let column, let byte, let sourceLine)):
                reportInvalidJSON(resource, meta, message, line, column, byte, sourceLine, &sink)
            case (.duplicateMember, .duplicateMembers(let duplicates)):
                for duplicate in duplicates {
                    sink.report(resource, at: meta,
                                "member \"\(duplicate.name)\" appears \(duplicate.occurrences) times in the object at \(duplicate.path); the last one is used",
                                actual: duplicate.name, member: duplicate.objectPath.member(duplicate.name))
                }
            case (.duplicateKey, .conflictingValues(let metas)):
                reportConflictingValues(resource, meta, metas, &sink)
            case (.schema, .schema(let problems, let member)):
                // A member of the wrong type, else the value itself (a missing member's parent).
                sink.report(resource, at: meta, "record does not have the required shape: " + problems.joined(separator: "; "),
                            member: member.map { MemberPath($0) } ?? MemberPath())
            default:
                continue
            }
        }
    }

    private func reportInvalidJSON(_ resource: Resource, _ meta: RecordMeta, _ message: String, _ line: Int?,
                                   _ column: Int?, _ byte: Int?, _ sourceLine: Int?, _ sink: inout FindingSink) {
        var whereText = ""
        if let line, let column, let byte, line > 0 {
            whereText = " (line \(line), column \(column), byte \(byte) of the value)"
        }
        var location = meta.location
        if let sourceLine { location.line = sourceLine }
        // Where the value's lines are the input's (markdown, etcdctl: the value starts on
        // the line after the key), jansson's column is the input's too; not when the
        // line was moved back inside the value ("premature end" after its last newline).
        if let sourceLine, let line, let column, let keyLine = meta.location.line, sourceLine - keyLine == line,
           column >= 1 {
            location.column = column
        }
        sink.report(resource, at: meta, "value is not valid JSON: \(message)\(whereText)", location: location)
    }

    private func reportConflictingValues(_ resource: Resource, _ meta: RecordMeta, _ metas: [RecordMeta],
                                         _ sink: inout FindingSink) {
        let audited = resource.meta(ofKey: meta.key) ?? meta
        let listing = metas.map { m in m.location.display + (m.modRevision.map { " (mod_revision \($0))" } ?? "") }
        // The other copies, each where it was read (the key is the same for all).
        let copies = metas.filter { $0.location != audited.location }.map {
            RelatedLocation(key: $0.key, location: $0.findingLocation, member: MemberPath())
        }
        sink.report(resource, at: audited,
                    "key holds \(metas.count) different values: \(listing.joined(separator: ", ")); audited: \(audited.location.display)",
                    actual: String(metas.count), member: MemberPath(), related: copies)
    }
}

extension DuplicateMember {
    /// The object's place as a member path: `$.body` → /body, `$[1].params[3]` → /1/params/3.
    /// A name holding `.` or `[` reads as two steps, and the locator then stops at the
    /// closest object it finds.
    var objectPath: MemberPath {
        var steps: [MemberPath.Step] = []
        var rest = path.dropFirst()  // "$"
        while let first = rest.first {
            rest = rest.dropFirst()
            let part = rest.prefix { $0 != "." && $0 != "[" }
            rest = rest.dropFirst(part.count)
            if first == "[" {
                steps.append(Int(part.dropLast()).map(MemberPath.Step.index) ?? .member(String(part.dropLast())))
            } else {
                steps.append(.member(String(part)))
            }
        }
        return MemberPath(steps)
    }
}
