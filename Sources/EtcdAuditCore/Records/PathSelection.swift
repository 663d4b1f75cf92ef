#if canImport(Glibc)
import Glibc
#endif

/// Takes what the rule language's paths select out of a parsed value, while jansson's
/// tree is there: the store keeps these values and nothing else of what the paths read.
enum PathSelection {
    /// The values `selections` name in `root`, packed as the store keeps them.
    /// `decoded`: a string of the value already decoded, with what it decodes to (not parsed again).
    static func select(_ selections: [ValueSelection], in root: JSONCursor, resourceID: String,
                       decoded: (string: JSONCursor, value: JSONCursor)? = nil) -> SelectedValues {
        var writer = SelectedWriter(resourceID: resourceID)
        var choices: [JSONValue] = []
        for selection in selections {
            writer.beginSlot(selection.slot)
            walk(root, selection.steps[...], &choices, into: &writer, decoded)
            writer.endSlot()
        }
        return SelectedValues(bytes: writer.bytes[...])
    }

    /// One step at a time; `choices` grows and shrinks as the walk enters and leaves the
    /// elements of `[*]` and `[k=v]` (this runs for every record: no array per step, and
    /// values go from jansson's tree straight into the packed form).
    private static func walk(_ node: JSONCursor, _ steps: ArraySlice<ValueStep>, _ choices: inout [JSONValue],
                             into out: inout SelectedWriter, _ decoded: (string: JSONCursor, value: JSONCursor)?) {
        guard let step = steps.first else {
            out.value(choices: choices) { $0.cursor(node) }
            return
        }
        let rest = steps.dropFirst()
        switch step {
        case .member(let name):
            if let child = node[name] { walk(child, rest, &choices, into: &out, decoded) }
        case .index(let i):
            if let child = node[i] { walk(child, rest, &choices, into: &out, decoded) }
        case .each:
            switch node.kind {
            case .array:
                for i in 0..<node.count {
                    guard let child = node[i] else { continue }
                    choices.append(.integer(Int64(i)))
                    walk(child, rest, &choices, into: &out, decoded)
                    choices.removeLast()
                }
            case .object:
                node.forEachMember { name, child in
                    choices.append(.string(name))
                    walk(child, rest, &choices, into: &out, decoded)
                    choices.removeLast()
                }
            default: break
            }
        case .select(let member, let value):
            var occurrence = 0
            for i in 0..<node.count {
                guard let child = node[i], child.kind == .object,
                      child[member]?.withStringBytes({ Self.same($0, value) }) == true else { continue }
                occurrence += 1
                choices.append(.integer(Int64(occurrence)))
                walk(child, rest, &choices, into: &out, decoded)
                choices.removeLast()
            }
        case .type:
            out.value(choices: choices) { $0.text(Self.typeName(node.kind)) }
        case .digest(let without):
            out.value(choices: choices) { $0.digest(node.digest(ignoringMembers: without)) }
        case .decode:
            // A string that does not decode selects nothing: the rules about decoding
            // (heat-outputs.undecodable) report it.
            if let decoded, decoded.string.isSameNode(as: node) {
                return walk(decoded.value, rest, &choices, into: &out, nil)
            }
            guard node.kind == .string, let bytes = node.stringBytes else { return }
            _ = JSONDocument.parse(bytes) { inner in walk(inner, rest, &choices, into: &out, nil) }
        }
    }

    private static func same(_ bytes: UnsafeRawBufferPointer, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { $0.count == bytes.count && ($0.isEmpty || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0) }
    }

    /// The names `is:` uses.
    static func typeName(_ kind: JSONKind) -> String {
        switch kind {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .real: return "real"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// The values `steps` (members, indexes, `[*]` and `[k=v]` only) select below `outer`, a
    /// value the store kept, with the choices the walk over jansson's tree makes.
    static func walk(_ outer: SelectedValue, _ steps: ArraySlice<ValueStep>, into out: inout [SelectedValue]) {
        guard let step = steps.first else { return out.append(outer) }
        let rest = steps.dropFirst()
        func go(_ child: JSONValue?, _ choice: JSONValue?) {
            guard let child else { return }
            walk(SelectedValue(choices: outer.choices + (choice.map { [$0] } ?? []), value: child), rest, into: &out)
        }
        // Names by their bytes, as jansson looks them up (`JSONValue`'s subscript compares `String`s).
        func member(_ name: String, of value: JSONValue) -> JSONValue? {
            guard case .object(let members) = value else { return nil }
            return members.last { $0.name.sameBytes(name) }?.value
        }
        switch (step, outer.value) {
        case (.member(let name), .object): go(member(name, of: outer.value), nil)
        case (.index(let i), .array(let items)): go(i < items.count ? items[i] : nil, nil)
        case (.each, .array(let items)): for (i, child) in items.enumerated() { go(child, .integer(Int64(i))) }
        case (.each, .object(let members)): for member in members { go(member.value, .string(member.name)) }
        case (.select(let name, let wanted), .array(let items)):
            var occurrence = 0
            for child in items where member(name, of: child)?.stringValue?.sameBytes(wanted) == true {
                occurrence += 1
                go(child, .integer(Int64(occurrence)))
            }
        default: return
        }
    }

    /// The same selection over a value already parsed (what `explain` shows), each value
    /// with its member path by index, so it has a pointer.
    /// An element `[k=v]` selects is named as such (`params[param=uuid]`), and its pointer
    /// has the index; inside a decoded string the pointer stays at the string.
    static func select(_ selection: ValueSelection, in value: JSONValue) -> [(path: MemberPath, pointer: String, value: JSONValue)] {
        var out: [(MemberPath, String, JSONValue)] = []
        func walk(_ node: JSONValue, _ steps: ArraySlice<ValueStep>, _ path: MemberPath, _ pointer: String, _ decoded: Bool) {
            guard let step = steps.first else { return out.append((path, pointer, node)) }
            let rest = steps.dropFirst()
            func go(_ child: JSONValue, _ path: MemberPath, _ part: String) { walk(child, rest, path, decoded ? pointer : pointer + part, decoded) }
            switch step {
            case .member(let name):
                if case .object = node, let child = node[name] { go(child, path.member(name), "/" + MemberPath.escape(name)) }
            case .index(let i):
                if case .array(let items) = node, i < items.count { go(items[i], path.index(i), "/\(i)") }
            case .each:
                if case .array(let items) = node { for (i, child) in items.enumerated() { go(child, path.index(i), "/\(i)") } }
                if case .object(let members) = node {
                    for member in members { go(member.value, path.member(member.name), "/" + MemberPath.escape(member.name)) }
                }
            case .select(let member, let wanted):
                guard case .array(let items) = node else { return }
                var occurrence = 0
                for (i, child) in items.enumerated() where child[member]?.stringValue?.sameBytes(wanted) == true {
                    occurrence += 1
                    go(child, path.element(where: member, is: wanted, occurrence: occurrence), "/\(i)")
                }
            case .digest, .type:
                return  // explain shows the value itself where a rule compares its digest
            case .decode:
                guard case .string(let text) = node,
                      case .success(let parsed) = JSONDocument.parse(Array(text.utf8), { $0.value }) else { return }
                walk(parsed.value, rest, path.appending(.decoded), pointer, true)
            }
        }
        walk(value, selection.steps[...], MemberPath(), "", false)
        return out
    }
}
