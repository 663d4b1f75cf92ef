import Foundation

/// A path of the rule language: a record kind of the joined resource and the members to
/// take inside its value.
///
///     config.body.mac_address                  a member
///     job[1].params[param=uuid].value          each job; an element by index; elements by a member's value
///     config.body.fixed_ips[*].subnet_id       every element of a list (or member of an object)
///     state.state.heat_outputs|json[output_key=id].output_value   a string holding JSON, decoded
///     job.$key.version   state.$mod_revision   what the record's key and revisions say
///     resource.id   resource.type   resource.plural   resource.in_flight
///     records[*]                               each record of the resource (its value: its kind)
///
/// `jobs[*].x` is another spelling of `job.x`: a rule that names the job is checked once per
/// job. The steps inside the value are taken while the value is parsed (`CompiledSelections`),
/// so the store keeps exactly what the loaded rules read.
///
/// A class: conditions hand their paths around for every resource, and a struct of five
/// references would be retained five times on each copy.
public final class RulePath: Hashable, Sendable, CustomStringConvertible {
    public enum Root: Hashable, Sendable {
        case record(RecordKind)
        /// `resource.<name>`: the resource itself (id, type, plural, in_flight).
        case resource(String)
        /// `records[*]`: each record the resource has, whatever its kind (its value: the kind).
        case records
    }

    /// What a record's key and revisions say, rather than its value.
    public enum RecordFact: Hashable, Sendable {
        /// A field of the key's pattern (`id`, `action`, `version`, ...), or `last`: the
        /// key's last segment.
        case key(String)
        case createRevision, modRevision
    }

    public let text: String
    public let root: Root
    /// Set when the path reads the key or a revision instead of the value.
    public let fact: RecordFact?
    /// The steps inside the value.
    public let steps: [ValueStep]

    public var description: String { text }

