import Foundation

/// A value a path gave, with the record and member it came from (nil for `resource.*`).
struct BoundValue {
    var value: JSONValue
    /// The record the value is in: one reference (values are made by the thousand; a
    /// `RecordMeta` copied into each would retain its strings each time).
    private let record: (any RecordEntry)?
    private var fixedMember: MemberPath?
    /// For a value the store selected: the selection and the choices that locate it (the
    /// member path is made only when a finding needs it).
    private(set) var selection: ValueSelection?
    private(set) var choices: [JSONValue] = []

    init(value: JSONValue, record: (any RecordEntry)? = nil, member: MemberPath? = nil) {
        self.value = value
        self.record = record
        fixedMember = member
    }

    init(value: JSONValue, record: any RecordEntry, selection: ValueSelection, choices: [JSONValue]) {
        self.value = value
        self.record = record
        self.selection = selection
        self.choices = choices
    }

    var meta: RecordMeta? { record?.meta }

    var member: MemberPath? { selection.map { $0.memberPath(choices) } ?? fixedMember }

    /// Whether this value of `selection` lies in the same elements as `other` (the value at
    /// fault) for the wildcard steps the two selections share: a message's
    /// `{job[1].params[*].param}` names the param whose resources repeat.
    func follows(_ other: BoundValue) -> Bool {
        guard let mine = selection?.steps, let theirs = other.selection?.steps,
              record === other.record else { return true }
        var wildcards = 0
        for (a, b) in zip(mine, theirs) {
            guard a == b else { break }
            switch a {
            case .each, .select: wildcards += 1
            default: break
            }
        }
        return wildcards == 0 || Array(choices.prefix(wildcards)) == Array(other.choices.prefix(wildcards))
    }
}

