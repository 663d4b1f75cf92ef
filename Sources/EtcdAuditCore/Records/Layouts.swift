#if canImport(Glibc)
import Glibc
#endif

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

    public static func < (a: ResourceType, b: ResourceType) -> Bool { a.singular.bytesPrecede(b.singular) }
}

/// What a key says about its record.
public struct KeyMatch: Sendable {
    public var kind: RecordKind
    public var type: ResourceType
    public var id: String
    /// The other placeholders of the pattern (`action`, `handler`, `nonce`, `version`), in
    /// name order, as the record keeps them.
    public var fields: SmallMap<String>
    /// The pattern's place in `Layouts.patterns`: it spells the key out again.
    var pattern: Int
}

/// A key pattern such as `/jobs/all/{action}:{handler}:{singular}:{id}:{version}:{nonce}`.
/// A placeholder takes the text up to the next literal part (or the end), the same text
/// each time it is named; `{id}` never holds a `/`. So a key is its pattern's literals and
/// captures, and the store keeps no key: it spells it out again, from the pattern, for
/// every record it unpacks. Matching works on the key's bytes (it runs for every record
/// read). A class: a record's key is tried against several, and a struct of arrays was
/// copied (each retained) for every one tried.
final class KeyPattern: Sendable {
    /// Trivial, so that walking the parts retains nothing.
    enum Part: Sendable, Equatable {
        /// A range of `literals`.
        case literal(Range<Int>)
        case plural, singular, id
        /// A field by its place among `fieldNames`, where a record of this pattern keeps it.
        case field(Int)
    }

    let parts: [Part]
    /// The bytes of every literal part, one after the other.
    private let literals: [UInt8]
    /// The names of the field placeholders, in name order.
    let fieldNames: [String]

    static let knownPlaceholders: Set<String> = ["plural", "singular", "id", "action", "handler", "version", "nonce"]

