/// Reads conditions, paths and templates from a rule's YAML (as JSON values); every
/// mistake names the field it is in (`check.all[1].one_of`).
enum ConditionParser {
    static let testFields: Set<String> = ["path", "when", "message", "expected", "actual", "at", "ignore_case"]

    static func condition(_ value: JSONValue, field: String) throws(RuleError) -> Condition {
        if case .array(let items) = value {
            // A list is a shorthand for `all:`.
            return .all(try list(items, field: field))
        }
        guard case .object(let members) = value else {
            throw RuleError(field: field, "must be a mapping (a test, or all/any/not)")
        }
        let names = members.map(\.name)
        for combinator in ["all", "any", "not"] where names.contains(combinator) {
            guard members.count == 1 else {
                throw RuleError(field: field, "\(combinator) stands alone; put the other members inside it")
            }
            let inner = members[0].value
            let innerField = "\(field).\(combinator)"
            switch combinator {
            case "not": return .not(try condition(inner, field: innerField))
            default:
                guard case .array(let items) = inner, !items.isEmpty else {
                    throw RuleError(field: innerField, "must be a non-empty list of conditions")
                }
                let parsed = try list(items, field: innerField)
                return combinator == "all" ? .all(parsed) : .any(parsed)
            }
        }
        return .test(try test(members, field: field))
    }

    private static func list(_ items: [JSONValue], field: String) throws(RuleError) -> [Condition] {
        var out: [Condition] = []
        for (i, item) in items.enumerated() { out.append(try condition(item, field: "\(field)[\(i)]")) }
        return out
    }

    static func test(_ members: [JSONMember], field: String) throws(RuleError) -> Test {
        func member(_ name: String) -> JSONValue? { members.first { $0.name == name }?.value }
        guard let pathValue = member("path") else {
            throw RuleError(field: field, "a test needs a path (or use all/any/not)")
        }
        let path = try self.path(pathValue, field: "\(field).path")
        let operators = members.filter { !testFields.contains($0.name) }
        guard operators.count == 1, let op = Operator(rawValue: operators[0].name) else {
            let unknown = operators.first { Operator(rawValue: $0.name) == nil }
            let known = Operator.allCases.map(\.rawValue).joined(separator: ", ")
            if let unknown { throw RuleError(field: "\(field).\(unknown.name)", "unknown operator (known: \(known))") }
            throw RuleError(field: field, operators.isEmpty ? "a test needs one operator (\(known))"
                                                            : "a test takes one operator, not \(operators.map(\.name).joined(separator: ", "))")
        }
        let opField = "\(field).\(op.rawValue)"
        let raw = operators[0].value
        var operand: Operand?
        switch op {
        case .present, .absent, .blank, .notBlank:
            guard raw == .bool(true) else { throw RuleError(field: opField, "takes true (say the opposite operator for false)") }
        case .matches, .notMatches:
            guard case .string(let source) = raw else { throw RuleError(field: opField, "must be a regular expression (text)") }
            do {
                operand = .pattern(try RegexBox(source))
            } catch {
                throw RuleError(field: opField, error.message)
            }
        case .oneOf, .notOneOf:
            guard case .array(let items) = raw else { throw RuleError(field: opField, "must be a list") }
            var list: [Operand] = []
            for (i, item) in items.enumerated() { list.append(try self.operand(item, field: "\(opField)[\(i)]")) }
            operand = .list(list)
        case .lessThan, .atMost, .greaterThan, .atLeast:
            operand = try self.operand(raw, field: opField)
            if case .literal(let v)? = operand, v.number == nil { throw RuleError(field: opField, "must be a number or {path: ...}") }
        case .lengthAtMost, .lengthAtLeast:
            guard case .integer = raw else { throw RuleError(field: opField, "must be an integer") }
            operand = .literal(raw)
        case .isType:
            let kinds = ["null", "boolean", "integer", "real", "number", "string", "array", "object"]
            guard case .string(let kind) = raw, kinds.contains(kind) else {
                throw RuleError(field: opField, "must name a JSON type (\(kinds.joined(separator: ", ")))")
            }
            operand = .literal(raw)
        case .distinct:
            // true; or {by: [member names], in: member}: elements by those members, in the
            // list the value holds in that member.
            var spec: [JSONMember] = []
            switch raw {
            case .bool(true): break
            case .object(let members):
                for member in members {
                    switch member.name {
                    case "by":
                        guard case .array(let names) = member.value, !names.isEmpty, names.allSatisfy({ $0.stringValue != nil }) else {
                            throw RuleError(field: "\(opField).by", "must be a list of member names")
                        }
                    case "in":
                        guard member.value.stringValue != nil else { throw RuleError(field: "\(opField).in", "must be a member name") }
                    default:
                        throw RuleError(field: "\(opField).\(member.name)", "unknown field (known: by, in)")
                    }
                    spec.append(member)
                }
            default:
                throw RuleError(field: opField, "must be true or {by: [members], in: member}")
            }
            operand = .literal(.object(spec))
        default:
            operand = try self.operand(raw, field: opField)
        }
        let ignoreCase: Bool
        switch member("ignore_case") {
        case nil: ignoreCase = false
        case .bool(let b)?: ignoreCase = b
        default: throw RuleError(field: "\(field).ignore_case", "must be true or false")
        }
        return Test(path: path, op: op, operand: operand,
                    when: try member("when").map { v throws(RuleError) in try condition(v, field: "\(field).when") },
                    message: try template(member("message"), field: "\(field).message", allowWords: true),
                    expected: try findingText(member("expected"), field: "\(field).expected"),
                    actual: try findingText(member("actual"), field: "\(field).actual"),
                    at: try member("at").map { v throws(RuleError) in try self.path(v, field: "\(field).at") },
                    ignoreCase: ignoreCase)
    }

