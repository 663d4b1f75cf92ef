// The checks on values themselves: found while parsing, reported as rules so that their
// severity and selection work like any other rule's.

/// `input.invalid-json`: a declared key whose value jansson rejects.
struct InvalidJSONCheck: Check {
    static let kind = "invalid-json"
    let needs: [RecordNeed] = []
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        for (meta, problem) in resource.problems {
            guard case .invalidJSON(let message, let line, let column, let byte, let sourceLine) = problem else { continue }
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
    }
}

/// `input.duplicate-member`: an object names a member twice (jansson keeps the last).
struct DuplicateMemberCheck: Check {
    static let kind = "duplicate-member"
    let needs: [RecordNeed] = []
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        for (meta, problem) in resource.problems {
            guard case .duplicateMembers(let duplicates) = problem else { continue }
            for duplicate in duplicates {
                sink.report(resource, at: meta,
                            "member \"\(duplicate.name)\" appears \(duplicate.occurrences) times in the object at \(duplicate.path); the last one is used",
                            actual: duplicate.name, member: duplicate.objectPath.member(duplicate.name))
            }
        }
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

/// `schema.invalid`: a record lacks a required member or has one of the wrong type.
struct SchemaCheck: Check {
    static let kind = "schema"
    let needs: [RecordNeed] = []
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        for (meta, problem) in resource.problems {
            guard case .schema(let problems, let member) = problem else { continue }
            // A member of the wrong type, else the value itself (a missing member's parent).
            sink.report(resource, at: meta, "record does not have the required shape: " + problems.joined(separator: "; "),
                        member: member.map { MemberPath($0) } ?? MemberPath())
        }
    }
}
