import CJansson
import CJSONArena
import CJSONWalk
#if canImport(Glibc)
import Glibc
#endif

// The only Swift file that calls jansson (the other caller is the C walk of CJSONWalk,
// which this file hands the tree). Every json_t is created by `JSONDocument.parse` and
// released (with the parse's arena) before it returns; the rest of the code sees
// `JSONCursor`s inside that call and Swift values (`JSONValue`, `JSONDigest`) after it.

/// Where and why jansson rejected a value. `line`/`column` are 1-based inside the value.
public struct JSONParseError: Error, Hashable, Sendable {
    public var message: String
    public var line: Int
    public var column: Int
    /// Byte offset inside the value where jansson stopped.
    public var position: Int
}

public enum JSONKind: String, Sendable {
    case object, array, string, integer, real, bool, null
}

/// A borrowed view of one node of a parsed document. Valid only inside the closure
/// given to `JSONDocument.parse`; never store one.
public struct JSONCursor {
    fileprivate let node: UnsafeMutablePointer<json_t>

    public var kind: JSONKind {
        switch node.pointee.type {
        case JSON_OBJECT: return .object
        case JSON_ARRAY: return .array
        case JSON_STRING: return .string
        case JSON_INTEGER: return .integer
        case JSON_REAL: return .real
        case JSON_TRUE, JSON_FALSE: return .bool
        default: return .null
        }
    }

    public subscript(member: String) -> JSONCursor? {
        // By length, from the string's own bytes: passing a String where jansson wants a
        // C string copies it into a new array on every call (this runs per member read).
        // Read in place (a `var` copy for `withUTF8` cost a retain and a release each).
        member.utf8.withContiguousStorageIfAvailable { self[bytes: UnsafeRawBufferPointer($0)] } ?? {
            var name = member
            return name.withUTF8 { self[bytes: UnsafeRawBufferPointer($0)] }
        }()
    }

    /// A member by its name's bytes.
    subscript(bytes name: UnsafeRawBufferPointer) -> JSONCursor? {
        guard node.pointee.type == JSON_OBJECT else { return nil }
        // An empty name may come without an address (not: an absent name read as "").
        let found = name.baseAddress.map { json_object_getn(node, $0.assumingMemoryBound(to: CChar.self), name.count) }
            ?? json_object_get(node, "")
        return found.map { JSONCursor(node: $0) }
    }

    public subscript(index: Int) -> JSONCursor? {
        guard node.pointee.type == JSON_ARRAY, index >= 0, let child = json_array_get(node, index) else {
            return nil
        }
        return JSONCursor(node: child)
    }

    /// How many elements an array has (0 for anything else).
    public var count: Int {
        node.pointee.type == JSON_ARRAY ? json_array_size(node) : 0
    }

    /// Elements of an array (empty for anything else).
    public var elements: [JSONCursor] {
        guard node.pointee.type == JSON_ARRAY else { return [] }
        // Exact capacity: kept arrays live as long as their resource.
        let count = json_array_size(node)
        var result: [JSONCursor] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            if let child = json_array_get(node, index) { result.append(JSONCursor(node: child)) }
        }
        return result
    }

    /// Members of an object in document order (empty for anything else).
    public var members: [(name: String, value: JSONCursor)] {
        guard node.pointee.type == JSON_OBJECT else { return [] }
        var result: [(String, JSONCursor)] = []
        result.reserveCapacity(json_object_size(node))
        var iter = json_object_iter(node)
        while let it = iter {
            let name = String(cString: json_object_iter_key(it))
            if let value = json_object_iter_value(it) { result.append((name, JSONCursor(node: value))) }
            iter = json_object_iter_next(node, it)
        }
        return result
    }

    public var string: String? {
        guard node.pointee.type == JSON_STRING, let chars = json_string_value(node) else { return nil }
        let length = json_string_length(node)
        return chars.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    /// A string's bytes exactly (may hold NUL when parsed with `allowNUL`).
    public var stringBytes: [UInt8]? {
        guard node.pointee.type == JSON_STRING, let chars = json_string_value(node) else { return nil }
        return Array(UnsafeRawBufferPointer(start: chars, count: json_string_length(node)))
    }

    public var real: Double? {
        node.pointee.type == JSON_REAL ? json_real_value(node) : nil
    }

    public var integer: Int64? {
        node.pointee.type == JSON_INTEGER ? Int64(json_integer_value(node)) : nil
    }

    public var bool: Bool? {
        switch node.pointee.type {
        case JSON_TRUE: return true
        case JSON_FALSE: return false
        default: return nil
        }
    }

    /// The whole subtree as a Swift value.
    public var value: JSONValue {
        switch node.pointee.type {
        case JSON_OBJECT: return .object(members.map { JSONMember($0.name, $0.value.value) })
        case JSON_ARRAY: return .array(elements.map(\.value))
        case JSON_STRING: return .string(string ?? "")
        case JSON_INTEGER: return .integer(Int64(json_integer_value(node)))
        case JSON_REAL: return .real(json_real_value(node))
        case JSON_TRUE: return .bool(true)
        case JSON_FALSE: return .bool(false)
        default: return .null
        }
    }

    /// The subtree as compact JSON text, members in document order.
    public var serialized: [UInt8] {
        // jansson's memory comes from the parse's arena: released with the document.
        guard let text = json_dumps(node, Int(JSON_COMPACT | JSON_ENCODE_ANY)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: text, count: strlen(text)))
    }

    /// A digest of the subtree that ignores member order (arrays keep theirs), so two
    /// values compare equal exactly when they are the same JSON, without keeping either
    /// (JSONDigest.swift's canonical encoding, taken in C: CJSONWalk's json_digest.c).
    public var digest: JSONDigest { digest(ignoringMembers: []) }

    /// The digest of an object without some of its top-level members (e.g. members a writer adds).
    public func digest(ignoringMembers ignored: [String]) -> JSONDigest {
        var high: UInt64 = 0, low: UInt64 = 0
        let digested = withCStrings(ignored) { names in
            json_walk_digest(UnsafeMutableRawPointer(node), names.baseAddress, names.count, &high, &low)
        }
        guard digested != 0 else { fatalError("out of memory while taking a value's digest") }
        return JSONDigest(high: high, low: low)
    }
}

