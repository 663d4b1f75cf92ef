import Foundation

/// A value a path gave, with the record and member it came from (nil for `resource.*`).
struct BoundValue {
    var value: JSONValue
    /// The record the value is in: one reference (values are made by the thousand; a
    /// `RecordMeta` copied into each would retain its strings each time).
    private let record: RecordEntry?
    private var fixedMember: MemberPath?
    /// For a value the store selected: the selection and the choices that locate it (the
    /// member path is made only when a finding needs it).
    private(set) var selection: ValueSelection?
    private(set) var choices: [JSONValue] = []

    init(value: JSONValue, record: RecordEntry? = nil, member: MemberPath? = nil) {
        self.value = value
        self.record = record
        fixedMember = member
    }

    init(value: JSONValue, record: RecordEntry, selection: ValueSelection, choices: [JSONValue]) {
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
    /// The message when the rule gives none (else "{path} is {actual}, expected {expected}").
    var defaultMessage: String?
}

/// Evaluates paths and conditions on one resource, with one job in hand for rules that
/// name the job.
struct Evaluation {
    let resource: Resource
    let job: RecordEntry?

    // MARK: paths

    /// The values of `path` alone, not where they are: most tests pass, and a test that
    /// passes needs no more (a failing one reads `values` again).
    func plainValues(_ path: RulePath) -> PlainValues {
        switch path.root {
        case .resource(let name): return PlainValues(resourceValue(name))
        case .records: return PlainValues(values(path).map(\.value))
        case .record(let kind):
            guard path.fact == nil, let selection = path.selection else {
                guard let record = record(kind) else { return PlainValues() }
                if let fact = path.fact { return factValue(fact, of: record.meta).map(PlainValues.init) ?? PlainValues() }
                return PlainValues(.string(record.meta.key))
            }
            guard let selected = readableSelected(kind) else { return PlainValues() }
            guard let found = selected.plainValues(selection, resourceID: resource.id) else {
                assertionFailure("\(path.text) reads \(selection.name), which the extraction plan does not name")
                return PlainValues()
            }
            return found
        }
    }

    /// What `resource.NAME` is.
    private func resourceValue(_ name: String) -> JSONValue {
        switch name {
        case "id": return .string(resource.id)
        case "type": return .string(resource.type.singular)
        case "plural": return .string(resource.type.plural)
        default: return .bool(resource.isInFlight)
        }
    }

    /// A record's key field or revision (nil when the key or the input does not say).
    private func factValue(_ fact: RulePath.RecordFact, of meta: RecordMeta) -> JSONValue? {
        switch fact {
        case .key(let field):
            if field == "last" {
                // By bytes, in place: a search by Character would walk grapheme clusters,
                // and `lastIndex(of:)` on the UTF-8 view went index by index, for every job.
                var key = meta.key
                return .string(key.withUTF8 { bytes in
                    var start = bytes.count
                    while start > 0, bytes[start - 1] != UInt8(ascii: "/") { start -= 1 }
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self)
                })
            }
            guard let text = meta.keyFields[field] else { return nil }
            // A key's version is a number to compare; the other fields are text.
            return field == "version" ? Int64(text).map(JSONValue.integer) ?? .string(text) : .string(text)
        case .modRevision: return meta.modRevision.map(JSONValue.integer)
        case .createRevision: return meta.createRevision.map(JSONValue.integer)
        }
    }

    func values(_ path: RulePath) -> [BoundValue] {
        switch path.root {
        case .resource(let name):
            return [BoundValue(value: resourceValue(name))]
        case .records:
            return resource.records.allEntries.map { BoundValue(value: .string($0.kind.rawValue), record: $0.entry, member: MemberPath()) }
        case .record(let kind):
            guard let record = record(kind) else { return [] }
            if let fact = path.fact {
                return factValue(fact, of: record.meta).map { [BoundValue(value: $0, record: record)] } ?? []
            }
            guard let selection = path.selection else {
                // The record itself: there, whether or not its value can be read.
                return [BoundValue(value: .string(record.meta.key), record: record, member: MemberPath())]
            }
            guard record.readable else { return [] }
            guard let selected = record.selected.values(selection, resourceID: resource.id) else {
                // A readable record keeps every selection of the plan, empty or not: none
                // here means the rule reads what it did not declare, and would see nothing.
                assertionFailure("\(path.text) reads \(selection.name), which the extraction plan does not name")
                return []
            }
            return selected.map { BoundValue(value: $0.value, record: record, selection: selection, choices: $0.choices) }
        }
    }

    /// Where an absent value of `path` would be: its record (when there) and, for a path of
    /// plain members, that member.
    func place(ofAbsent path: RulePath) -> (RecordMeta, MemberPath?)? {
        guard let kind = path.recordKind, let record = record(kind) else { return nil }
        let plain = path.steps.allSatisfy { if case .member = $0 { return true }; if case .index = $0 { return true }; return false }
        return (record.meta, plain ? (path.selection?.memberPath([]) ?? MemberPath()) : MemberPath())
    }

