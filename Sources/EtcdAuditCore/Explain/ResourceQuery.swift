/// A resource as a user names it to `explain`: `ports/<id>` or `port/<id>`, `port:<id>`
/// (the type singular or plural, as waivers take it), a record's key as reports print it
/// (`/state/v2.0/ports/<id>`), or a bare id (with `--type`, or held by one type only).
public struct ResourceQuery: Hashable, Sendable, CustomStringConvertible {
    /// As given on the command line.
    public var text: String
    public var type: ResourceType?
    public var id: String

    public var description: String { text }

    /// Reads one spelling; `type` is `--type` (singular or plural). A `TYPE/ID` or
    /// `TYPE:ID` whose type is not declared is a bare id when it has a `:` (ids may hold
    /// one), and an error when it has a `/` (ids never do).
    public init(_ text: String, type typeName: String? = nil, layouts: Layouts) throws(ExplainError) {
        self.text = text
        let forced = try typeName.map { name throws(ExplainError) -> ResourceType in
            guard let type = Self.type(named: name, in: layouts) else {
                throw ExplainError("--type \(name) is not a declared resource type (declared: \(Self.typeNames(layouts)))")
            }
            return type
        }
        var named: ResourceType?
        if text.hasPrefix("/") {
            guard let match = layouts.match(text) else {
                throw ExplainError("\(text) is not the key of any declared record layout (see Rules/layouts.yaml)")
            }
            named = match.type
            id = match.id
        } else if let slash = text.firstIndex(of: "/") {
            let prefix = String(text[..<slash])
            guard let type = Self.type(named: prefix, in: layouts) else {
                throw ExplainError("\(text): \(prefix) is not a declared resource type (declared: \(Self.typeNames(layouts))); "
                                   + "name a resource as TYPE/ID, TYPE:ID, a record's key or a bare id")
            }
            named = type
            id = String(text[text.index(after: slash)...])
        } else if let colon = text.firstIndex(of: ":"), let type = Self.type(named: String(text[..<colon]), in: layouts) {
            named = type
            id = String(text[text.index(after: colon)...])
        } else {
            id = text
        }
        if id.isEmpty { throw ExplainError("\(text) names no id") }
        if let named, let forced, named != forced {
            throw ExplainError("\(text) is a \(named.singular), but --type says \(forced.singular)")
        }
        type = named ?? forced
    }

    static func type(named name: String, in layouts: Layouts) -> ResourceType? {
        layouts.types.first { $0.singular == name || $0.plural == name }
    }

    static func typeNames(_ layouts: Layouts) -> String {
        layouts.types.map(\.plural).joined(separator: ", ")
    }

    /// The resource of `resources` (those of the store with this id) it names.
    func resolve(in resources: [Resource], store: ResourceList) throws(ExplainError) -> Resource {
        let candidates = resources.filter { $0.id == id && (type == nil || $0.type == type) }
        if candidates.count == 1 { return candidates[0] }
        if candidates.count > 1 {
            let types = candidates.map(\.type.plural).sorted()
            throw ExplainError("\(text) is the id of a resource of several types (\(types.joined(separator: ", "))): "
                               + "name one as TYPE/ID (\(types.map { "\($0)/\(id)" }.joined(separator: ", "))) or with --type")
        }
        var message = "no \(type.map { "\($0.singular) " } ?? "resource ")\(id) in the store"
        let close = suggestions(in: store)
        if !close.isEmpty {
            message += "; did you mean " + close.map { "\($0.type):\($0.id)" }.joined(separator: ", ") + "?"
        }
        throw ExplainError(message)
    }

    /// Up to five resources whose id is close to this one: the same id under another type,
    /// ids that start with or contain it (case aside), then ids a few edits away.
    func suggestions<Refs: Sequence<ResourceRef>>(in store: Refs) -> [ResourceRef] {
        let wanted = id.lowercased()
        let wantedScalars = Array(wanted.unicodeScalars)
        var scored: [(score: Int, ref: ResourceRef)] = []
        for ref in store {
            let candidate = ref.id.lowercased()
            if candidate == wanted {
                scored.append((0, ref))
            } else if candidate.hasPrefix(wanted) || candidate.contains(wanted) {
                scored.append((1, ref))
            } else if let distance = Self.editDistance(wantedScalars, Array(candidate.unicodeScalars), atMost: 3) {
                scored.append((1 + distance, ref))
            }
        }
        return scored.sorted { ($0.score, $0.ref) < ($1.score, $1.ref) }.prefix(5).map(\.ref)
    }

    /// Levenshtein distance when it is at most `limit` (rows stop once every cell is past it).
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], atMost limit: Int) -> Int? {
        guard abs(a.count - b.count) <= limit else { return nil }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            current[0] = i
            var rowMin = i
            for j in 1..<(b.count + 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                rowMin = min(rowMin, current[j])
            }
            if rowMin > limit { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}

/// A resource `explain` cannot show: named wrongly, absent from the store, or ambiguous.
public struct ExplainError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
