import CJSONWalk

/// A selection as extraction takes it for one kind of record (`PathSelection.keeping`).
struct KeptSelection: Sendable {
    enum Keep: Sendable {
        case always
        /// Read only by `distinct` tests: left out of a record where its values cannot repeat.
        case unlessNoRepeats(RepeatTests)
        /// Read only to word findings that need one of these (by index) kept: left out
        /// when all of them are.
        case withGuards([Int])
    }

    let selection: ValueSelection
    let keep: Keep
}

/// What the `distinct` tests reading a selection compare, as the walk's probe needs it.
/// The probe (json_walk.c) says, on jansson's tree, that a record's values cannot repeat:
/// each such test then finds no failure, as it does on no values, and the store keeps
/// none. It answers for the common cases (lists of at most one element, texts that differ)
/// as `Evaluation.noRepeats` would, and for any other "keep them": the rules decide.
struct RepeatTests: Sendable {
    /// True when no test compares by members (`by`): values that are not lists are then
    /// compared as their texts.
    let wholeValues: Bool

    /// Nil when a test looks for its list in a member (`in`): the evaluator finds that
    /// member as Swift compares names, not by bytes as jansson does, so those are left to it.
    init?(_ specs: [DistinctSpec]) {
        guard !specs.isEmpty, specs.allSatisfy({ $0.inMember == nil }) else { return nil }
        wholeValues = specs.allSatisfy(\.by.isEmpty)
    }
}

/// A kind's kept selections as the C walk (CJSONWalk) takes them: steps and names in
/// memory of their own, made once and then read by every parsing thread.
final class CompiledSelections: @unchecked Sendable {
    let kept: [KeptSelection]
    private let selections: UnsafeMutableBufferPointer<json_walk_selection>
    private let steps: UnsafeMutableBufferPointer<json_walk_step>
    private let names: UnsafeMutableRawBufferPointer
    /// The members each `|digest` leaves out, as C strings (their bytes in `names`).
    private let ignored: UnsafeMutableBufferPointer<UnsafePointer<CChar>?>

    init(_ kept: [KeptSelection]) {
        self.kept = kept
        let all = kept.map(\.selection.steps)
        var text: [UInt8] = []
        for steps in all {
            for step in steps {
                switch step {
                case .member(let name): text += name.utf8
                case .select(let member, let value): text += member.utf8; text += value.utf8
                case .digest(let without): for name in without { text += name.utf8; text.append(0) }
                default: break
                }
            }
        }
        names = .allocate(byteCount: max(text.count, 1), alignment: 1)
        names.copyBytes(from: text)
        steps = .allocate(capacity: max(all.reduce(0) { $0 + $1.count }, 1))
        selections = .allocate(capacity: max(kept.count, 1))
        ignored = .allocate(capacity: max(all.reduce(0) { count, steps in
            count + steps.reduce(0) { if case .digest(let without) = $1 { $0 + without.count } else { $0 } }
        }, 1))
        var ignoredAt = 0
        let base = names.baseAddress!.assumingMemoryBound(to: CChar.self)
        var at = 0, stepAt = 0
        func name(_ s: String) -> (UnsafePointer<CChar>, Int) {
            defer { at += s.utf8.count }
            return (UnsafePointer(base + at), s.utf8.count)
        }
        for (i, kept) in kept.enumerated() {
            let first = stepAt
            for step in kept.selection.steps {
                var compiled = json_walk_step()
                switch step {
                case .member(let member):
                    compiled.kind = UInt8(JSON_WALK_MEMBER.rawValue)
                    let (text, count) = name(member)
                    compiled.name = text
                    compiled.name_length = count
                case .index(let index):
                    compiled.kind = UInt8(JSON_WALK_INDEX.rawValue)
                    compiled.index = Int64(index)
                case .each: compiled.kind = UInt8(JSON_WALK_EACH.rawValue)
                case .select(let member, let value):
                    compiled.kind = UInt8(JSON_WALK_SELECT.rawValue)
                    let (memberText, memberCount) = name(member), (valueText, valueCount) = name(value)
                    compiled.name = memberText
                    compiled.name_length = memberCount
                    compiled.value = valueText
                    compiled.value_length = valueCount
                case .decode: compiled.kind = UInt8(JSON_WALK_DECODE.rawValue)
                case .type: compiled.kind = UInt8(JSON_WALK_TYPE.rawValue)
                case .digest(let without):
                    compiled.kind = UInt8(JSON_WALK_DIGEST.rawValue)
                    compiled.ignored = UnsafePointer(ignored.baseAddress! + ignoredAt)
                    compiled.ignored_count = without.count
                    for member in without {
                        ignored[ignoredAt] = name(member).0
                        ignoredAt += 1
                        at += 1  // its NUL
                    }
                }
                steps[stepAt] = compiled
                stepAt += 1
            }
            var selection = json_walk_selection()
            selection.steps = UnsafePointer(steps.baseAddress! + first)
            selection.step_count = stepAt - first
            selection.slot = UInt64(kept.selection.slot)
            switch kept.keep {
            case .always: selection.keep = UInt8(JSON_WALK_ALWAYS.rawValue)
            case .unlessNoRepeats(let tests):
                // The walk keeps which selections cannot repeat in 64 bits.
                selection.keep = UInt8(i < 64 ? JSON_WALK_UNLESS_NO_REPEATS.rawValue : JSON_WALK_ALWAYS.rawValue)
                selection.whole_values = tests.wholeValues ? 1 : 0
            case .withGuards(let guards):
                let inMask = guards.allSatisfy { $0 < 64 }
                selection.keep = UInt8(inMask ? JSON_WALK_WITH_GUARDS.rawValue : JSON_WALK_ALWAYS.rawValue)
                selection.guards = inMask ? guards.reduce(UInt64(0)) { $0 | 1 << UInt64($1) } : 0
            }
            selections[i] = selection
        }
    }

    deinit {
        ignored.deallocate()
        selections.deallocate()
        steps.deallocate()
        names.deallocate()
    }

    /// The values the selections name in `root`, packed as the store keeps them;
    /// `decoded`: a string of the value already decoded, with what it decodes to.
    func select(in root: JSONCursor, resourceID: String,
                decoded: (string: JSONCursor, value: JSONCursor)? = nil) -> SelectedValues {
        let bytes = root.selectedBytes(UnsafeBufferPointer(rebasing: selections[..<kept.count]), resourceID: resourceID,
                                       decoded: decoded, wordNumber: selectedWordNumber)
        return SelectedValues(bytes: bytes[...])
    }
}

/// The walk's word numbers: the process's table of the selections' words.
private func selectedWordNumber(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int64 {
    let raw = UnsafeRawBufferPointer(start: bytes, count: count)
    return WordTable.selections.number(ofBytes: raw, limit: CompactText.wordsKept) {
        String(decoding: raw, as: UTF8.self)
    }.map(Int64.init) ?? -1
}
