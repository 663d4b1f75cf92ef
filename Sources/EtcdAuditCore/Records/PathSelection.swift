/// Takes what the rule language's paths select out of a parsed value, while jansson's
/// tree is there: the store keeps these values and nothing else of what the paths read.
enum PathSelection {
    /// The values `selections` (in slot order) name in `root`, packed as the store keeps them.
    /// `decoded`: a string of the value already decoded, with what it decodes to (not parsed again).
    static func select(_ selections: [KeptSelection], in root: JSONCursor, resourceID: String,
                       decoded: (string: JSONCursor, value: JSONCursor)? = nil) -> SelectedValues {
        var writer = SelectedWriter(resourceID: resourceID)
        var choices: [JSONValue] = []
        var keys = ElementKeys()
        // First what `distinct` alone reads: whether it can repeat here decides what is kept.
        var leftOut: UInt64 = 0
        for (i, kept) in selections.enumerated() {
            guard case .unlessNoRepeats(let tests) = kept.keep else { continue }
            var probe = RepeatProbe(tests)
            kept.selection.walk { walk(root, $0, 0, &choices, into: &probe, &keys, decoded) }
            if probe.cannotRepeat { leftOut |= 1 << i }
        }
        for (i, kept) in selections.enumerated() {
            writer.beginSlot(kept.selection.slot)
            if !kept.isLeftOut(i, leftOut) { kept.selection.walk { walk(root, $0, 0, &choices, into: &writer, &keys, decoded) } }
            writer.endSlot()
        }
        return SelectedValues(bytes: writer.bytes[...])
    }

    /// The values `selections` name, each kept whatever it holds.
    static func select(_ selections: [ValueSelection], in root: JSONCursor, resourceID: String) -> SelectedValues {
        select(selections.sorted { $0.slot < $1.slot }.map { KeptSelection(selection: $0, keep: .always) },
               in: root, resourceID: resourceID)
    }

