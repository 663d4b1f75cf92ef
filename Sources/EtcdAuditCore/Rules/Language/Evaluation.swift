import Foundation

/// A value a path gave, with the record and member it came from (nil for `resource.*`).
struct BoundValue {
    var value: JSONValue
    var meta: RecordMeta?
    var member: MemberPath?
}

/// A test that did not hold, for one value of its path (nil: the path had none).
struct TestFailure {
    var test: Test
    var value: BoundValue?
    var expected: String
    var actual: String
    /// The other paths the failed condition compared (their records are related).
    var compared: [RulePath]
}

/// Evaluates paths and conditions on one resource, with one job in hand for rules that
/// name the job.
struct Evaluation {
    let resource: Resource
    let job: Entry<JobFacts>?

    // MARK: paths

    func values(_ path: RulePath) -> [BoundValue] {
        switch path.root {
        case .resource(let name):
            switch name {
            case "id": return [BoundValue(value: .string(resource.id))]
            case "type": return [BoundValue(value: .string(resource.type.singular))]
            case "plural": return [BoundValue(value: .string(resource.type.plural))]
            default: return [BoundValue(value: .bool(resource.isInFlight))]
            }
        case .records:
            return resource.allRecords.map { BoundValue(value: .string($0.kind.rawValue), meta: $0.meta, member: MemberPath()) }
        case .record(let kind):
            guard let record = record(kind) else { return [] }
            let meta = record.meta
            if let fact = path.fact {
                switch fact {
                case .key(let field):
                    if field == "last" {
                        let key = meta.key
                        let last = key[(key.lastIndex(of: "/").map(key.index(after:)) ?? key.startIndex)...]
                        return [BoundValue(value: .string(String(last)), meta: meta, member: nil)]
                    }
                    guard let text = meta.keyFields[field] else { return [] }
                    // A key's version is a number to compare; the other fields are text.
                    let value: JSONValue = field == "version" ? Int64(text).map(JSONValue.integer) ?? .string(text) : .string(text)
                    return [BoundValue(value: value, meta: meta, member: nil)]
                case .modRevision:
                    return meta.modRevision.map { [BoundValue(value: .integer($0), meta: meta, member: nil)] } ?? []
                case .createRevision:
                    return meta.createRevision.map { [BoundValue(value: .integer($0), meta: meta, member: nil)] } ?? []
                }
            }
            guard let selection = path.selection else {
                // The record itself: there, whether or not its value can be read.
                return [BoundValue(value: .string(meta.key), meta: meta, member: MemberPath())]
            }
            guard record.readable else { return [] }
            guard let selected = record.selected[selection.name] else {
                // A readable record keeps every selection of the plan, empty or not: none
                // here means the rule reads what it did not declare, and would see nothing.
                assertionFailure("\(path.text) reads \(selection.name), which the extraction plan does not name")
                return []
            }
            return selected.map { BoundValue(value: $0.value, meta: meta, member: selection.memberPath($0.choices)) }
        }
    }

    /// Where an absent value of `path` would be: its record (when there) and, for a path of
    /// plain members, that member.
    func place(ofAbsent path: RulePath) -> (RecordMeta, MemberPath?)? {
        guard let kind = path.recordKind, let record = record(kind) else { return nil }
        let plain = path.steps.allSatisfy { if case .member = $0 { return true }; if case .index = $0 { return true }; return false }
        return (record.meta, plain ? ValueSelection(steps: path.steps).memberPath([]) : MemberPath())
    }

    private func record(_ kind: RecordKind) -> (meta: RecordMeta, readable: Bool, selected: SmallMap<[SelectedValue]>)? {
        func view<F>(_ entry: Entry<F>?) -> (RecordMeta, Bool, SmallMap<[SelectedValue]>)? {
            entry.map { ($0.meta, $0.facts != nil, $0.selected) }
        }
        switch kind {
        case .config: return view(resource.config)
        case .job: return view(job)
        case .stack: return view(resource.stack)
        case .jobState: return view(resource.jobState)
        case .state: return view(resource.state)
        case .monitoring: return view(resource.monitoring)
        }
    }

    /// The operand's values; nil when a path it names has none (nothing to compare with).
    func resolve(_ operand: Operand) -> [JSONValue]? {
        switch operand {
        case .literal(let v): return [v]
        case .pattern(let box): return [.string(box.source)]
        case .path(let p):
            let found = values(p).map(\.value)
            return found.isEmpty ? nil : found
        case .template(let t): return render(t, words: [:]).map { [.string($0)] }
        case .lookup(let map, let keys):
            guard let key = keys.lazy.compactMap({ values($0).first }).first, let entry = map[show(key.value)] else { return nil }
            return [entry]
        case .list(let items):
            var out: [JSONValue] = []
            for item in items {
                guard let v = resolve(item) else { continue }
                out += v
            }
            return out
        }
    }

