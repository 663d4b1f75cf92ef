// The checks on values themselves: found while parsing, reported as rules so that their
// severity and selection work like any other rule's.

/// `input.invalid-json`: a declared key whose value jansson rejects.
struct InvalidJSONCheck: Check {
    static let kind = "invalid-json"
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
            sink.report(resource, at: meta, "value is not valid JSON: \(message)\(whereText)", location: location)
        }
    }
}

/// `input.duplicate-member`: an object names a member twice (jansson keeps the last).
struct DuplicateMemberCheck: Check {
    static let kind = "duplicate-member"
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        for (meta, problem) in resource.problems {
            guard case .duplicateMembers(let duplicates) = problem else { continue }
            for duplicate in duplicates {
                sink.report(resource, at: meta,
                            "member \"\(duplicate.name)\" appears \(duplicate.occurrences) times in the object at \(duplicate.path); the last one is used",
                            actual: duplicate.name)
            }
        }
    }
}

/// `schema.invalid`: a record lacks a required member or has one of the wrong type.
struct SchemaCheck: Check {
    static let kind = "schema"
    init(params: RuleParams) throws(RuleError) { try params.allowOnly([]) }

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        for (meta, problem) in resource.problems {
            guard case .schema(let problems) = problem else { continue }
            sink.report(resource, at: meta, "record does not have the required shape: " + problems.joined(separator: "; "))
        }
    }
}
