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
}

/// A key pattern such as `/jobs/all/{action}:{handler}:{singular}:{id}:{version}:{nonce}`.
/// A placeholder takes the text up to the next literal part (or the end); `{id}` never
/// holds a `/`. Matching works on the key's bytes: it runs once for every record read. A
/// class: a record's key is tried against several, and a struct of five arrays was copied
/// (each retained) for every one tried.
final class KeyPattern: Sendable {
    enum Part: Sendable, Equatable {
        case literal([UInt8])
        case placeholder(String)
    }

    let source: String
    let parts: [Part]
    /// What spells each part out, decided once: the store spells keys out again for every
    /// record it packs and unpacks.
    enum Spelling: Sendable {
        case text(String)
        case plural, singular, id
        /// A field by name and by its place among `fieldNames`, where a record of this
        /// pattern keeps it.
        case field(String, Int)
    }
    let spelling: [Spelling]
    /// What each placeholder captures, in pattern order: a field by its place among
    /// `fieldNames`, decided once (this runs for every record read).
    enum Capture: Sendable, Equatable {
        case id, plural, singular
        case field(Int)
    }
    let captures: [Capture]
    /// The names of the field placeholders, in name order.
    let fieldNames: [String]

    static let knownPlaceholders: Set<String> = ["plural", "singular", "id", "action", "handler", "version", "nonce"]

    init(_ source: String) throws(LayoutError) {
        self.source = source
        var parts: [Part] = []
        var rest = Substring(source)
        while !rest.isEmpty {
            if let open = rest.firstIndex(of: "{") {
                if open > rest.startIndex { parts.append(.literal(Array(rest[..<open].utf8))) }
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
                parts.append(.literal(Array(rest.utf8)))
                rest = ""
            }
        }
        guard parts.contains(.placeholder("id")) else { throw LayoutError("pattern \(source): no {id}") }
        guard parts.contains(.placeholder("plural")) || parts.contains(.placeholder("singular")) else {
            throw LayoutError("pattern \(source): needs {plural} or {singular} to name the resource type")
        }
        self.parts = parts
        let names = parts.compactMap { part -> String? in
            guard case .placeholder(let name) = part, !["id", "plural", "singular"].contains(name) else { return nil }
            return name
        }
        let fieldNames = Set(names).sorted()
        self.fieldNames = fieldNames
        captures = parts.compactMap { part -> Capture? in
            switch part {
            case .literal: return nil
            case .placeholder("id"): return .id
            case .placeholder("plural"): return .plural
            case .placeholder("singular"): return .singular
            case .placeholder(let name): return .field(fieldNames.firstIndex(of: name)!)
            }
        }
        spelling = parts.map { part in
            switch part {
            case .literal(let bytes): return .text(String(decoding: bytes, as: UTF8.self))
            case .placeholder("plural"): return .plural
            case .placeholder("singular"): return .singular
            case .placeholder("id"): return .id
            case .placeholder(let name): return .field(name, fieldNames.firstIndex(of: name)!)
            }
        }
    }

    /// What the placeholders capture in `key` (their byte ranges), or nil if the key does
    /// not have this shape.
    func match(_ key: UnsafeBufferPointer<UInt8>) -> [(capture: Capture, range: Range<Int>)]? {
        // No room made before the first literal matched: most patterns tried fail on it.
        var found: [(capture: Capture, range: Range<Int>)] = []
        var position = 0
        for (index, part) in parts.enumerated() {
            switch part {
            case .literal(let text):
                guard key.count - position >= text.count,
                      text.withUnsafeBufferPointer({ memcmp(key.baseAddress! + position, $0.baseAddress!, text.count) == 0 })
                else { return nil }
                position += text.count
            case .placeholder:
                var end = key.count
                if index + 1 < parts.count, case .literal(let next) = parts[index + 1] {
                    guard let at = Self.find(next, in: key, from: position) else { return nil }
                    end = at
                }
                guard end > position else { return nil }
                let capture = captures[found.count]
                if capture == .id, key[position..<end].contains(UInt8(ascii: "/")) { return nil }
                if found.isEmpty { found.reserveCapacity(captures.count) }
                found.append((capture, position..<end))
                position = end
            }
        }
        return position == key.count ? found : nil
    }

    private static func find(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        needle.withUnsafeBufferPointer { find($0, in: haystack, from: start) }
    }