    /// Everything else follows from the text.
    public static func == (a: RulePath, b: RulePath) -> Bool { a === b || a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    /// The record kind the path reads, if any.
    public var recordKind: RecordKind? {
        if case .record(let kind) = root { return kind }
        return nil
    }

    /// The record-relative part, the name the store keeps the selected values under
    /// (made once: paths are read for every resource); nil for the key, a revision, the
    /// resource, or a whole record.
    public let selection: ValueSelection?

    static let resourceNames: Set<String> = ["id", "type", "plural", "in_flight"]

    public init(_ text: String) throws(RuleError) {
        self.text = text
        var scanner = PathScanner(text)
        guard let first = scanner.name(), !first.isEmpty else { throw RuleError("path \"\(text)\" must start with a record kind or resource") }
        if first == "resource" {
            guard scanner.take("."), let name = scanner.name(), Self.resourceNames.contains(name), scanner.atEnd else {
                throw RuleError("path \"\(text)\": resource has \(Self.resourceNames.sorted().joined(separator: ", "))")
            }
            root = .resource(name)
            fact = nil
            steps = []
            selection = nil
            return
        }
        if first == "records" {
            guard scanner.take("[*]"), scanner.atEnd else { throw RuleError("path \"\(text)\": write records[*] (each record, by its kind)") }
            root = .records
            fact = nil
            steps = []
            selection = nil
            return
        }
        var kindName = first
        if first == "jobs" {
            guard scanner.take("[*]") else { throw RuleError("path \"\(text)\": write jobs[*] (each job) or job") }
            kindName = "job"
        }
        guard let kind = RecordKind(rawValue: kindName) else {
            let known = RecordKind.allCases.map(\.rawValue) + ["jobs[*]", "records[*]", "resource"]
            throw RuleError("path \"\(text)\": \(kindName) is not a record kind the layouts declare (known: \(known.joined(separator: ", ")))")
        }
        root = .record(kind)
        if scanner.take(".$") {
            guard let name = scanner.name() else { throw RuleError("path \"\(text)\": a name must follow $") }
            switch name {
            case "key":
                guard scanner.take("."), let field = scanner.name(), scanner.atEnd else {
                    throw RuleError("path \"\(text)\": $key needs a field of the key (e.g. $key.version, $key.last)")
                }
                fact = .key(field)
            case "mod_revision": fact = .modRevision
            case "create_revision": fact = .createRevision
            default: throw RuleError("path \"\(text)\": $\(name) is not known (known: $key.FIELD, $mod_revision, $create_revision)")
            }
            guard scanner.atEnd else { throw RuleError("path \"\(text)\": nothing may follow $\(name)") }
            steps = []
            selection = nil
            return
        }
        fact = nil
        var steps: [ValueStep] = []
        while !scanner.atEnd {
            if scanner.take(".") {
                guard let name = scanner.name() else { throw RuleError("path \"\(text)\": a member name must follow \".\"") }
                steps.append(.member(name))
            } else if scanner.take("|json") {
                steps.append(.decode)
            } else if scanner.take("|type") {
                guard scanner.atEnd else { throw RuleError("path \"\(text)\": |type ends a path") }
                steps.append(.type)
            } else if scanner.take("|digest") {
                var without: [String] = []
                if scanner.take("(") {
                    guard let inside = scanner.upTo(")") else { throw RuleError("path \"\(text)\": \"(\" is never closed") }
                    without = inside.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                }
                guard scanner.atEnd else { throw RuleError("path \"\(text)\": |digest ends a path") }
                steps.append(.digest(without: without.sorted()))
            } else if scanner.take("[") {
                guard let inside = scanner.upTo("]") else { throw RuleError("path \"\(text)\": \"[\" is never closed") }
                if inside == "*" {
                    steps.append(.each)
                } else if let index = Int(inside), index >= 0 {
                    steps.append(.index(index))
                } else if let eq = inside.firstIndex(of: "="), eq != inside.startIndex {
                    steps.append(.select(member: String(inside[..<eq]), value: String(inside[inside.index(after: eq)...])))
                } else {
                    throw RuleError("path \"\(text)\": [\(inside)] must be [*], [N] or [member=value]")
                }
            } else {
                throw RuleError("path \"\(text)\": unexpected text at \"\(scanner.rest)\"")
            }
        }
        self.steps = steps
        selection = steps.isEmpty ? nil : ValueSelection(steps: steps)
    }
}

/// One step inside a value.
public enum ValueStep: Hashable, Sendable {
    case member(String)
    case index(Int)
    /// Every element of an array, or every member of an object.
    case each
    /// Every element of an array that is an object whose `member` is the string `value`.
    case select(member: String, value: String)
    /// The value is a string holding JSON: go on inside what it decodes to.
    case decode
    /// The value's 128-bit digest (member order does not matter), leaving out these
    /// top-level members: large values compared whole are kept as a digest.
    case digest(without: [String])
    /// The value's JSON type, as `is:` names it (a value only tested for its type is not
    /// kept whole).
    case type
}

/// The steps a rule takes inside one kind of record; the store keeps what they select
/// under `name`.
public final class ValueSelection: Hashable, Sendable {
    public let steps: [ValueStep]
    /// The steps written out.
    public let name: String
    /// The number the store keeps the values under (one per distinct selection in the
    /// process: packed records only live in it).
    public let slot: Int
    /// The names of the shorter selections this one's values can be found again from (by
    /// walking the rest of the steps over their values), longest first: when the plan has
    /// one, the store keeps that one only (`config.body.fixed_ips` once, not also each
    /// element and each element's subnet_id).
    let prefixes: [(name: String, stepCount: Int)]

    public init(steps: [ValueStep]) {
        self.steps = steps
        name = Self.name(of: steps)
        slot = SelectionSlots.shared.slot(of: name)
        // The rest must only walk (no decoding, digest or type), and the prefix must end on
        // the value itself.
        let walkable = steps.indices.reversed().prefix { i in
            switch steps[i] {
            case .member, .index, .each, .select: return true
            case .decode, .digest, .type: return false
            }
        }
        prefixes = walkable.filter { $0 > 0 }.map { (Self.name(of: Array(steps[..<$0])), $0) }
    }