/// A test that did not hold, for one value of its path (nil: the path had none).
struct TestFailure {
    var test: Test
    var value: BoundValue?
    var expected: String
    var actual: String
    /// The other paths the failed condition compared (their records are related).
    var compared: [RulePath]
    /// For a list that names something twice: where the repeat is, and the words
    /// `{repeated}` and `{repeats}` for the message.
    var member: MemberPath? = nil
    var words: [String: String] = [:]
    var quoted: [String] = []
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
            return resource.allEntries.map { BoundValue(value: .string($0.kind.rawValue), record: $0.entry, member: MemberPath()) }
        case .record(let kind):
            guard let record = record(kind) else { return [] }
            let meta = record.entry.meta
            if let fact = path.fact {
                switch fact {
                case .key(let field):
                    if field == "last" {
                        let key = meta.key
                        let last = key[(key.lastIndex(of: "/").map(key.index(after:)) ?? key.startIndex)...]
                        return [BoundValue(value: .string(String(last)), record: record.entry)]
                    }
                    guard let text = meta.keyFields[field] else { return [] }
                    // A key's version is a number to compare; the other fields are text.
                    let value: JSONValue = field == "version" ? Int64(text).map(JSONValue.integer) ?? .string(text) : .string(text)
                    return [BoundValue(value: value, record: record.entry)]
                case .modRevision:
                    return meta.modRevision.map { [BoundValue(value: .integer($0), record: record.entry)] } ?? []
                case .createRevision:
                    return meta.createRevision.map { [BoundValue(value: .integer($0), record: record.entry)] } ?? []
                }
            }
            guard let selection = path.selection else {
                // The record itself: there, whether or not its value can be read.
                return [BoundValue(value: .string(meta.key), record: record.entry, member: MemberPath())]
            }
            guard record.readable else { return [] }
            guard let selected = record.selected[selection.slot] else {
                // A readable record keeps every selection of the plan, empty or not: none
                // here means the rule reads what it did not declare, and would see nothing.
                assertionFailure("\(path.text) reads \(selection.name), which the extraction plan does not name")
                return []
            }
            return selected.map { BoundValue(value: $0.value, record: record.entry, selection: selection, choices: $0.choices) }
        }
    }

    /// Where an absent value of `path` would be: its record (when there) and, for a path of
    /// plain members, that member.
    func place(ofAbsent path: RulePath) -> (RecordMeta, MemberPath?)? {
        guard let kind = path.recordKind, let record = record(kind) else { return nil }
        let plain = path.steps.allSatisfy { if case .member = $0 { return true }; if case .index = $0 { return true }; return false }
        return (record.entry.meta, plain ? (path.selection?.memberPath([]) ?? MemberPath()) : MemberPath())
    }

    private func record(_ kind: RecordKind) -> (entry: any RecordEntry, readable: Bool, selected: SelectedValues)? {
        func view<F>(_ entry: Entry<F>?) -> (any RecordEntry, Bool, SelectedValues)? {
            entry.map { ($0, $0.facts != nil, $0.selected) }
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

    /// A template's text; nil when a path it names has no value. With `following`, a path
    /// through the same list elements as that value reads the same elements.
    func render(_ template: MessageTemplate, words: [String: String], following: BoundValue? = nil) -> String? {
        var out = ""
        for piece in template.pieces {
            switch piece {
            case .text(let t): out += t
            case .word(let w): out += words[w] ?? ""
            case .path(let p):
                guard let first = value(of: p, following: following) else { return nil }
                out += show(first.value)
            }
        }
        return out
    }

    /// The first value of `path`, in the elements of `following` where the two share them.
    func value(of path: RulePath, following: BoundValue?) -> BoundValue? {
        let found = values(path)
        guard let following else { return found.first }
        return found.first { $0.follows(following) }
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
            var inMember: String?
            if case .literal(.object(let spec))? = test.operand {
                for entry in spec {
                    if entry.name == "by" { members = entry.value.arrayValue?.compactMap(\.stringValue) ?? [] }
                    if entry.name == "in" { inMember = entry.value.stringValue }
                }
            }
            // Values that are lists (or hold one in `in`): each list on its own.
            let lists = found.compactMap { value -> (BoundValue, [JSONValue], MemberPath)? in
                let target = inMember.map { value.value[$0] } ?? value.value
                guard case .array(let items)? = target else { return nil }
                let base = value.member ?? MemberPath()
                return (value, items, inMember.map { base.member($0) } ?? base)
            }
            if !lists.isEmpty {
                return lists.compactMap { value, items, listPath in
                    repeatedFailure(test, value, items, listPath, by: members)
                }
            }
            // Values of a path through a list (`output[*].output_key`): each list on its own,
            // by the elements its last `[*]` runs over; other values: all together.
            var groups: [[BoundValue]] = []
            var groupOf: [[JSONValue]: Int] = [:]
            for value in found {
                let list = Array(value.choices.dropLast())
                if let n = groupOf[list] { groups[n].append(value) } else { groupOf[list] = groups.count; groups.append([value]) }
            }
            return groups.compactMap { repeatedValue(test, $0, by: members) }
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

    /// The finding for a list that holds one element (by its `by` members) more than once:
    /// pointing at the second occurrence of the first repeated, naming every repeated.
    private func repeatedFailure(_ test: Test, _ value: BoundValue, _ items: [JSONValue], _ listPath: MemberPath,
                                 by members: [String]) -> TestFailure? {
        var counts: [ExactText: Int] = [:]
        var parts: [ExactText: [String]] = [:]
        for item in items {
            let key: [String]
            if members.isEmpty {
                key = [show(item)]
            } else {
                let found = members.map { item[$0]?.stringValue }
                guard !found.contains(where: { $0 == nil }) else { continue }
                key = found.map { $0! }
            }
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
    private func repeatedValue(_ test: Test, _ values: [BoundValue], by members: [String]) -> TestFailure? {
        func key(_ v: BoundValue) -> ExactText {
            ExactText(members.isEmpty ? show(v.value) : members.map { show(v.value[$0]) }.joined(separator: " "))
        }
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
        let kind: JSONKind
        switch value {
        case .null: kind = .null
        case .bool: kind = .bool
        case .integer: kind = .integer
        case .real: kind = .real
        case .string: kind = .string
        case .array: kind = .array
        case .object: kind = .object
        }
        return PathSelection.typeName(kind)
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
