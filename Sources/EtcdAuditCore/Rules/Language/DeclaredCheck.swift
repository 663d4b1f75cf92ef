/// A rule written in the rule language rather than in Swift (the `declared` kind): a
/// condition that must hold on each resource (`check:`, under `when:`), values no two
/// resources of a type may share (`unique:`), or references to other resources that must
/// be in the store (`refers_to:`). The members it reads follow from its paths.
struct DeclaredCheck: Check {
    static let kind = "declared"
    /// The rule fields the loader hands over as this kind's params.
    static let fields: Set<String> = ["check", "when", "message", "expected", "actual", "at", "unique", "refers_to", "one_finding"]
    /// The member of the params that holds the rule's own `params:` (its knobs, which
    /// operands name as `{param: NAME}` and operators may change like any kind's params).
    static let knobs = "params"
    /// The fields that make a rule a declared one (the others only go with them).
    static let declares = ["check", "unique", "refers_to"]

    let condition: Condition?
    let when: Condition?
    let message: MessageTemplate?
    let expected: FindingText?
    let actual: FindingText?
    let at: RulePath?
    let unique: UniqueDeclaration?
    let reference: ReferenceDeclaration?
    /// True when a path names the job: the rule is checked once per job.
    let bindsJob: Bool
    /// For a rule that names the job: the tests of a top-level list that do not (checked
    /// once), and the rest (checked once per job).
    let onceCondition: Condition?
    let perJobCondition: Condition?
    let needs: [RecordNeed]
    let plan: ExtractionPlan
    let acrossResources: Bool
    /// The tests that fail on one resource (or job) make one finding, naming them all.
    let oneFinding: Bool

    init(params: RuleParams) throws(RuleError) {
        try params.allowOnly(Self.fields.union([Self.knobs]))
        let values = try Self.substitutingParams(params.values)
        func cond(_ name: String) throws(RuleError) -> Condition? {
            try values[name].map { v throws(RuleError) in try ConditionParser.condition(v, field: name) }
        }
        condition = try cond("check")
        when = try cond("when")
        message = try ConditionParser.template(values["message"], field: "message", allowWords: true)
        expected = try ConditionParser.findingText(values["expected"], field: "expected")
        actual = try ConditionParser.findingText(values["actual"], field: "actual")
        at = try values["at"].map { v throws(RuleError) in try ConditionParser.path(v, field: "at") }
        unique = try values["unique"].map { v throws(RuleError) in try UniqueDeclaration(v) }
        reference = try values["refers_to"].map { v throws(RuleError) in try ReferenceDeclaration(v) }
        let said = [condition != nil, unique != nil, reference != nil].filter { $0 }.count
        guard said == 1 else {
            throw RuleError(field: "check", "a declared rule says exactly one of check, unique or refers_to")
        }
        acrossResources = unique != nil
        switch values["one_finding"] {
        case nil: oneFinding = false
        case .bool(let b)?: oneFinding = b
        default: throw RuleError(field: "one_finding", "must be true or false")
        }

        var paths = (condition?.paths ?? []) + (when?.paths ?? []) + (at.map { [$0] } ?? [])
        for template in [message, expected?.template, actual?.template].compactMap({ $0 }) { paths += template.paths }
        if let unique { paths.append(unique.path) }
        if let reference { paths.append(reference.path) }
        if unique?.path.recordKind == .job {
            throw RuleError(field: "unique.path", "a value unique across resources is read from one record, not from each job")
        }
        bindsJob = paths.contains { $0.recordKind == .job }
        let whenNamesJob = when?.paths.contains { $0.recordKind == .job } ?? false
        if bindsJob, case .all(let list)? = condition, !whenNamesJob {
            let namesJob = { (c: Condition) in c.paths.contains { $0.recordKind == .job } }
            let apart = list.filter { !namesJob($0) }, bound = list.filter(namesJob)
            onceCondition = apart.isEmpty ? nil : .all(apart)
            perJobCondition = bound.isEmpty ? nil : .all(bound)
        } else {
            onceCondition = nil
            perJobCondition = condition
        }
        var wording = at.map { [$0] } ?? []
        for template in [message, expected?.template, actual?.template].compactMap({ $0 }) { wording += template.paths }
        plan = Self.plan(condition: condition,
                         reading: (when?.paths ?? []) + (unique.map { [$0.path] } ?? []) + (reference.map { [$0.path] } ?? []),
                         wording: wording)
        needs = Self.needs(condition: condition, when: when, unique: unique, reference: reference)
    }

