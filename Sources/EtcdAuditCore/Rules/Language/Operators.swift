import Foundation

/// The operators' meaning, and what a failed test says it expected.
extension Evaluation {
    /// The finding for a list that holds one element (by its `by` members) more than once:
    /// pointing at the second occurrence of the first repeated, naming every repeated.
    func repeatedFailure(_ test: Test, _ value: BoundValue, _ items: [JSONValue], _ listPath: MemberPath,
                                 by members: [String]) -> TestFailure? {
        var counts: [ExactText: Int] = [:]
        var parts: [ExactText: [String]] = [:]
        for item in items {
            guard let key = DistinctSpec.elementKey(item, by: members) else { continue }
            let text = ExactText(key.joined(separator: " "))
            counts[text, default: 0] += 1
            parts[text] = key
        }
        let repeated = counts.filter { $0.value > 1 }.keys.sorted()
        guard let first = repeated.first else { return nil }
        let at: MemberPath
        if members.isEmpty {
            let second = items.indices.filter { show(items[$0]) == first.string }.dropFirst().first ?? 0
            at = listPath.index(second)
        } else {
            at = listPath.element(matching: zip(members, parts[first]!).map { MemberPath.Match($0, $1) }, occurrence: 2)
        }
        var failure = TestFailure(test: test, value: value, expected: "no repeats",
                                  actual: repeated.map(\.string).joined(separator: ","), compared: [])
        failure.member = at
        failure.words = ["repeated": repeated.map(\.string).joined(separator: ", "),
                         "repeats": repeated.map { "\($0.string) (\(counts[$0]!) times)" }.joined(separator: ", ")]
        failure.quoted = repeated.flatMap { members.isEmpty ? [$0.string] : Array(parts[$0]!.dropFirst(members.count - 1)) }
        return failure
    }

    /// The finding for values of one list of which some repeat: at the element holding the
    /// second occurrence of the first repeated (by bytes), naming every repeated value.
    func repeatedValue(_ test: Test, _ values: [BoundValue], by members: [String]) -> TestFailure? {
        func key(_ v: BoundValue) -> ExactText { ExactText(DistinctSpec.valueKey(v.value, by: members)) }
        var counts: [ExactText: Int] = [:]
        for value in values { counts[key(value), default: 0] += 1 }
        let repeated = counts.filter { $0.value > 1 }.keys.sorted()
        guard let first = repeated.first, let second = values.filter({ key($0) == first }).dropFirst().first else { return nil }
        var failure = TestFailure(test: test, value: second, expected: "no repeats",
                                  actual: repeated.map(\.string).joined(separator: ","), compared: [])
        // The element that repeats, not the member of it that was compared.
        if var path = second.member, second.selection?.steps.last.map({ if case .member = $0 { return true } else { return false } }) == true {
            while case .member? = path.steps.last { path.steps.removeLast() }
            failure.member = path
        }
        failure.words = ["repeated": repeated.map(\.string).joined(separator: ", "),
                         "repeats": repeated.map { "\($0.string) (\(counts[$0]!) times)" }.joined(separator: ", ")]
        failure.quoted = repeated.map(\.string)
        return failure
    }

    /// Whether no two of `plain` (a `distinct` test's values, without where they are)
    /// repeat, by the same keys `repeatedFailure` and `repeatedValue` compare: a test that
    /// passes is then decided without locating its values. False only means "look closer"
    /// (values of different lists may repeat and still pass).
    static func noRepeats(_ test: Test, _ plain: PlainValues) -> Bool {
        let spec = DistinctSpec(test)
        var sawList = false
        for value in plain {
            guard let items = spec.list(in: value) else { continue }
            sawList = true
            if items.count > 1, !allDifferent(items.compactMap { DistinctSpec.elementKey($0, by: spec.by)?.joined(separator: " ") }) {
                return false
            }
        }
        return sawList || plain.count < 2 || allDifferent(plain.map { DistinctSpec.valueKey($0, by: spec.by) })
    }

    /// No two texts with the same bytes (pairwise for the short lists rules mostly see).
    private static func allDifferent(_ keys: [String]) -> Bool {
        guard keys.count > 8 else {
            for i in keys.indices.dropFirst() where keys[..<i].contains(where: { $0.sameBytes(keys[i]) }) { return false }
            return true
        }
        return Set(keys.map { ExactText($0) }).count == keys.count
    }

    static func expectedText(_ test: Test, _ operands: PlainValues) -> String {
        let shown = operands.map(show).joined(separator: ", ")
        return test.op.isUnary ? test.op.phrase : test.op.phrase + shown
    }

