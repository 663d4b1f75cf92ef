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
    /// The names the steps point at, and each `|digest`'s list of the members it leaves out.
    private let owned: [UnsafeMutableRawPointer]

    init(_ kept: [KeptSelection]) {
        self.kept = kept
        steps = .allocate(capacity: max(kept.reduce(0) { $0 + $1.selection.steps.count }, 1))
        selections = .allocate(capacity: max(kept.count, 1))
        var owned: [UnsafeMutableRawPointer] = []
        var stepAt = 0
        for (i, kept) in kept.enumerated() {
            var selection = json_walk_selection()
            selection.steps = UnsafePointer(steps.baseAddress! + stepAt)
            selection.step_count = kept.selection.steps.count
            for step in kept.selection.steps {
                steps[stepAt] = Self.compiled(step, owning: &owned)
                stepAt += 1
            }
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
        self.owned = owned
    }

    deinit {
        for pointer in owned { pointer.deallocate() }
        selections.deallocate()
        steps.deallocate()
    }

    private static func compiled(_ step: ValueStep, owning owned: inout [UnsafeMutableRawPointer]) -> json_walk_step {
        var compiled = json_walk_step()
        switch step {
        case .member(let member):
            compiled.kind = UInt8(JSON_WALK_MEMBER.rawValue)
            (compiled.name, compiled.name_length) = cString(member, owning: &owned)
        case .index(let index):
            compiled.kind = UInt8(JSON_WALK_INDEX.rawValue)
            compiled.index = Int64(index)
        case .each: compiled.kind = UInt8(JSON_WALK_EACH.rawValue)
        case .select(let member, let value):
            compiled.kind = UInt8(JSON_WALK_SELECT.rawValue)
            (compiled.name, compiled.name_length) = cString(member, owning: &owned)
            (compiled.value, compiled.value_length) = cString(value, owning: &owned)
        case .decode: compiled.kind = UInt8(JSON_WALK_DECODE.rawValue)
        case .type: compiled.kind = UInt8(JSON_WALK_TYPE.rawValue)
        case .digest(let without):
            compiled.kind = UInt8(JSON_WALK_DIGEST.rawValue)
            let ignored = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(without.count, 1))
            owned.append(UnsafeMutableRawPointer(ignored))
            for (n, member) in without.enumerated() { ignored[n] = cString(member, owning: &owned).0 }
            compiled.ignored = UnsafePointer(ignored)
            compiled.ignored_count = without.count
        }
        return compiled
    }

    /// A copy of `text`'s bytes with a NUL after them, kept in `owned`, and their count.
    private static func cString(_ text: String,
                                owning owned: inout [UnsafeMutableRawPointer]) -> (UnsafePointer<CChar>?, Int) {
        let bytes = text.utf8CString
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        bytes.withUnsafeBufferPointer { copy.initialize(from: $0.baseAddress!, count: $0.count) }
        owned.append(UnsafeMutableRawPointer(copy))
        return (UnsafePointer(copy), bytes.count - 1)
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