    /// Where `needle` first occurs in `haystack` at or after `start`.
    static func find(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let first = needle.first, haystack.count - start >= needle.count else { return nil }
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i] == first, memcmp(haystack.baseAddress! + i, needle.baseAddress!, needle.count) == 0 {
                return i
            }
            i += 1
        }
        return nil
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
    /// How the first pattern of each kind (by `RecordKind.code`) spells a key: looked up
    /// for every record packed and unpacked, where finding the pattern copied each one
    /// passed over.
    private let spellings: [[KeyPattern.Spelling]?]

    init(patterns: [(RecordKind, KeyPattern)], types: [ResourceType]) throws(LayoutError) {
        self.patterns = patterns.map { (kind: $0.0, pattern: $0.1) }
        self.types = types
        var plurals: Set<String> = [], singulars: Set<String> = []
        for type in types {
            guard plurals.insert(type.plural).inserted, singulars.insert(type.singular).inserted else {
                throw LayoutError("resource type \(type.plural)/\(type.singular) is declared twice")
            }
        }
        spellings = RecordKind.allCases.map { kind in patterns.first { $0.0 == kind }?.1.spelling }
    }

    /// The key the first layout of `owner.kind` gives the record, or nil when it names a
    /// field `fields` lacks. The store leaves out keys this spells out exactly.
    func key(_ owner: KeyOwner, fields: SmallMap<String>) -> String? {
        guard let spelling = spellings[Int(owner.kind.code)] else { return nil }
        // The length first, then one string of it: spelled out for every record the rules decode.
        var length = 0
        for part in spelling {
            guard let text = Self.text(of: part, owner, fields) else { return nil }
            length += text.utf8.count
        }
        return String(unsafeUninitializedCapacity: length) { out in
            var at = 0
            for part in spelling {
                var text = Self.text(of: part, owner, fields)!
                text.withUTF8 { utf8 in
                    _ = UnsafeMutableBufferPointer(rebasing: out[at..<(at + utf8.count)]).update(fromContentsOf: utf8)
                    at += utf8.count
                }
            }
            return at
        }
    }

    /// Whether `key(owner, fields:)` is `key`, without making it.
    func spells(_ owner: KeyOwner, fields: SmallMap<String>, as key: String) -> Bool {
        guard let spelling = spellings[Int(owner.kind.code)] else { return false }
        var key = key
        return key.withUTF8 { bytes in
            var at = 0
            for part in spelling {
                guard var text = Self.text(of: part, owner, fields) else { return false }
                let same = text.withUTF8 { t in
                    // memcmp: `elementsEqual` went byte by byte, for every record packed.
                    t.count <= bytes.count - at && (t.isEmpty || memcmp(t.baseAddress!, bytes.baseAddress! + at, t.count) == 0)
                }
                guard same else { return false }
                at += text.utf8.count
            }
            return at == bytes.count
        }
    }

    private static func text(of part: KeyPattern.Spelling, _ owner: KeyOwner, _ fields: SmallMap<String>) -> String? {
        switch part {
        case .text(let text): return text
        case .plural: return owner.type.plural
        case .singular: return owner.type.singular
        case .id: return owner.id
        case .field(let name, let place):
            // Found at its place unless the fields are another pattern's (then by name).
            let entries = fields.entries
            if place < entries.count, entries[place].name == name { return entries[place].value }
            return fields[name]
        }
    }

    /// Classifies a key, or nil when no layout declares it.
    public func match(_ key: String) -> KeyMatch? {
        var key = key
        return key.withUTF8 { bytes -> KeyMatch? in
            guard bytes.count > 0 else { return nil }
            patterns: for (kind, pattern) in patterns {
                guard let found = pattern.match(bytes) else { continue }
                var id = "", type: ResourceType?
                var fields = pattern.fieldNames.map { (name: $0, value: "") }
                for (capture, range) in found {
                    let slice = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[range]))
                    switch capture {
                    case .id: id = String(decoding: slice, as: UTF8.self)
                    case .plural, .singular:
                        // Both names, when a pattern has both, must name the same type.
                        guard let named = types.first(where: { named in
                                  var name = capture == .plural ? named.plural : named.singular
                                  return name.withUTF8 { UnsafeRawBufferPointer($0).sameBytes(slice) }
                              }),
                              type == nil || type == named else { continue patterns }
                        type = named
                    case .field(let n): fields[n].value = String(decoding: slice, as: UTF8.self)
                    }
                }
                guard let type else { continue }
                return KeyMatch(kind: kind, type: type, id: id, fields: SmallMap(fields))
            }
            return nil
        }
    }
}