    /// What the rule reads, and how (`SelectionUse`): the subject of a `distinct` test that
    /// only `all` leads to, only for its repeats (under `not` or `any` a test on no values
    /// no longer does what one on values that pass does: `holds` is false, and `any`'s
    /// finding names every record it read); and when every test is such a one (in one
    /// record), the rule's own texts (`wording`) only where one of them repeats.
    private static func plan(condition: Condition?, reading: [RulePath], wording: [RulePath]) -> ExtractionPlan {
        var plan = ExtractionPlan()
        func add(_ path: RulePath, _ use: SelectionUse) {
            guard let kind = path.recordKind, let selection = path.selection else { return }
            plan.add(selection, of: kind, as: use)
        }
        var guards: [RulePath] = []
        var failsOnlyOnRepeats = condition != nil
        func visit(_ condition: Condition, onlyAll: Bool) {
            switch condition {
            case .all(let list): list.forEach { visit($0, onlyAll: onlyAll) }
            case .any(let list):
                failsOnlyOnRepeats = false
                list.forEach { visit($0, onlyAll: false) }
            case .not(let inner):
                failsOnlyOnRepeats = false
                visit(inner, onlyAll: false)
            case .test(let test):
                guard test.op == .distinct, onlyAll else {
                    failsOnlyOnRepeats = false
                    return test.paths.forEach { add($0, .read) }
                }
                add(test.path, .repeats([DistinctSpec(test)]))
                guards.append(test.path)
                test.paths.dropFirst().forEach { add($0, .read) }
            }
        }
        if let condition { visit(condition, onlyAll: true) }
        reading.forEach { add($0, .read) }
        let guardKinds = Set(guards.map(\.recordKind)), guardSelections = guards.compactMap(\.selection)
        let wordingOnly = failsOnlyOnRepeats && guardSelections.count == guards.count
        for path in wording {
            add(path, wordingOnly && guardKinds == [path.recordKind] ? .wording(guards: Set(guardSelections)) : .read)
        }
        return plan
    }

    /// The declaration with each `{param: NAME}` replaced by that param's value.
    private static func substitutingParams(_ values: [String: JSONValue]) throws(RuleError) -> [String: JSONValue] {
        var knobs: [String: JSONValue] = [:]
        if let given = values[Self.knobs] {
            guard case .object(let members) = given else { throw RuleError(field: "params", "must be a mapping") }
            for member in members { knobs[member.name] = member.value }
        }
        var used = Set<String>()
        func substitute(_ value: JSONValue, _ field: String) throws(RuleError) -> JSONValue {
            switch value {
            case .object(let members):
                if members.count == 1, members[0].name == "param" {
                    guard case .string(let name) = members[0].value, let knob = knobs[name] else {
                        throw RuleError(field: field, "names no param of the rule (its params: \(knobs.keys.sorted().joined(separator: ", ")))")
                    }
                    used.insert(name)
                    return knob
                }
                var out: [JSONMember] = []
                for member in members { out.append(JSONMember(member.name, try substitute(member.value, "\(field).\(member.name)"))) }
                return .object(out)
            case .array(let items):
                var out: [JSONValue] = []
                for (i, item) in items.enumerated() { out.append(try substitute(item, "\(field)[\(i)]")) }
                return .array(out)
            default:
                return value
            }
        }
        var out: [String: JSONValue] = [:]
        for (name, value) in values where name != Self.knobs { out[name] = try substitute(value, name) }
        for name in knobs.keys.sorted() where !used.contains(name) {
            throw RuleError(field: "params.\(name)", "is not used by the declaration (name it as {param: \(name)})")
        }
        return out
    }

    // MARK: one resource

    func check(_ resource: Resource, _ sink: inout FindingSink) {
        if unique != nil { return }
        let once = Evaluation(resource: resource, job: nil)
        guard bindsJob else { return check(once, condition, &sink) }
        if let onceCondition { check(once, onceCondition, &sink) }
        guard perJobCondition != nil || condition == nil else { return }
        for job in resource.jobs { check(Evaluation(resource: resource, job: job), perJobCondition, &sink) }
    }