    static func passes(_ test: Test, _ value: JSONValue, _ operands: PlainValues, foldingCase: Bool? = nil) -> Bool {
        // Case matters not when the test compares with text (a value that is not text is
        // compared as it is).
        if foldingCase ?? test.ignoreCase, operands.allSatisfy({ $0.stringValue != nil }) {
            return passes(test, value.caseFolded, PlainValues(operands.map(\.caseFolded)), foldingCase: false)
        }
        switch test.op {
        case .equals, .oneOf: return operands.contains(value)
        case .notEquals, .notOneOf: return !operands.contains(value)
        case .includes: return operands.allSatisfy { operand in (value.arrayValue ?? [value]).contains { isSame($0, operand) } }
        case .matches, .notMatches:
            guard case .pattern(let box)? = test.operand else { return true }
            let hit = value.stringValue.map(box.matches) ?? false
            return test.op == .matches ? hit : !hit
        case .contains, .notContains:
            let hit = operands.allSatisfy { contains(value, $0) }
            return test.op == .contains ? hit : !hit
        case .startsWith: return operands.contains { value.stringValue?.hasPrefix(show($0)) ?? false }
        case .endsWith: return operands.contains { value.stringValue?.hasSuffix(show($0)) ?? false }
        case .blank: return isBlank(value)
        case .notBlank: return !isBlank(value)
        case .lessThan, .atMost, .greaterThan, .atLeast:
            // Numbers only: another type is not compared (the schema rules speak to it).
            guard let a = value.number, let b = operands.first?.number else { return true }
            switch test.op {
            case .lessThan: return a < b
            case .atMost: return a <= b
            case .greaterThan: return a > b
            default: return a >= b
            }
        case .lengthAtMost, .lengthAtLeast:
            guard let limit = operands.first?.number, let length = length(value) else { return true }
            return test.op == .lengthAtMost ? Double(length) <= limit : Double(length) >= limit
        case .isType:
            return operands.first?.stringValue.map { typeName(value) == $0 || ($0 == "number" && value.number != nil) } ?? true
        case .present, .absent, .distinct: return true
        }
    }

    /// Whether `candidate` is `wanted`: the same JSON value, or for a wanted value that is not
    /// text, a string holding its JSON text (as outputs hold numbers and objects: `"42"` is 42;
    /// member order and spacing do not matter; `true` is not 1).
    private static func isSame(_ candidate: JSONValue, _ wanted: JSONValue) -> Bool {
        if case .string = wanted { return candidate == wanted }
        if candidate == wanted { return true }
        guard case .string(let text) = candidate,
              case .success(let parsed) = JSONDocument.parse(Array(text.utf8), { $0.value }) else { return false }
        return parsed.value == wanted
    }

    /// A string contains a text; a list an element equal to the operand (an element that
    /// is a string holding JSON counts as not equal); an object a member of that name.
    private static func contains(_ value: JSONValue, _ operand: JSONValue) -> Bool {
        switch value {
        case .string(let s): return s.contains(show(operand))
        case .array(let items): return items.contains(operand)
        case .object(let members): return members.contains { $0.name == show(operand) }
        default: return value == operand
        }
    }

    private static func length(_ value: JSONValue) -> Int? {
        switch value {
        case .string(let s): return s.count
        case .array(let a): return a.count
        case .object(let m): return m.count
        default: return nil
        }
    }

    /// The names `is:` uses (selected_writer.c writes the same for `|type`).
    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .real: return "real"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension Condition: CustomStringConvertible {
    public var description: String {
        switch self {
        case .all(let list): return list.map(\.description).joined(separator: " and ")
        case .any(let list): return list.map(\.description).joined(separator: " or ")
        case .not(let inner): return "not (\(inner))"
        case .test(let t):
            return t.op.isUnary ? "\(t.path) \(t.op.rawValue)" : "\(t.path) \(t.op.rawValue) \(t.operand.map(\.description) ?? "")"
        }
    }

    /// The first test, for where a failed `not` points.
    var firstTest: Test? {
        switch self {
        case .all(let list), .any(let list): return list.lazy.compactMap(\.firstTest).first
        case .not(let inner): return inner.firstTest
        case .test(let t): return t
        }
    }
}

extension Operand: CustomStringConvertible {
    public var description: String {
        switch self {
        case .literal(let v): return show(v)
        case .pattern(let box): return box.source
        case .path(let p): return p.text
        case .template(let t):
            return t.pieces.map { piece -> String in
                switch piece {
                case .text(let s): return s
                case .path(let p): return "{\(p)}"
                case .word(let w): return "{\(w)}"
                }
            }.joined()
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .lookup(_, let keys): return "the entry for " + keys.map(\.text).joined(separator: " or ")
        }
    }
}

extension JSONValue {
    /// Strings (also inside lists and objects) in lower case, for `ignore_case: true`.
    var caseFolded: JSONValue {
        switch self {
        case .string(let s): return .string(s.lowercased())
        case .array(let items): return .array(items.map(\.caseFolded))
        case .object(let members): return .object(members.map { JSONMember($0.name, $0.value.caseFolded) })
        default: return self
        }
    }
}

/// A `distinct` test's operand: the members that make two elements the same (`by`; none:
/// the whole value) and the member that holds the list (`in`).
struct DistinctSpec: Hashable, Sendable {
    var by: [String] = []
    var inMember: String?

    init(_ test: Test) {
        guard case .literal(.object(let spec))? = test.operand else { return }
        for entry in spec {
            if entry.name == "by" { by = entry.value.arrayValue?.compactMap(\.stringValue) ?? [] }
            if entry.name == "in" { inMember = entry.value.stringValue }
        }
    }

    /// The list a value is (or holds in `in`), if it is one.
    func list(in value: JSONValue) -> [JSONValue]? {
        guard case .array(let items)? = inMember.map({ value[$0] }) ?? value else { return nil }
        return items
    }

    /// A list element's key parts; nil when it lacks a `by` member as text (not compared).
    static func elementKey(_ item: JSONValue, by members: [String]) -> [String]? {
        if members.isEmpty { return [show(item)] }
        var parts: [String] = []
        for member in members {
            guard let text = item[member]?.stringValue else { return nil }
            parts.append(text)
        }
        return parts
    }

    /// A value's key when the values are not lists (an absent member shows as such).
    static func valueKey(_ value: JSONValue, by members: [String]) -> String {
        members.isEmpty ? show(value) : members.map { show(value[$0]) }.joined(separator: " ")
    }
}
