import Foundation

/// A condition of the rule language: tests on paths, combined with all/any/not.
///
///     {path: stack.tenant_id, equals: {path: config.body.tenant_id}}
///     {all: [...]}   {any: [...]}   {not: {...}}
///
/// As `check:`, a condition must hold; each test that does not hold is a finding (one per
/// value of its path). As `when:`, it only says whether the rule (or test) applies.
public indirect enum Condition: Sendable {
    case all([Condition])
    case any([Condition])
    case not(Condition)
    case test(Test)

    /// Every path the condition reads, operands and `when:` included.
    var paths: [RulePath] {
        switch self {
        case .all(let list), .any(let list): return list.flatMap(\.paths)
        case .not(let inner): return inner.paths
        case .test(let test): return test.paths
        }
    }
}

/// One test: a path, an operator and its operand. A class: the evaluation hands tests
/// around for every resource, and a struct of this size would retain each of its members
/// on every copy.
public final class Test: Sendable {
    public let path: RulePath
    public let op: Operator
    public let operand: Operand?
    /// The test applies only when this holds.
    public let when: Condition?
    /// Overrides of the finding's texts (templates, see `MessageTemplate`).
    public let message: MessageTemplate?
    public let expected: FindingText?
    public let actual: FindingText?
    /// Where the finding points when the path has no value (a test of `present`).
    public let at: RulePath?
    /// Strings compare without regard to case.
    public let ignoreCase: Bool
    /// The operand's values when it names no path (a literal, a list of them): worked out
    /// here once, not for every resource the test runs on.
    let constantOperands: PlainValues?

    init(path: RulePath, op: Operator, operand: Operand?, when: Condition? = nil, message: MessageTemplate? = nil,
         expected: FindingText? = nil, actual: FindingText? = nil, at: RulePath? = nil, ignoreCase: Bool = false) {
        self.path = path
        self.op = op
        self.operand = operand
        self.when = when
        self.message = message
        self.expected = expected
        self.actual = actual
        self.at = at
        self.ignoreCase = ignoreCase
        constantOperands = operand?.constantValues.map(PlainValues.init)
    }

    /// The same test with the rule's texts in place of its own message, expected and actual.
    var withoutTexts: Test {
        Test(path: path, op: op, operand: operand, when: when, at: at, ignoreCase: ignoreCase)
    }

    var paths: [RulePath] {
        var out = [path] + (operand?.paths ?? []) + (when?.paths ?? []) + (at.map { [$0] } ?? [])
        for template in [message, expected?.template, actual?.template].compactMap({ $0 }) { out += template.paths }
        return out
    }
}

/// The operators. Comparisons apply to each value of the path and pass when the path (or
/// an operand's path) has no value: say `present: true` to require one.
public enum Operator: String, CaseIterable, Sendable {
    case equals, notEquals = "not_equals", oneOf = "one_of", notOneOf = "not_one_of"
    case matches, notMatches = "not_matches", contains, notContains = "not_contains"
    case startsWith = "starts_with", endsWith = "ends_with", includes
    case present, absent, blank, notBlank = "not_blank"
    case lessThan = "less_than", atMost = "at_most", greaterThan = "greater_than", atLeast = "at_least"
    case lengthAtMost = "length_at_most", lengthAtLeast = "length_at_least"
    case isType = "is"
    case distinct

    /// Operators that take no operand (`present: true`).
    var isUnary: Bool { [.present, .absent, .blank, .notBlank].contains(self) }

    /// How the default message says what was expected.
    var phrase: String {
        switch self {
        case .equals: return ""
        case .notEquals: return "not "
        case .oneOf: return "one of "
        case .notOneOf: return "none of "
        case .matches: return "matching "
        case .notMatches: return "not matching "
        case .contains: return "containing "
        case .notContains: return "not containing "
        case .startsWith: return "starting with "
        case .endsWith: return "ending with "
        case .present: return "present"
        case .absent: return "absent"
        case .blank: return "blank"
        case .notBlank: return "not blank"
        case .lessThan: return "< "
        case .atMost: return "<= "
        case .greaterThan: return "> "
        case .atLeast: return ">= "
        case .lengthAtMost: return "length <= "
        case .lengthAtLeast: return "length >= "
        case .includes: return "including "
        case .isType: return "a JSON "
        case .distinct: return "no value twice"
        }
    }
}