    /// What the record of `kind` keeps of its selections, when it is there and readable.
    private func readableSelected(_ kind: RecordKind) -> SelectedValues? {
        guard let record = record(kind), record.readable else { return nil }
        return record.selected
    }

    /// The record of `kind`, when the resource (or the job in hand) has one.
    @inline(__always)
    func record(_ kind: RecordKind) -> RecordEntry? { resource.records.entry(kind, job: job) }

    /// The values of `test`'s operand; nil when it has none, or a path it names has none.
    func operands(of test: Test) -> PlainValues? {
        test.constantOperands ?? test.operand.flatMap(resolve)
    }

    /// The operand's values; nil when a path it names has none (nothing to compare with).
    func resolve(_ operand: Operand) -> PlainValues? {
        switch operand {
        case .literal, .pattern: return operand.constantValues.map(PlainValues.init)
        case .path(let p):
            let found = plainValues(p)
            return found.isEmpty ? nil : found
        case .template(let t): return render(t, words: [:]).map { PlainValues(.string($0)) }
        case .lookup(let map, let keys):
            guard let key = keys.lazy.compactMap({ plainValues($0).first }).first, let entry = map[show(key)] else { return nil }
            return PlainValues(entry)
        case .list(let items):
            var out = PlainValues()
            for item in items {
                guard let v = resolve(item) else { continue }
                out.append(contentsOf: v)
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
                // Where the value is matters only when it must follow another's elements.
                guard let first = following == nil ? plainValues(p).first : value(of: p, following: following)?.value else {
                    return nil
                }
                out += show(first)
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
            let plain = plainValues(test.path)
            switch test.op {
            case .absent: return plain.isEmpty
            case .present: return !plain.isEmpty
            default: break
            }
            if plain.isEmpty { return false }
            // A comparison whose operand has no value does not hold: nothing to compare with.
            var operands: PlainValues?
            if test.operand != nil {
                guard let resolved = self.operands(of: test) else { return false }
                operands = resolved
            }
            if let passed = passesAll(test, plain, resolved: operands) { return passed }
            return failures(test, values(test.path), firstOnly: true).isEmpty
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
        if passesAsStored(test) || passesAll(test, plainValues(test.path)) == true { return [] }
        return failures(test, values(test.path), firstOnly: firstOnly)
    }

    /// Whether `test` passes on the stored bytes alone (false: decode and see). An `equals`
    /// between a selection and `resource.id`, or another selection of this resource's
    /// records, that the store spelled alike passes: the common case of the identity and
    /// agreement rules, settled without making a value.
    private func passesAsStored(_ test: Test) -> Bool {
        guard test.op == .equals, case .record(let kind) = test.path.root, test.path.fact == nil,
              let selection = test.path.selection, let selected = readableSelected(kind),
              case .path(let other)? = test.operand else { return false }
        switch other.root {
        case .resource("id"):
            return selected.holdsOnlyResourceID(selection)
        case .record(let otherKind):
            guard other.fact == nil, let otherSelection = other.selection, let otherSelected = readableSelected(otherKind)
            else { return false }
            return selected.sameStoredValues(selection, as: otherSelection, in: otherSelected)
        default:
            return false
        }
    }

    /// For a comparison: whether each of `plain` passes (true when there is nothing to
    /// compare); nil for the operators that need to know where values are.
    /// `resolved`: the operand's values, when the caller has them already.
    private func passesAll(_ test: Test, _ plain: PlainValues, resolved: PlainValues? = nil) -> Bool? {
        switch test.op {
        case .present: return plain.isEmpty ? nil : true
        case .absent: return plain.isEmpty ? true : nil
        case .distinct: return Self.noRepeats(test, plain) ? true : nil
        default: break
        }
        if plain.isEmpty { return true }
        let operands: PlainValues
        if test.op.isUnary {
            operands = PlainValues()
        } else {
            guard let resolved = resolved ?? self.operands(of: test) else { return true }
            operands = resolved
        }
        return plain.allSatisfy { Self.passes(test, $0, operands) }
    }

    /// The failures of `test` (its `when:` holding) over `found`, its path's values.
    private func failures(_ test: Test, _ found: [BoundValue], firstOnly: Bool) -> [TestFailure] {
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
            let spec = DistinctSpec(test)
            let members = spec.by
            // Values that are lists (or hold one in `in`): each list on its own.
            let lists = found.compactMap { value -> (BoundValue, [JSONValue], MemberPath)? in
                guard let items = spec.list(in: value.value) else { return nil }
                let base = value.member ?? MemberPath()
                return (value, items, spec.inMember.map { base.member($0) } ?? base)
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
        let operands: PlainValues
        if test.op.isUnary {
            operands = PlainValues()
        } else {
            guard let resolved = self.operands(of: test) else { return [] }
            operands = resolved
        }
        var out: [TestFailure] = []
        // By index: a value is only copied out when it fails (this runs for every resource).
        for i in found.indices where !Self.passes(test, found[i].value, operands) {
            out.append(failure(found[i], Self.expectedText(test, operands)))
            if firstOnly { break }
        }
        return out
    }
}
