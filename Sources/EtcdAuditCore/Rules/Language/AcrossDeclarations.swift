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
        // Most texts (MACs as the writers store them) have nothing to lower: not copied.
        guard ignoreCase, text.utf8.contains(where: { (0x41...0x5A).contains($0) || $0 >= 0x80 }) else { return text }
        return text.lowercased()
    }

    func values(_ evaluation: Evaluation) -> (values: Set<String>, at: RecordEntry)? {
        // The values alone: where each lies is asked only of a resource that shares one.
        let found = evaluation.plainValues(path)
        guard !found.isEmpty, let kind = path.recordKind, let record = evaluation.record(kind) else { return nil }
        return (Set(found.compactMap(key)), record)
    }

    /// Where a resource holds `value`: its first element holding it, named by its `by`
    /// members when it has them.
    func member(_ evaluation: Evaluation, holding value: String) -> MemberPath {
        let found = evaluation.values(path)
        guard let hit = found.first(where: { key($0.value) == value }) ?? found.first else { return MemberPath() }
        return hit.member ?? MemberPath()
    }
}

// MARK: - Uniqueness, shared with the kinds that check across resources

/// null and "" hold no value: two resources without one share nothing.
func isBlank(_ value: JSONValue) -> Bool {
    value == .null || value == .string("")
}

extension Check {
    /// Who holds each of the values `sharedValues` gives, in resource order. Values and
    /// ids compare as bytes, as the store keeps them (ExactText.swift).
    func holders(_ resources: [Resource]) -> [ExactText: [(Resource, RecordMeta)]] {
        var holders: [ExactText: [(Resource, RecordMeta)]] = [:]
        for resource in resources {
            guard let (values, record) = sharedValues(resource) else { continue }
            for value in values { holders[ExactText(value), default: []].append((resource, record.meta)) }
        }
        return holders
    }
}

/// Reports each value held by more than one resource, once on each holder, with the
/// other holders as related locations; `member` names where a resource holds the value.
/// A finding names at most `namedHolders` others (and counts the rest): one value held
/// by 10,000 resources gives 10,000 findings, not 10,000 × 10,000 related locations.
func reportShared(_ holders: [ExactText: [(Resource, RecordMeta)]], what: String, _ sink: inout FindingSink,
                  member: (Resource, String) -> MemberPath) {
    let namedHolders = 10
    for (exact, list) in holders.sorted(by: { $0.key < $1.key }) {
        let value = exact.string
        // In resource order, which is id order (bytes) within a type.
        let count = Set(list.map { ExactText($0.0.id) }).count
        guard count > 1 else { continue }
        for (resource, meta) in list {
            let otherHolders = Array(list.lazy.filter { !$0.0.id.sameBytes(resource.id) }.prefix(namedHolders))
            let more = count - 1 - otherHolders.count
            let others = otherHolders.map(\.0.id).joined(separator: ", ") + (more > 0 ? " and \(more) more" : "")
            sink.report(resource, at: meta,
                        "\(what) \(value) is also held by \(resource.type.singular) \(others)",
                        actual: value, keys: [meta.key] + otherHolders.map(\.1.key), member: member(resource, value),
                        related: otherHolders.map { RelatedLocation(key: $0.1.key, location: $0.1.findingLocation,
                                                                    member: member($0.0, value)) })
        }
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

    /// The values that name a resource the store does not hold, as failed tests: the
    /// declared rule reports them as it reports any other.
    func failures(_ evaluation: Evaluation) -> [TestFailure] {
        guard let store = evaluation.resource.existence, store.holds(type: type) else { return [] }
        return evaluation.values(path).compactMap { value in
            guard case .string(let id) = value.value, !id.isEmpty, !store.contains(type: type, id: id) else { return nil }
            var failure = TestFailure(test: Test(path: path, op: .present, operand: nil), value: value,
                                      expected: "a \(type) in the store", actual: id, compared: [])
            failure.quoted = [id]
            failure.defaultMessage = "\(path.text) names \(type) \(id), which is not in the store"
            return failure
        }
    }
}

/// Which resources the store holds, for `refers_to`. A check's store is in report order
/// (by type, then id as bytes), so a lookup is a binary search within its type's range and
/// nothing is kept but one range per type; history's replay answers from its live state.
public final class ResourceExistence: @unchecked Sendable {
    private let holdsType: (String) -> Bool
    private let containsID: (String, String) -> Bool

    init(holds: @escaping (String) -> Bool, contains: @escaping (String, String) -> Bool) {
        holdsType = holds
        containsID = contains
    }

    convenience init(_ list: ResourceList) {
        var ranges: [String: Range<Int>] = [:]
        var start = 0
        while start < list.count {
            let type = list[start].type
            var end = start + 1
            while end < list.count, list[end].type.sameBytes(type) { end += 1 }
            ranges[type] = start..<end
            start = end
        }
        self.init(holds: { !(ranges[$0]?.isEmpty ?? true) }, contains: { type, id in
            guard var range = ranges[type] else { return false }
            while !range.isEmpty {
                let mid = range.lowerBound + range.count / 2
                let at = list[mid].id
                if at.sameBytes(id) { return true }
                range = at.bytesPrecede(id) ? (mid + 1)..<range.upperBound : range.lowerBound..<mid
            }
            return false
        })
    }

    func holds(type: String) -> Bool { holdsType(type) }
    func contains(type: String, id: String) -> Bool { containsID(type, id) }
}

extension Rule {
    /// The resource type this rule's `refers_to` names, if any.
    var referencedType: String? { (check as? DeclaredCheck)?.reference?.type }
}