    private func check(_ evaluation: Evaluation, _ condition: Condition?, _ sink: inout FindingSink) {
        if let when, !evaluation.holds(when) { return }
        if let condition {
            let failures = evaluation.failures(condition)
            if oneFinding, !failures.isEmpty { return report(combining: failures, evaluation, &sink) }
            for failure in failures { report(failure, evaluation, &sink) }
        } else if let reference {
            for failure in reference.failures(evaluation) { report(failure, evaluation, &sink) }
        }
    }

    /// A failed test as a finding: at the value's record and member (or, with no value,
    /// where `at:` points), comparing the records its operands and conditions read.
    func report(_ failure: TestFailure, _ evaluation: Evaluation, _ sink: inout FindingSink) {
        let resource = evaluation.resource
        let test = failure.test
        let value = failure.value
        guard let (meta, member) = placement(failure, evaluation) else { return }
        var lastMember = ""
        if case .member(let name)? = failure.value?.member?.steps.last { lastMember = name }
        var words = ["path": test.path.text, "expected": failure.expected, "actual": failure.actual,
                     "value": failure.actual, "member": lastMember, "json": failure.value.map { $0.value.text } ?? ""]
        words.merge(failure.words) { _, new in new }
        let templates = [test.message ?? message, (test.expected ?? expected)?.template, (test.actual ?? actual)?.template]
        for case .word(let name) in templates.compactMap({ $0 }).flatMap(\.pieces) where name.hasPrefix("value.") {
            words[name] = show(value?.value[String(name.dropFirst("value.".count))])
        }
        var omitted = Set<String>()
        for (name, given) in [("expected", test.expected ?? expected), ("actual", test.actual ?? actual)] {
            guard let given else { continue }
            guard let template = given.template else { omitted.insert(name); continue }
            if let text = evaluation.render(template, words: words, following: value) { words[name] = text }
        }
        let defaultText = failure.value == nil ? "{path} is absent" : "{path} is {actual}, expected {expected}"
        let template = test.message ?? message
        let text = template.flatMap { evaluation.render($0, words: words, following: value) }
            ?? failure.defaultMessage
            ?? (try? MessageTemplate(defaultText, allowWords: true)).flatMap { evaluation.render($0, words: words) } ?? ""
        // The other records compared: the operands' first, then what `when:` read.
        let relatedPaths = failure.compared
        var keys: [String] = [meta.key]
        var members: [String: MemberPath] = [:]
        // With `at:` pointing elsewhere, the value tested is the first record compared.
        if let tested = value?.meta, !tested.key.sameBytes(meta.key) {
            keys.append(tested.key)
            members[tested.key] = value?.member ?? MemberPath()
        }
        for path in relatedPaths {
            for value in evaluation.values(path) {
                guard let other = value.meta, !keys.contains(where: { $0.sameBytes(other.key) }) else { continue }
                keys.append(other.key)
                members[other.key] = value.member ?? MemberPath()
            }
        }
        var quoted = ([template] + [test.expected ?? expected, test.actual ?? actual].map { $0?.template })
            .compactMap { $0 }.flatMap(\.paths).compactMap { evaluation.value(of: $0, following: value).map { show($0.value) } }
        if !lastMember.isEmpty, text.contains(lastMember) { quoted.append(failure.actual) }
        quoted += failure.quoted
        sink.report(resource, at: meta, text, expected: omitted.contains("expected") ? nil : words["expected"],
                    actual: omitted.contains("actual") ? nil : words["actual"], keys: keys,
                    member: member ?? MemberPath(), relatedMembers: members, values: quoted)
    }

    /// One finding for several failed tests (`one_finding: true`): where the first points,
    /// relating every record they compared; `{failures}` joins the tests' own messages and
    /// `{expected}` their expected texts (with " and ").
    private func report(combining failures: [TestFailure], _ evaluation: Evaluation, _ sink: inout FindingSink) {
        var parts: [(message: String, expected: String)] = []
        for failure in failures {
            let words = ["path": failure.test.path.text, "expected": failure.expected, "actual": failure.actual,
                         "value": failure.actual]
            let message = failure.test.message.flatMap { evaluation.render($0, words: words, following: failure.value) }
                ?? "\(failure.test.path.text) is \(failure.actual)"
            let expected = failure.test.expected?.template.flatMap { evaluation.render($0, words: words) } ?? failure.expected
            parts.append((message, expected))
        }
        var combined = failures[0]
        combined.compared = failures.flatMap(\.compared)
        combined.expected = parts.map(\.expected).joined(separator: " and ")
        combined.words["failures"] = parts.map(\.message).joined(separator: ", ")
        combined.test = combined.test.withoutTexts
        report(combined, evaluation, &sink)
    }