    /// Whether this selects the very member an element was chosen by (`params[param=uuid].param`,
    /// which a check reads to count the elements): its value only repeats the path.
    var namesItsElement: Bool {
        guard steps.count >= 2, case .member(let name) = steps[steps.count - 1],
              case .select(let member, _) = steps[steps.count - 2] else { return false }
        return name.sameBytes(member)
    }

    /// Whether the store can leave this selection out when it keeps `other`.
    func isDerivable(from other: ValueSelection) -> Bool {
        prefixes.contains { $0.stepCount == other.steps.count && $0.name.sameBytes(other.name) }
    }

    // By the bytes of the name, which spells the steps out: member names are matched as
    // bytes, and `ValueStep`'s `String`s would call two spellings of é one member.
    public static func == (a: ValueSelection, b: ValueSelection) -> Bool { a.name.sameBytes(b.name) }
    public func hash(into hasher: inout Hasher) { hasher.combine(ExactText(name)) }

    private static func name(of steps: [ValueStep]) -> String {
        steps.map { step in
            switch step {
            case .member(let name): return "." + name
            case .index(let i): return "[\(i)]"
            case .each: return "[*]"
            case .select(let member, let value): return "[\(member)=\(value)]"
            case .decode: return "|json"
            case .type: return "|type"
            case .digest(let without): return "|digest" + (without.isEmpty ? "" : "(" + without.joined(separator: ",") + ")")
            }
        }.joined()
    }

    /// The concrete member path of a value selected with `choices` (one per `each` and
    /// `select` step: an index, a member name or an occurrence).
    public func memberPath(_ choices: [JSONValue]) -> MemberPath {
        var path = MemberPath()
        var next = choices.makeIterator()
        for step in steps {
            switch step {
            case .member(let name): path = path.member(name)
            case .index(let i): path = path.index(i)
            case .each:
                switch next.next() {
                case .integer(let i)?: path = path.index(Int(i))
                case .string(let name)?: path = path.member(name)
                default: break
                }
            case .select(let member, let value):
                let occurrence: Int
                if case .integer(let n)? = next.next() { occurrence = Int(n) } else { occurrence = 1 }
                path = path.element(where: member, is: value, occurrence: occurrence)
            case .decode: path = path.appending(.decoded)
            case .digest, .type: break
            }
        }
        return path
    }
}

/// Reads a path's text one piece at a time.
private struct PathScanner {
    private let chars: [Character]
    private var at = 0

    init(_ text: String) { chars = Array(text) }

    var atEnd: Bool { at == chars.count }
    var rest: String { String(chars[at...]) }

    mutating func take(_ literal: String) -> Bool {
        let lit = Array(literal)
        guard at + lit.count <= chars.count, Array(chars[at..<at + lit.count]) == lit else { return false }
        at += lit.count
        return true
    }

    /// A member name: anything up to the next `.`, `[`, `|` (or the end).
    /// (`(` is only special after `|digest`.)
    mutating func name() -> String? {
        let start = at
        while at < chars.count, !".[|".contains(chars[at]) { at += 1 }
        return at > start ? String(chars[start..<at]) : nil
    }

    mutating func upTo(_ end: Character) -> String? {
        guard let close = chars[at...].firstIndex(of: end) else { return nil }
        let inside = String(chars[at..<close])
        at = close + 1
        return inside
    }
}

/// Numbers the selections the loaded rules make, once each.
final class SelectionSlots: @unchecked Sendable {
    static let shared = SelectionSlots()
    private let lock = NSLock()
    private var slots: [ExactText: Int] = [:]

    func slot(of name: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        if let slot = slots[ExactText(name)] { return slot }
        slots[ExactText(name)] = slots.count
        return slots.count - 1
    }

    /// The slot of a selection some rule made, without numbering a new one.
    func existingSlot(of name: String) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        return slots[ExactText(name)]
    }
}
