import Yams

/// A rule file that cannot be used. Names the file, the rule and the field.
public struct RuleError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var rule: String?
    public var field: String?
    public var message: String

    public init(file: String = "", rule: String? = nil, field: String? = nil, _ message: String) {
        self.file = file
        self.rule = rule
        self.field = field
        self.message = message
    }

    public var description: String {
        var where_ = file.isEmpty ? "rules" : file
        if let rule { where_ += ": rule \(rule)" }
        if let field { where_ += ": field \(field)" }
        return "\(where_): \(message)"
    }
}

/// A rule's `params` mapping, with typed access that says which field is wrong.
public struct RuleParams: Sendable {
    let values: [String: JSONValue]

    public init(_ values: [String: JSONValue] = [:]) {
        self.values = values
    }

    public func string(_ name: String, default fallback: String? = nil) throws(RuleError) -> String {
        guard let value = values[name] else {
            if let fallback { return fallback }
            throw RuleError(field: "params.\(name)", "is required (a string)")
        }
        guard case .string(let s) = value else { throw RuleError(field: "params.\(name)", "must be a string") }
        return s
    }

    public func bool(_ name: String, default fallback: Bool) throws(RuleError) -> Bool {
        guard let value = values[name] else { return fallback }
        guard case .bool(let b) = value else { throw RuleError(field: "params.\(name)", "must be true or false") }
        return b
    }

    public func strings(_ name: String, default fallback: [String]? = nil) throws(RuleError) -> [String] {
        guard let value = values[name] else {
            if let fallback { return fallback }
            throw RuleError(field: "params.\(name)", "is required (a list of strings)")
        }
        guard case .array(let items) = value else { throw RuleError(field: "params.\(name)", "must be a list of strings") }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else { throw RuleError(field: "params.\(name)", "must hold only strings") }
            out.append(s)
        }
        return out
    }

    public func stringMap(_ name: String) throws(RuleError) -> [String: String] {
        guard let value = values[name] else { throw RuleError(field: "params.\(name)", "is required (a mapping of strings)") }
        guard case .object(let members) = value else { throw RuleError(field: "params.\(name)", "must be a mapping") }
        var out: [String: String] = [:]
        for member in members {
            guard case .string(let s) = member.value else {
                throw RuleError(field: "params.\(name).\(member.name)", "must be a string")
            }
            out[member.name] = s
        }
        return out
    }

    public func has(_ name: String) -> Bool { values[name] != nil }

    /// Rejects params the check kind does not know: a typo must not pass silently.
    public func allowOnly(_ names: Set<String>) throws(RuleError) {
        for name in values.keys.sorted() where !names.contains(name) {
            throw RuleError(field: "params.\(name)", "is not a parameter of this check kind (it takes: \(names.sorted().joined(separator: ", ")))")
        }
    }
}

extension JSONValue {
    /// A YAML node as JSON: mappings keep their order, scalars take their resolved type.
    init(yaml node: Node) {
        switch node {
        case .mapping(let mapping):
            self = .object(mapping.map { JSONMember($0.key.string ?? "", JSONValue(yaml: $0.value)) })
        case .sequence(let sequence):
            self = .array(sequence.map { JSONValue(yaml: $0) })
        case .scalar(let scalar):
            // Yams resolves an untagged scalar with seven regular expressions (a third of
            // the time `check` takes on a small document); a text that none of them can
            // match is a string without asking.
            if scalar.tag.description.isEmpty, Self.isPlainText(scalar.string) {
                self = .string(scalar.string)
                return
            }
            self = Self.resolved(node, scalar)
        case .alias:
            self = .null
        }
    }

    /// A scalar as Yams' default resolver types it. The documents are composed with no
    /// resolver rules (`composeYAML`), so the default one is asked here, for the values
    /// alone.
    static func resolved(_ node: Node, _ scalar: Node.Scalar) -> JSONValue {
        switch Resolver.default.resolveTag(of: node) {
        case .null: return .null
        case .bool: return .bool(node.bool ?? false)
        case .int: return node.int.map { .integer(Int64($0)) } ?? .string(scalar.string)
        case .float: return node.float.map { .real($0) } ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    /// Whether no rule of Yams' default resolver (YAML 1.1's bool, int, float, null,
    /// merge, timestamp and value) can match `text`. Every one of them begins with one of
    /// the characters below, or matches the empty text; of those, a letter begins only the
    /// bool and null rules' words (`yes`, `True`, `NULL`, ...), so a text that begins with a
    /// letter and is none of them is text too (most summaries begin with "The"). It must
    /// not end with a line break, which the rules' `$` would let through.
    static func isPlainText(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last else { return false }
        if !"yYnNtTfFoO-+.0123456789<~=".utf8.contains(first) { return true }
        let letter = first | 0x20
        guard letter >= UInt8(ascii: "a"), letter <= UInt8(ascii: "z"), last > 0x20, last < 0x7F else { return false }
        return !resolverWords.contains(text)
    }

    /// The words the bool and null rules match.
    private static let resolverWords: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL",
    ]
}

/// A YAML document of the catalog or the configuration, composed without Yams' resolver
/// rules. Yams compares mapping keys by their resolved type and text: with the default
/// rules every key (and every `node["name"]` lookup) runs seven regular expressions, about
/// half the catalog's load (77 M instructions a run, a third of a small `check`). Here a
/// key is its text: `1` and `"1"` are one key, a duplicate, as they would be to us anyway,
/// since every key is read as text. Values still take YAML 1.1's types, from
/// `JSONValue(yaml:)`.
func composeYAML(_ text: String) throws -> Node? {
    try Yams.compose(yaml: text, .basic)
}