    /// Where a finding points: where `at:` says, when it says; else the member the failure
    /// names (a repeat in a list), the member holding the value, the value's record; for a
    /// value that is absent, the member where it belongs in its record.
    private func placement(_ failure: TestFailure, _ evaluation: Evaluation) -> (RecordMeta, MemberPath?)? {
        if let atPath = failure.test.at ?? at {
            if let first = evaluation.values(atPath).first, let meta = first.meta { return (meta, first.member) }
            if let absent = evaluation.place(ofAbsent: atPath) { return absent }
        }
        if let value = failure.value, let meta = value.meta {
            return (meta, failure.member ?? value.member ?? MemberPath())
        }
        if let absent = evaluation.place(ofAbsent: failure.test.path) { return absent }
        return evaluation.resource.allRecords.first.map { ($0.meta, MemberPath()) }
    }

    // MARK: across resources

    func sharedValues(_ resource: Resource) -> (values: Set<String>, at: RecordEntry)? {
        guard let unique else { return nil }
        return unique.values(Evaluation(resource: resource, job: nil))
    }

    func checkAcross(_ resources: [Resource], _ sink: inout FindingSink) {
        guard let unique else { return }
        reportShared(holders(resources), what: unique.name, &sink) { resource, value in
            unique.member(Evaluation(resource: resource, job: nil), holding: value)
        }
    }

    // MARK: needs

    /// What a resource must hold for the rule to compare anything: the records the rule's
    /// `when:` compares, and those of at least one of its tests (its path and operands).
    private static func needs(condition: Condition?, when: Condition?, unique: UniqueDeclaration?,
                              reference: ReferenceDeclaration?) -> [RecordNeed] {
        func need(_ compared: (kinds: Set<RecordKind>, revisions: Set<RecordKind>)) -> RecordNeed? {
            let sorted = compared.kinds.sorted()
            var needs: [RecordNeed] = []
            needs += sorted.map { RecordNeed.record($0) }
            if !compared.revisions.isEmpty {
                needs.append(.record(compared.revisions.sorted()[0]))
                needs.append(.revisions(of: compared.revisions.sorted()))
            }
            return needs.isEmpty ? nil : needs.count == 1 ? needs[0] : .all(needs)
        }
        var out: [RecordNeed] = []
        if let when, let n = need(comparedKinds(when)) { out.append(n) }
        if let path = unique?.path ?? reference?.path, let kind = path.recordKind { out.append(.record(kind)) }
        if let reference { out.append(.storeHolds(reference.type)) }
        if let condition {
            var tests: [RecordNeed] = []
            for test in condition.tests {
                guard let n = need(comparedKinds(.test(test))) else { return out }  // one test needs nothing
                tests.append(n)
            }
            if tests.count == 1 { out.append(tests[0]) } else if !tests.isEmpty { out.append(.either(tests)) }
        }
        return out
    }

    /// The record kinds whose values a condition compares (not those it only asks about).
    private static func comparedKinds(_ condition: Condition) -> (kinds: Set<RecordKind>, revisions: Set<RecordKind>) {
        var kinds = Set<RecordKind>(), revisions = Set<RecordKind>()
        for test in condition.tests where ![.present, .absent].contains(test.op) {
            for path in [test.path] + (test.operand?.paths ?? []) {
                guard let kind = path.recordKind else { continue }
                if path.selection != nil { kinds.insert(kind) }
                if path.fact == .modRevision || path.fact == .createRevision { revisions.insert(kind) }
            }
        }
        return (kinds, revisions)
    }
}

extension Condition {
    /// Every test, depth first.
    var tests: [Test] {
        switch self {
        case .all(let list), .any(let list): return list.flatMap(\.tests)
        case .not(let inner): return inner.tests
        case .test(let t): return [t]
        }
    }
}