    init(_ source: String) throws(LayoutError) {
        var pieces: [(text: Substring, isName: Bool)] = []
        var rest = Substring(source)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { pieces.append((rest[..<open], false)) }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw LayoutError("pattern \(source): '{' without '}'")
            }
            let name = rest[rest.index(after: open)..<close]
            guard Self.knownPlaceholders.contains(String(name)) else {
                throw LayoutError("pattern \(source): unknown placeholder {\(name)} (known: \(Self.knownPlaceholders.sorted().joined(separator: ", ")))")
            }
            if pieces.last?.isName == true {
                throw LayoutError("pattern \(source): two placeholders need a literal between them")
            }
            pieces.append((name, true))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append((rest, false)) }
        let names = pieces.filter(\.isName).map { String($0.text) }
        guard names.contains("id") else { throw LayoutError("pattern \(source): no {id}") }
        guard names.contains("plural") || names.contains("singular") else {
            throw LayoutError("pattern \(source): needs {plural} or {singular} to name the resource type")
        }
        let fieldNames = Set(names).subtracting(["id", "plural", "singular"]).sorted()
        var literals: [UInt8] = []
        parts = pieces.map { piece in
            guard piece.isName else {
                literals += piece.text.utf8
                return .literal((literals.count - piece.text.utf8.count)..<literals.count)
            }
            switch piece.text {
            case "plural": return .plural
            case "singular": return .singular
            case "id": return .id
            default: return .field(fieldNames.firstIndex(of: String(piece.text))!)
            }
        }
        self.literals = literals
        self.fieldNames = fieldNames
    }

    /// Whether `key` has this shape: `capture` is given what each placeholder takes of it (a
    /// byte range) and may refuse it.
    func match(_ key: UnsafeBufferPointer<UInt8>, capture: (Part, Range<Int>) -> Bool) -> Bool {
        literals.withUnsafeBufferPointer { literals in
            var position = 0
            for (index, part) in parts.enumerated() {
                if case .literal(let range) = part {
                    guard key.count - position >= range.count,
                          memcmp(key.baseAddress! + position, literals.baseAddress! + range.lowerBound, range.count) == 0
                    else { return false }
                    position += range.count
                    continue
                }
                var end = key.count
                if index + 1 < parts.count, case .literal(let next) = parts[index + 1] {
                    guard let at = Self.find(UnsafeBufferPointer(rebasing: literals[next]), in: key, from: position) else {
                        return false
                    }
                    end = at
                }
                guard end > position,
                      part != .id || memchr(key.baseAddress! + position, Int32(UInt8(ascii: "/")), end - position) == nil,
                      capture(part, position..<end) else { return false }
                position = end
            }
            return position == key.count
        }
    }

    /// Where `needle` first occurs in `haystack` at or after `start` (memchr: a loop over
    /// the bytes cost more than the rest of matching).
    private static func find(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let first = needle.first else { return nil }
        var i = start
        while haystack.count - i >= needle.count,
              let hit = memchr(haystack.baseAddress! + i, Int32(first), haystack.count - i - needle.count + 1) {
            let at = UnsafeRawPointer(haystack.baseAddress!).distance(to: UnsafeRawPointer(hit))
            if memcmp(haystack.baseAddress! + at, needle.baseAddress!, needle.count) == 0 { return at }
            i = at + 1
        }
        return nil
    }

    /// The key this pattern spells for `type`, `id` and `fields`, named as `fieldNames` are.
    func spelling(type: ResourceType, id: String, fields: SmallMap<String>) -> String {
        var length = 0
        forEachPiece(type: type, id: id, fields: fields) { length += $0.count }
        return String(unsafeUninitializedCapacity: length) { out in
            var at = 0
            forEachPiece(type: type, id: id, fields: fields) { piece in
                UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(out)[at..<(at + piece.count)])
                    .copyMemory(from: piece)
                at += piece.count
            }
            return at
        }
    }

    /// Gives `visit` the bytes of each part of the key in turn.
    @inline(__always)  // as a call, with a closure, it cost as much again as the work
    private func forEachPiece(type: ResourceType, id: String, fields: SmallMap<String>,
                              _ visit: (UnsafeRawBufferPointer) -> Void) {
        literals.withUnsafeBytes { literals in
            for part in parts {
                var text: String
                switch part {
                case .literal(let range):
                    visit(UnsafeRawBufferPointer(rebasing: literals[range]))
                    continue
                case .plural: text = type.plural
                case .singular: text = type.singular
                case .id: text = id
                case .field(let n): text = fields.entries[n].value
                }
                text.withUTF8 { visit(UnsafeRawBufferPointer($0)) }
            }
        }
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

    init(patterns: [(RecordKind, KeyPattern)], types: [ResourceType]) throws(LayoutError) {
        self.patterns = patterns.map { (kind: $0.0, pattern: $0.1) }
        self.types = types
        var plurals: Set<String> = [], singulars: Set<String> = []
        for type in types {
            guard plurals.insert(type.plural).inserted, singulars.insert(type.singular).inserted else {
                throw LayoutError("resource type \(type.plural)/\(type.singular) is declared twice")
            }
        }
    }

    /// Classifies a key, or nil when no layout declares it.
    public func match(_ key: String) -> KeyMatch? {
        var key = key
        return key.withUTF8 { bytes -> KeyMatch? in
            guard bytes.count > 0 else { return nil }
            for (number, (kind, pattern)) in patterns.enumerated() {
                var id = "", type: ResourceType?
                var fields: [(name: String, value: String)] = []
                let matched = pattern.match(bytes) { part, range in
                    let slice = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range]))
                    switch part {
                    case .literal: break
                    case .id:
                        // A placeholder named twice takes the same text twice, or the key is
                        // not of this shape (the pattern must spell the key back exactly).
                        let text = String(decoding: slice, as: UTF8.self)
                        guard id.isEmpty || id.sameBytes(text) else { return false }
                        id = text
                    case .plural, .singular:
                        // Both names, when a pattern has both, must name the same type.
                        guard let named = types.first(where: { named in
                                  var name = part == .plural ? named.plural : named.singular
                                  return name.withUTF8 { UnsafeRawBufferPointer($0).sameBytes(slice) }
                              }),
                              type == nil || type == named else { return false }
                        type = named
                    case .field(let n):
                        if fields.isEmpty { fields = pattern.fieldNames.map { (name: $0, value: "") } }
                        let text = String(decoding: slice, as: UTF8.self)
                        guard fields[n].value.isEmpty || fields[n].value.sameBytes(text) else { return false }
                        fields[n].value = text
                    }
                    return true
                }
                guard matched, let type else { continue }
                return KeyMatch(kind: kind, type: type, id: id, fields: SmallMap(fields), pattern: number)
            }
            return nil
        }
    }
}
