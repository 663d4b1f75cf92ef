/// Takes what the rule language's paths select out of a parsed value, while jansson's
/// tree is there: the store keeps these values and nothing else of what the paths read.
/// The walk over the tree is C's (CJSONWalk: it runs for every record); this says what it
/// takes, and walks values already held in Swift.
enum PathSelection {
    /// A kind's selections as extraction takes them, each with when a record keeps it:
    /// `kept` those the store keeps (not found inside another), `all` every one the plan names.
    static func keeping(_ kept: [ValueSelection], of all: Set<ValueSelection>,
                        use: (ValueSelection) -> SelectionUse) -> [KeptSelection] {
        // A selection another is found in again is read for that one too; past 64 (the
        // mask `select` keeps) every one is kept.
        func keptWhole(_ s: ValueSelection) -> Bool { kept.count > 64 || all.contains { $0.isDerivable(from: s) } }
        let probes = kept.map { s -> RepeatTests? in
            guard case .repeats(let specs) = use(s), !keptWhole(s) else { return nil }
            if case .type? = s.steps.last { return nil }
            if case .digest? = s.steps.last { return nil }
            return RepeatTests(specs)
        }
        return kept.indices.map { i in
            if let probe = probes[i] { return KeptSelection(selection: kept[i], keep: .unlessNoRepeats(probe)) }
            if case .wording(let guards) = use(kept[i]), !keptWhole(kept[i]) {
                let indices = guards.compactMap { g in kept.firstIndex(of: g).flatMap { probes[$0] == nil ? nil : $0 } }
                if indices.count == guards.count { return KeptSelection(selection: kept[i], keep: .withGuards(indices)) }
            }
            return KeptSelection(selection: kept[i], keep: .always)
        }
    }

    /// The values `steps` select below `outer`, a value held in Swift, with the choices the
    /// walk over jansson's tree makes (members by their bytes, as jansson looks them up).
    /// Used for a selection the store found inside another it keeps, and for what `explain`
    /// shows; given a `pointer` (explain's), each value also gets its JSON pointer below
    /// `outer` (inside a decoded string, the string's). `|digest` and `|type` select nothing
    /// here: explain shows the value itself.
    static func walk(_ outer: SelectedValue, _ steps: ArraySlice<ValueStep>, pointer: String? = nil,
                     into out: inout [(value: SelectedValue, pointer: String?)]) {
        guard let step = steps.first else { return out.append((outer, pointer)) }
        let rest = steps.dropFirst()
        func go(_ child: JSONValue?, _ choice: JSONValue?, _ part: @autoclosure () -> String) {
            guard let child else { return }
            walk(SelectedValue(choices: outer.choices + (choice.map { [$0] } ?? []), value: child), rest,
                 pointer: pointer.map { $0 + part() }, into: &out)
        }
        func member(_ name: String, of value: JSONValue) -> JSONValue? {
            guard case .object(let members) = value else { return nil }
            return members.last { $0.name.sameBytes(name) }?.value
        }
        switch (step, outer.value) {
        case (.member(let name), .object): go(member(name, of: outer.value), nil, "/" + MemberPath.escape(name))
        case (.index(let i), .array(let items)): go(i < items.count ? items[i] : nil, nil, "/\(i)")
        case (.each, .array(let items)): for (i, child) in items.enumerated() { go(child, .integer(Int64(i)), "/\(i)") }
        case (.each, .object(let members)):
            for member in members { go(member.value, .string(member.name), "/" + MemberPath.escape(member.name)) }
        case (.select(let name, let wanted), .array(let items)):
            var occurrence = 0
            for (i, child) in items.enumerated() where member(name, of: child)?.stringValue?.sameBytes(wanted) == true {
                occurrence += 1
                go(child, .integer(Int64(occurrence)), "/\(i)")
            }
        case (.decode, .string(let text)):
            guard case .success(let parsed) = JSONDocument.parse(Array(text.utf8), { $0.value }) else { return }
            var inside: [(value: SelectedValue, pointer: String?)] = []
            walk(SelectedValue(choices: outer.choices, value: parsed.value), rest, into: &inside)
            out += inside.map { ($0.value, pointer) }
        default: return
        }
    }

    /// The same selection over a value already parsed (what `explain` shows): each value with
    /// its member path as findings name it (`params[param=uuid]`) and its pointer.
    static func select(_ selection: ValueSelection, in value: JSONValue) -> [(path: MemberPath, pointer: String, value: JSONValue)] {
        var out: [(value: SelectedValue, pointer: String?)] = []
        walk(SelectedValue(choices: [], value: value), selection.steps[...], pointer: "", into: &out)
        return out.map { (selection.memberPath($0.value.choices), $0.pointer ?? "", $0.value.value) }
    }
}