    /// A kind's selections as extraction takes them, each with when a record keeps it:
    /// `kept` those the store keeps (not found inside another), `all` every one the plan names.
    static func keeping(_ kept: [ValueSelection], of all: Set<ValueSelection>,
                        use: (ValueSelection) -> SelectionUse) -> [KeptSelection] {
        // A selection another is found in again is read for that one too; past 64 (the
        // mask `select` keeps) every one is kept.
        func keptWhole(_ s: ValueSelection) -> Bool { kept.count > 64 || all.contains { $0.isDerivable(from: s) } }
        let probes = kept.map { s -> RepeatProbe.Tests? in
            guard case .repeats(let specs) = use(s), !keptWhole(s) else { return nil }
            if case .type? = s.steps.last { return nil }
            if case .digest? = s.steps.last { return nil }
            return RepeatProbe.Tests(specs)
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

    /// One step at a time (`path.steps[at...]`); `choices` grows and shrinks as the walk
    /// enters and leaves the elements of `[*]` and `[k=v]` (this runs for every record: no
    /// array per step, no String per name, and values go from jansson's tree straight into
    /// the packed form).
    private static func walk<Sink: ValueSink>(_ node: JSONCursor, _ path: WalkPath, _ at: Int, _ choices: inout [JSONValue],
                                              into out: inout Sink, _ keys: inout ElementKeys,
                                              _ decoded: (string: JSONCursor, value: JSONCursor)?) {
        guard at < path.steps.count else {
            out.take(node, ending: nil, choices: choices)
            return
        }
        let next = at + 1
        switch path.steps[at] {
        case .member(let name):
            if let child = node[bytes: path.text(name)] { walk(child, path, next, &choices, into: &out, &keys, decoded) }
        case .index(let i):
            if let child = node[i] { walk(child, path, next, &choices, into: &out, &keys, decoded) }
        case .each:
            switch node.kind {
            case .array:
                for i in 0..<node.count {
                    guard let child = node[i] else { continue }
                    if Sink.locates { choices.append(.integer(Int64(i))) }
                    walk(child, path, next, &choices, into: &out, &keys, decoded)
                    if Sink.locates { choices.removeLast() }
                }
            case .object:
                node.forEachMember { name, child in
                    if Sink.locates { choices.append(.string(name)) }
                    walk(child, path, next, &choices, into: &out, &keys, decoded)
                    if Sink.locates { choices.removeLast() }
                }
            default: break
            }
        case .select(let member, let value):
            var occurrence = 0
            let texts = keys.texts(of: node, member: path.text(member)), value = path.text(value)
            for i in texts.indices {
                guard let text = texts[i], text.sameBytes(value), let child = node[i] else { continue }
                occurrence += 1
                if Sink.locates { choices.append(.integer(Int64(occurrence))) }
                walk(child, path, next, &choices, into: &out, &keys, decoded)
                if Sink.locates { choices.removeLast() }
            }
        case .other:
            let step = path.selection.steps[at]
            switch step {
            case .decode:
                // A string that does not decode selects nothing: the rules about decoding
                // (heat-outputs.undecodable) report it.
                if let decoded, decoded.string.isSameNode(as: node) {
                    return walk(decoded.value, path, next, &choices, into: &out, &keys, nil)
                }
                guard node.kind == .string, let bytes = node.stringBytes else { return }
                // This tree is freed after the walk: what `keys` would keep of it must go with it.
                var innerKeys = ElementKeys()
                _ = JSONDocument.parse(bytes) { inner in walk(inner, path, next, &choices, into: &out, &innerKeys, nil) }
            default:
                out.take(node, ending: step, choices: choices)  // |type, |digest
            }
        }
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

/// The `member` text of each element of the array a `[member=value]` step went through
/// last: the checks read a dozen params of every job, each by `params[param=NAME]`, and
/// looking every element's member up again for each of them cost more than the rest of
/// the walk. Kept for one tree only (texts point into it).
struct ElementKeys {
    private var array: JSONCursor?
    private var member: [UInt8] = []
    /// Each element's member text in place (nil: not an object, or no text there).
    private var texts: [UnsafeRawBufferPointer?] = []

    mutating func texts(of array: JSONCursor, member: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer?] {
        if let known = self.array, known.isSameNode(as: array), self.member.withUnsafeBytes({ $0.sameBytes(member) }) {
            return texts
        }
        self.array = array
        self.member = Array(member)
        texts = (0..<array.count).map { i in
            array[i].flatMap { $0.kind == .object ? $0[bytes: member]?.withStringBytes { $0 } : nil }
        }
        return texts
    }
}

/// A path step as the walk over jansson's tree takes it (`ValueSelection.walk`): names and
/// values as ranges of the selection's bytes, so that a step holds nothing to retain and
/// release, for each step of every record walked.
enum WalkStep: Sendable {
    case member(Range<Int>)
    case index(Int)
    case each
    case select(member: Range<Int>, value: Range<Int>)
    /// `|json`, `|type`, `|digest`: the selection's own step at this place says which.
    case other
}

/// A selection's walk steps with the bytes their names are ranges of, for one walk.
struct WalkPath {
    let steps: UnsafeBufferPointer<WalkStep>
    let bytes: UnsafeRawBufferPointer
    let selection: ValueSelection

    func text(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[range]) }
}

extension ValueSelection {
    /// The steps and names as `WalkPath` takes them, made once per selection.
    static func walkSteps(_ steps: [ValueStep]) -> (steps: [WalkStep], bytes: [UInt8]) {
        var bytes: [UInt8] = []
        func add(_ text: String) -> Range<Int> {
            let start = bytes.count
            bytes += text.utf8
            return start..<bytes.count
        }
        let walk = steps.map { step -> WalkStep in
            switch step {
            case .member(let name): return .member(add(name))
            case .index(let i): return .index(i)
            case .each: return .each
            case .select(let member, let value): return .select(member: add(member), value: add(value))
            case .decode, .digest, .type: return .other
            }
        }
        return (walk, bytes)
    }

    /// Calls `body` with this selection's steps as the walk takes them.
    func walk<R>(_ body: (WalkPath) -> R) -> R {
        walkSteps.withUnsafeBufferPointer { steps in
            walkBytes.withUnsafeBytes { bytes in body(WalkPath(steps: steps, bytes: bytes, selection: self)) }
        }
    }
}

/// Where a path's walk over jansson's tree hands the values it selects.
protocol ValueSink {
    /// Whether the values need their choices (the walk keeps none for a sink that does not).
    static var locates: Bool { get }
    /// A value the path selects, located by `choices`; `ending` is the `|type` or `|digest`
    /// step that ends the path, if one does.
    mutating func take(_ node: JSONCursor, ending: ValueStep?, choices: [JSONValue])
}

/// A selection as extraction takes it for one kind of record (`PathSelection.keeping`).
struct KeptSelection: Sendable {
    enum Keep: Sendable {
        case always
        /// Read only by `distinct` tests: left out of a record where its values cannot repeat.
        case unlessNoRepeats(RepeatProbe.Tests)
        /// Read only to word findings that need one of these (by index) kept: left out
        /// when all of them are.
        case withGuards([Int])
    }

    let selection: ValueSelection
    let keep: Keep

    /// Whether the record leaves this one (the `i`th) out, given those `select` left out.
    func isLeftOut(_ i: Int, _ leftOut: UInt64) -> Bool {
        switch keep {
        case .always: return false
        case .unlessNoRepeats: return leftOut & (1 << i) != 0
        case .withGuards(let guards): return guards.allSatisfy { leftOut & (1 << $0) != 0 }
        }
    }
}

extension SelectedWriter: ValueSink {
    static var locates: Bool { true }

    mutating func take(_ node: JSONCursor, ending: ValueStep?, choices: [JSONValue]) {
        switch ending {
        case .type?: value(choices: choices) { $0.text(PathSelection.typeName(node.kind)) }
        case .digest(let without)?: value(choices: choices) { $0.digest(node.digest(ignoringMembers: without)) }
        default: value(choices: choices) { $0.cursor(node) }
        }
    }
}