/// `names` as C strings, for as long as `body` runs.
private func withCStrings<R>(_ names: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
    guard !names.isEmpty else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
    let copies = names.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return copies.map { UnsafePointer($0) }.withUnsafeBufferPointer(body)
}

extension JSONCursor {
    /// What `selections` select in this tree, laid out as the store keeps them
    /// (SelectedValues), by the C walk (CJSONWalk); `decoded`: a string of the tree already
    /// parsed, with what it decodes to.
    func selectedBytes(_ selections: UnsafeBufferPointer<json_walk_selection>, resourceID: String,
                       decoded: (string: JSONCursor, value: JSONCursor)?,
                       wordNumber: json_walk_word_number) -> [UInt8] {
        var id = resourceID
        return id.withUTF8 { id in
            var length = 0
            guard let bytes = json_walk_select(selections.baseAddress, selections.count, UnsafeMutableRawPointer(node),
                                               decoded.map { UnsafeMutableRawPointer($0.string.node) },
                                               decoded.map { UnsafeMutableRawPointer($0.value.node) },
                                               id.baseAddress, id.count, wordNumber, &length) else {
                fatalError("out of memory while taking a record's selected values")
            }
            return Array(UnsafeBufferPointer(start: bytes, count: length))
        }
    }
}

public enum JSONDocument {
    /// Parses one JSON value (any type at top level) and hands its root to `body`.
    /// The tree is freed before this returns. Duplicate object members are accepted
    /// (the last one wins, as in jansson) and listed in `duplicates`.
    public static func parse<R>(
        _ bytes: UnsafeRawBufferPointer,
        allowNUL: Bool = false,
        _ body: (JSONCursor) throws -> R
    ) rethrows -> Result<(value: R, duplicates: [DuplicateMember]), JSONParseError> {
        JanssonArena.install
        let mark = json_arena_mark_now()
        defer { json_arena_release(mark) }
        var error = json_error_t()
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) ?? UnsafePointer<CChar>(bitPattern: 1)!
        var duplicates: [DuplicateMember] = []
        let flags = JSON_DECODE_ANY | (allowNUL ? JSON_ALLOW_NUL : 0)
        var root = json_loadb(base, bytes.count, Int(flags | JSON_REJECT_DUPLICATES), &error)
        if root == nil, json_error_code(&error) == json_error_duplicate_key {
            // Rare: find every repeated member, then take the value as jansson would.
            duplicates = DuplicateMemberScanner.scan(bytes)
            root = json_loadb(base, bytes.count, Int(flags), &error)
        }
        guard let root else { return .failure(Self.error(from: &error)) }
        // No json_decref: it would walk every node to hand each to the arena's free, which
        // does nothing; the deferred arena release above frees the whole tree at once.
        return .success((try body(JSONCursor(node: root)), duplicates))
    }

    /// Convenience for callers that hold the bytes in an array.
    public static func parse<R>(
        _ bytes: [UInt8],
        allowNUL: Bool = false,
        _ body: (JSONCursor) throws -> R
    ) rethrows -> Result<(value: R, duplicates: [DuplicateMember]), JSONParseError> {
        try bytes.withUnsafeBytes { try parse($0, allowNUL: allowNUL, body) }
    }

    private static func error(from error: inout json_error_t) -> JSONParseError {
        let message = withUnsafeBytes(of: &error.text) { raw -> String in
            let text = raw.prefix(Int(JSON_ERROR_TEXT_LENGTH) - 1)
            let end = text.firstIndex(of: 0) ?? text.endIndex
            return String(decoding: text[..<end], as: UTF8.self)
        }
        return JSONParseError(message: message, line: Int(error.line), column: Int(error.column),
                              position: Int(error.position))
    }
}

/// Where jansson's memory comes from: a per-thread arena (the CJSONArena target). A
/// document is a few hundred small allocations (every node, member and string), all freed
/// together when the parse ends; taking them from the thread's arena and dropping them at
/// once costs a pointer bump each instead of malloc and free (which also take locks when
/// threads free each other's memory). Parses nest (a state's heat_outputs string is parsed
/// inside its value's parse), so a parse releases back to the mark it started at. Nothing
/// is freed before then: a huge string's buffer, which jansson grows by copying it into a
/// block twice as large, leaves the smaller blocks until the parse ends (for a 50 MB string
/// some 64 MB more than malloc would hold for a moment); a `free` hook that took them back
/// cost 2.5% of the whole audit, as jansson frees every node one by one.
private enum JanssonArena {
    /// Set once, before the first parse.
    static let install: Void = json_set_alloc_funcs(json_arena_malloc, json_arena_free)
}