    static func operand(_ value: JSONValue, field: String) throws(RuleError) -> Operand {
        guard case .object(let members) = value else { return .literal(value) }
        if members.count == 2, let map = members.first(where: { $0.name == "lookup" })?.value,
           let key = members.first(where: { $0.name == "key" })?.value {
            guard case .object(let entries) = map else { throw RuleError(field: "\(field).lookup", "must be a mapping") }
            var keys: [RulePath] = []
            for (i, k) in (key.arrayValue ?? [key]).enumerated() {
                keys.append(try path(k, field: key.arrayValue == nil ? "\(field).key" : "\(field).key[\(i)]"))
            }
            return .lookup(Dictionary(entries.map { ($0.name, $0.value) }) { a, _ in a }, keys: keys)
        }
        guard members.count == 1 else { throw RuleError(field: field, "an operand is a value, {path: P}, {template: T} or {lookup: MAP, key: P}") }
        switch members[0].name {
        case "path": return .path(try path(members[0].value, field: "\(field).path"))
        case "template":
            guard let t = try template(members[0].value, field: "\(field).template", allowWords: false) else {
                throw RuleError(field: "\(field).template", "must be text")
            }
            return .template(t)
        default: throw RuleError(field: field, "an operand is a value, {path: P} or {template: T}")
        }
    }

    static func path(_ value: JSONValue, field: String) throws(RuleError) -> RulePath {
        guard case .string(let text) = value else { throw RuleError(field: field, "must be a path (text)") }
        do {
            return try RulePath(text)
        } catch {
            throw RuleError(field: field, error.message)
        }
    }

    static func findingText(_ value: JSONValue?, field: String) throws(RuleError) -> FindingText? {
        guard let value else { return nil }
        if value == .null { return FindingText(template: nil) }
        return FindingText(template: try template(value, field: field, allowWords: true))
    }

    static func template(_ value: JSONValue?, field: String, allowWords: Bool) throws(RuleError) -> MessageTemplate? {
        guard let value else { return nil }
        guard case .string(let text) = value else { throw RuleError(field: field, "must be text") }
        do {
            return try MessageTemplate(text, allowWords: allowWords)
        } catch {
            throw RuleError(field: field, error.message)
        }
    }
}

extension JSONValue {
    /// The value as a number, for numeric comparisons (integers and reals).
    var number: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .real(let d): return d
        default: return nil
        }
    }
}