    /// A template's text; nil when a path it names has no value.
    func render(_ template: MessageTemplate, words: [String: String]) -> String? {
        var out = ""
        for piece in template.pieces {
            switch piece {
            case .text(let t): out += t
            case .word(let w): out += words[w] ?? ""
            case .path(let p):
                guard let first = values(p).first else { return nil }
                out += show(first.value)
            }
        }
        return out
    }

    // MARK: conditions

    /// Whether a condition is true, as `when:` and `not:` read it: a test of a path with
    /// no value is false (but `absent`), where as a check it has nothing to fault.
    func holds(_ condition: Condition) -> Bool {
        switch condition {
        case .all(let list): return list.allSatisfy(holds)
        case .any(let list): return list.contains(where: holds)
        case .not(let inner): return !holds(inner)
        case .test(let test):
            if let when = test.when, !holds(when) { return false }
            let found = values(test.path)
            switch test.op {
            case .absent: return found.isEmpty
            case .present: return !found.isEmpty
            default: break
            }
            if found.isEmpty { return false }
            return failures(test, firstOnly: true).isEmpty && (test.operand.map { resolve($0) != nil } ?? true)
        }
    }

    func failures(_ condition: Condition, firstOnly: Bool = false) -> [TestFailure] {
        switch condition {
        case .all(let list):
            var out: [TestFailure] = []
            for item in list {
                out += failures(item, firstOnly: firstOnly)
                if firstOnly, !out.isEmpty { return out }
            }
            return out
        case .any(let list):
            var first: [TestFailure] = []
            for item in list {
                let f = failures(item, firstOnly: true)
                if f.isEmpty { return [] }
                if first.isEmpty { first = f }
            }
            // One finding for the whole `any`, comparing everything it read.
            first[0].compared = condition.paths.filter { $0 != first[0].test.path }
            return [first[0]]
        case .not(let inner):
            guard holds(inner), let test = inner.firstTest else { return [] }
            let value = values(test.path).first
            return [TestFailure(test: test, value: value, expected: "not (\(inner.description))",
                                actual: value.map { show($0.value) } ?? "(absent)",
                                compared: inner.paths.filter { $0 != test.path })]
        case .test(let test):
            return failures(test, firstOnly: firstOnly)
        }
    }

    private func failures(_ test: Test, firstOnly: Bool) -> [TestFailure] {
        if let when = test.when, !holds(when) { return [] }
        let found = values(test.path)
        func failure(_ value: BoundValue?, _ expected: String) -> TestFailure {
            TestFailure(test: test, value: value, expected: expected, actual: value.map { show($0.value) } ?? "(absent)",
                        compared: (test.operand?.paths ?? []) + (test.when?.paths ?? []))
        }
        switch test.op {
        case .present:
            return found.isEmpty ? [failure(nil, "present")] : []
        case .absent:
            return found.map { failure($0, "absent") }
        case .distinct:
            var members: [String] = []
            if case .literal(.array(let names))? = test.operand { members = names.compactMap(\.stringValue) }
            var seen = Set<ExactText>()
            var out: [TestFailure] = []
            for value in found {
                var parts: [String] = []
                for name in members { parts.append(show(value.value[name])) }
                let key = members.isEmpty ? show(value.value) : parts.joined(separator: " ")
                if !seen.insert(ExactText(key)).inserted {
                    out.append(failure(value, "no \(key) twice"))
                    if firstOnly { break }
                }
            }
            return out
        default:
            break
        }
        if found.isEmpty { return [] }
        let operands: [JSONValue]
        if test.op.isUnary {
            operands = []
        } else {
            guard let resolved = test.operand.flatMap(resolve) else { return [] }
            operands = resolved
        }
        var out: [TestFailure] = []
        for value in found where !Self.passes(test, value.value, operands) {
            out.append(failure(value, Self.expectedText(test, operands)))
            if firstOnly { break }
        }
        return out
    }

    static func expectedText(_ test: Test, _ operands: [JSONValue]) -> String {
        let shown = operands.map(show).joined(separator: ", ")
        return test.op.isUnary ? test.op.phrase : test.op.phrase + shown
    }

    static func passes(_ test: Test, _ value: JSONValue, _ operands: [JSONValue]) -> Bool {
        // Case matters not when the test compares with text (a value that is not text is
        // compared as it is).
        if test.ignoreCase, operands.allSatisfy({ $0.stringValue != nil }) {
            return passes(test.folded, value.caseFolded, operands.map(\.caseFolded))
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

extension Test {
    /// The test with its case folded away (the values are folded by the caller).
    var folded: Test {
        var copy = self
        copy.ignoreCase = false
        return copy
    }
}
