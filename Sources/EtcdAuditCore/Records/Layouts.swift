/// The kinds of record the pipeline writes for one resource (SPEC §1).
public enum RecordKind: String, CaseIterable, Sendable, Codable, Comparable {
    case config, job, stack
    case jobState = "job_state"
    case state, monitoring

    public static func < (a: RecordKind, b: RecordKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A resource type with the names its keys use: `ports` in paths, `port` in job keys.
public struct ResourceType: Hashable, Sendable, Comparable {
    public var plural: String
    public var singular: String

    public static func < (a: ResourceType, b: ResourceType) -> Bool { a.singular < b.singular }
}

/// What a key says about its record.
public struct KeyMatch: Hashable, Sendable {
    public var kind: RecordKind
    public var type: ResourceType
    public var id: String
    /// The other placeholders of the pattern (`action`, `handler`, `version`, `nonce`).
    public var fields: [String: String]
}

/// A key pattern such as `/jobs/all/{action}:{handler}:{singular}:{id}:{version}:{nonce}`.
/// A placeholder takes the text up to the next literal part (or the end); `{id}` never
/// holds a `/`.
struct KeyPattern: Sendable {
    enum Part: Sendable, Equatable {
        case literal(String)
        case placeholder(String)
    }

    let source: String
    let parts: [Part]

    static let knownPlaceholders: Set<String> = ["plural", "singular", "id", "action", "handler", "version", "nonce"]

    init(_ source: String) throws(LayoutError) {
        self.source = source
        var parts: [Part] = []
        var rest = Substring(source)
        while !rest.isEmpty {
            if let open = rest.firstIndex(of: "{") {
                if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
                guard let close = rest[open...].firstIndex(of: "}") else {
                    throw LayoutError("pattern \(source): '{' without '}'")
                }
                let name = String(rest[rest.index(after: open)..<close])
                guard Self.knownPlaceholders.contains(name) else {
                    throw LayoutError("pattern \(source): unknown placeholder {\(name)} (known: \(Self.knownPlaceholders.sorted().joined(separator: ", ")))")
                }
                if case .placeholder? = parts.last {
                    throw LayoutError("pattern \(source): two placeholders need a literal between them")
                }
                parts.append(.placeholder(name))
                rest = rest[rest.index(after: close)...]
            } else {
                parts.append(.literal(String(rest)))
                rest = ""
            }
        }
        guard parts.contains(.placeholder("id")) else { throw LayoutError("pattern \(source): no {id}") }
        guard parts.contains(.placeholder("plural")) || parts.contains(.placeholder("singular")) else {
            throw LayoutError("pattern \(source): needs {plural} or {singular} to name the resource type")
        }
        self.parts = parts
    }

    /// The placeholder values, or nil if the key does not have this shape.
    func match(_ key: String) -> [String: String]? {
        var values: [String: String] = [:]
        var rest = Substring(key)
        for (index, part) in parts.enumerated() {
            switch part {
            case .literal(let text):
                guard rest.hasPrefix(text) else { return nil }
                rest = rest.dropFirst(text.count)
            case .placeholder(let name):
                let value: Substring
                if index + 1 < parts.count, case .literal(let next) = parts[index + 1] {
                    guard let range = rest.range(of: next) else { return nil }
                    value = rest[..<range.lowerBound]
                } else {
                    value = rest
                }
                guard !value.isEmpty, !(name == "id" && value.contains("/")) else { return nil }
                values[name] = String(value)
                rest = rest[value.endIndex...]
            }
        }
        return rest.isEmpty ? values : nil
    }
}

public struct LayoutError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Record layouts as data (`Rules/layouts.yaml`): which keys hold which record of which
/// resource type.
public struct Layouts: Sendable {
    let patterns: [(kind: RecordKind, pattern: KeyPattern)]
    public let types: [ResourceType]
    private let byPlural: [String: ResourceType]
    private let bySingular: [String: ResourceType]

    init(patterns: [(RecordKind, KeyPattern)], types: [ResourceType]) throws(LayoutError) {
        self.patterns = patterns.map { (kind: $0.0, pattern: $0.1) }
        self.types = types
        var byPlural: [String: ResourceType] = [:], bySingular: [String: ResourceType] = [:]
        for type in types {
            guard byPlural[type.plural] == nil, bySingular[type.singular] == nil else {
                throw LayoutError("resource type \(type.plural)/\(type.singular) is declared twice")
            }
            byPlural[type.plural] = type
            bySingular[type.singular] = type
        }
        self.byPlural = byPlural
        self.bySingular = bySingular
    }

    public func type(singular: String) -> ResourceType? { bySingular[singular] }

    /// Classifies a key, or nil when no layout declares it.
    public func match(_ key: String) -> KeyMatch? {
        for (kind, pattern) in patterns {
            guard var fields = pattern.match(key), let id = fields.removeValue(forKey: "id") else { continue }
            let plural = fields.removeValue(forKey: "plural")
            let singular = fields.removeValue(forKey: "singular")
            let type: ResourceType?
            switch (plural, singular) {
            case (let p?, let s?): type = byPlural[p].flatMap { $0.singular == s ? $0 : nil }
            case (let p?, nil): type = byPlural[p]
            case (nil, let s?): type = bySingular[s]
            case (nil, nil): type = nil
            }
            guard let type else { continue }
            return KeyMatch(kind: kind, type: type, id: id, fields: fields)
        }
        return nil
    }
}
