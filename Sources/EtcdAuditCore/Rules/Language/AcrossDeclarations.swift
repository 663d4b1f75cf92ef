/// `unique: {path: P, by: [members], ignore_case: true, name: text}`: no two resources of a
/// type hold one value of P (for a list of objects, `by` says which members make an
/// element's value). Blank values (null, "", an element with a blank `by` member) are
/// nobody's: two ports without a MAC share nothing.
struct UniqueDeclaration: Sendable {
    let path: RulePath
    let by: [String]
    let ignoreCase: Bool
    /// How findings name the value (default: the path).
    let name: String

    init(_ value: JSONValue) throws(RuleError) {
        let members: [JSONMember]
        switch value {
        case .string: members = [JSONMember("path", value)]
        case .object(let m): members = m
        default: throw RuleError(field: "unique", "must be a path or {path, by, ignore_case, name}")
        }
        for member in members where !["path", "by", "ignore_case", "name"].contains(member.name) {
            throw RuleError(field: "unique.\(member.name)", "unknown field (known: by, ignore_case, name, path)")
        }
        func member(_ name: String) -> JSONValue? { members.first { $0.name == name }?.value }
        guard let pathValue = member("path") else { throw RuleError(field: "unique.path", "is required") }
        path = try ConditionParser.path(pathValue, field: "unique.path")
        guard path.recordKind != nil, path.selection != nil else {
            throw RuleError(field: "unique.path", "must name a member of a record")
        }
        switch member("by") {
        case nil: by = []
        case .array(let items)? where items.allSatisfy({ $0.stringValue != nil }): by = items.compactMap(\.stringValue)
        default: throw RuleError(field: "unique.by", "must be a list of member names")
        }
        switch member("ignore_case") {
        case nil: ignoreCase = false
        case .bool(let b)?: ignoreCase = b
        default: throw RuleError(field: "unique.ignore_case", "must be true or false")
        }
        switch member("name") {
        case nil: name = path.text
        case .string(let s)?: name = s
        default: throw RuleError(field: "unique.name", "must be text")
        }
    }

    /// A value as compared: the `by` members joined, or the value itself; nil when blank.
    private func key(_ value: JSONValue) -> String? {
        let text: String
        if by.isEmpty {
            guard !isBlank(value) else { return nil }
            text = value.stringValue ?? value.canonicalText
        } else {
            let parts = by.map { value[$0].flatMap { isBlank($0) ? nil : show($0) } }
            guard !parts.contains(where: { $0 == nil }) else { return nil }
            text = parts.map { $0! }.joined(separator: " ")
        }
        return ignoreCase ? text.lowercased() : text
    }

    func values(_ evaluation: Evaluation) -> (values: Set<String>, at: RecordMeta)? {
        let found = evaluation.values(path)
        guard let meta = found.first?.meta else { return nil }
        return (Set(found.compactMap { key($0.value) }), meta)
    }

    /// Where a resource holds `value`: its first element holding it, named by its `by`
    /// members when it has them.
    func member(_ evaluation: Evaluation, holding value: String) -> MemberPath {
        let found = evaluation.values(path)
        guard let hit = found.first(where: { key($0.value) == value }) ?? found.first else { return MemberPath() }
        return hit.member ?? MemberPath()
    }
}

/// `refers_to: {type: network, id: P}`: each value of P names a resource of that type, which
/// must be in the store, when the store holds that type at all (a dump of ports alone
/// says nothing about networks).
struct ReferenceDeclaration: Sendable {
    let type: String
    let path: RulePath

    init(_ value: JSONValue) throws(RuleError) {
        guard case .object(let members) = value else { throw RuleError(field: "refers_to", "must be {type, id}") }
        for member in members where !["type", "id"].contains(member.name) {
            throw RuleError(field: "refers_to.\(member.name)", "unknown field (known: id, type)")
        }
        guard case .string(let type)? = members.first(where: { $0.name == "type" })?.value, !type.isEmpty else {
            throw RuleError(field: "refers_to.type", "must name a resource type (singular)")
        }
        guard let idValue = members.first(where: { $0.name == "id" })?.value else {
            throw RuleError(field: "refers_to.id", "is required (a path)")
        }
        self.type = type
        path = try ConditionParser.path(idValue, field: "refers_to.id")
    }

    func check(_ evaluation: Evaluation, rule: DeclaredCheck, _ sink: inout FindingSink) {
        let resource = evaluation.resource
        guard let store = resource.existence, store.holds(type: type) else { return }
        for value in evaluation.values(path) {
            guard case .string(let id) = value.value, !id.isEmpty, !store.contains(type: type, id: id),
                  let meta = value.meta else { continue }
            var words = ["path": path.text, "expected": "a \(type) in the store", "actual": id]
            if let t = rule.expected?.template, let text = evaluation.render(t, words: words) { words["expected"] = text }
            let text = rule.message.flatMap { evaluation.render($0, words: words) }
                ?? "\(path.text) names \(type) \(id), which is not in the store"
            sink.report(resource, at: meta, text, expected: words["expected"], actual: id,
                        member: value.member ?? MemberPath(), values: [id])
        }
    }
}

/// Which resources the store holds, for `refers_to`. The resources are in report order
/// (by type, then id as bytes), so a lookup is a binary search within its type's range:
/// nothing is kept but one range per type.
public final class ResourceExistence: Sendable {
    private let list: ResourceList
    private let ranges: [String: Range<Int>]

    init(_ list: ResourceList) {
        self.list = list
        var ranges: [String: Range<Int>] = [:]
        var start = 0
        while start < list.count {
            let type = list[start].type
            var end = start + 1
            while end < list.count, list[end].type.sameBytes(type) { end += 1 }
            ranges[type] = start..<end
            start = end
        }
        self.ranges = ranges
    }

    /// A store the rules see one resource at a time (history's replay): `contains` asks it.
    init(list: ResourceList, ranges: [String: Range<Int>]) {
        self.list = list
        self.ranges = ranges
    }

    func holds(type: String) -> Bool { !(ranges[type]?.isEmpty ?? true) }

    func contains(type: String, id: String) -> Bool {
        guard var range = ranges[type] else { return false }
        while !range.isEmpty {
            let mid = range.lowerBound + range.count / 2
            let at = list[mid].id
            if at.sameBytes(id) { return true }
            range = at.bytesPrecede(id) ? (mid + 1)..<range.upperBound : range.lowerBound..<mid
        }
        return false
    }
}

extension Rule {
    /// The resource type this rule's `refers_to` names, if any.
    var referencedType: String? { (check as? DeclaredCheck)?.reference?.type }
}