/// What a test compares with: a literal, another path's value, a template of paths, or a
/// list of those (for `one_of`).
public indirect enum Operand: Sendable {
    case literal(JSONValue)
    case path(RulePath)
    case template(MessageTemplate)
    case list([Operand])
    /// `matches`: compiled once.
    case pattern(RegexBox)
    /// `{lookup: MAP, key: PATH or [PATH...]}`: the map's entry for the first key path
    /// with a value (the map usually a param: `{lookup: {param: status_for_action}, ...}`).
    case lookup([String: JSONValue], keys: [RulePath])

    /// The values of an operand that names no path, as `Evaluation.resolve` gives them;
    /// nil when it names one (or a template, which is rendered per resource).
    var constantValues: [JSONValue]? {
        switch self {
        case .literal(let v): return [v]
        case .pattern(let box): return [.string(box.source)]
        case .list(let items):
            var out: [JSONValue] = []
            for item in items {
                guard let values = item.constantValues else { return nil }
                out += values
            }
            return out
        case .path, .template, .lookup: return nil
        }
    }

    var paths: [RulePath] {
        switch self {
        case .literal, .pattern: return []
        case .path(let p): return [p]
        case .template(let t): return t.paths
        case .list(let items): return items.flatMap(\.paths)
        case .lookup(_, let keys): return keys
        }
    }
}

/// A compiled regular expression (NSRegularExpression is not Sendable; it is immutable).
public final class RegexBox: @unchecked Sendable {
    let source: String
    let regex: NSRegularExpression

    init(_ source: String) throws(RuleError) {
        self.source = source
        do {
            regex = try NSRegularExpression(pattern: source)
        } catch {
            throw RuleError("\"\(source)\" is not a regular expression (\(error.localizedDescription))")
        }
    }
}

/// A text with `{...}` placeholders: `{path}`, `{expected}`, `{actual}` (in messages), or
/// any rule path (`{config.version}`, `{resource.id}`), which gives that path's first value.
public struct MessageTemplate: Sendable {
    public enum Piece: Sendable {
        case text(String)
        case path(RulePath)
        case word(String)
    }

    public let pieces: [Piece]
    /// `{path}` the test's path, `{expected}`/`{actual}` the finding's texts, `{value}` the
    /// value at fault (`{json}`: as JSON text; `{value.NAME}`: its member NAME), `{member}`
    /// the name of the member holding it; for `distinct`, `{repeated}` what a list holds more
    /// than once and `{repeats}` the same with how many times.
    public static let words: Set<String> = ["path", "expected", "actual", "value", "json", "member", "repeated", "repeats",
                                            "failures"]

    var paths: [RulePath] {
        pieces.compactMap { if case .path(let p) = $0 { return p } else { return nil } }
    }

    init(_ text: String, allowWords: Bool) throws(RuleError) {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { pieces.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw RuleError("template \"\(text)\": \"{\" is never closed")
            }
            let name = String(rest[rest.index(after: open)..<close])
            if Self.words.contains(name) || name.hasPrefix("value.") {
                guard allowWords else { throw RuleError("template \"\(text)\": {\(name)} is only known in messages") }
                pieces.append(.word(name))
            } else {
                pieces.append(.path(try RulePath(name)))
            }
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        self.pieces = pieces
    }
}

extension RegexBox {
    func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// A finding's `expected` or `actual` as a rule gives it: a template, or null for none.
public struct FindingText: Sendable {
    public var template: MessageTemplate?
}
