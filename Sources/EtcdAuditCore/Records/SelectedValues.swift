/// What the rule language's paths selected in one record, kept packed: written straight
/// from jansson's tree while the value is parsed (the C walk `CompiledSelections` drives),
/// copied as they are into the store and back, and decoded only when a rule reads a
/// selection. No Swift value is made for a selected member until then.
///
/// Layout, per selection in increasing slot order: its slot (varint), how many bytes its
/// values take and their `ChoiceForm` (one varint, `length << 2 | form`: the slot and a
/// short selection's size take a byte each); then each value: its choices if the
/// form writes them (how many, then each), and the value, each a `SelectedTag` and its
/// payload. Texts are short in the common cases (CompactText): the resource's own id takes
/// no bytes, a word without digits (a param's name, a status) its number in
/// `WordTable.selections`, a UUID 16 bytes, a MAC 6 and a hex tenant id half its length, a
/// text met before in the same selection (an id named twice) its number there, and a text
/// that holds the id (`port:<id>:2`) only the texts before and after it.
/// Only this file (which reads it) and CJSONWalk's selected_writer.c (which writes it) know
/// the layout.
public struct SelectedValues: Sendable {
    /// Texts numbered per selection (selected_writer.h's `SW_TEXTS_KEPT`).
    static let textsKept = 64

    /// Read from the store, a slice of its slab (no copy per record unpacked).
    private(set) var bytes: ArraySlice<UInt8>

    init(bytes: ArraySlice<UInt8> = []) { self.bytes = bytes }

    /// The values of `selection` in a record of the resource `resourceID`; nil when the
    /// record keeps none (the plan did not name it).
    func values(_ selection: ValueSelection, resourceID: String) -> [SelectedValue]? {
        if let kept = located(slot: selection.slot, resourceID: resourceID) { return kept }
        // Left out because the record keeps a selection it can be found in again.
        for prefix in selection.prefixes {
            guard let slot = SelectionSlots.shared.existingSlot(of: prefix.name),
                  let outer = located(slot: slot, resourceID: resourceID) else { continue }
            var out: [(value: SelectedValue, pointer: String?)] = []
            for value in outer { PathSelection.walk(value, selection.steps[prefix.stepCount...], into: &out) }
            return out.map(\.value)
        }
        return nil
    }

    /// The same values without the choices that locate them (what a test that passes needs).
    func plainValues(_ selection: ValueSelection, resourceID: String) -> PlainValues? {
        var plain = PlainValues()
        if decode(slot: selection.slot, resourceID: resourceID, keepingChoices: false, { plain.append($1) }) { return plain }
        return values(selection, resourceID: resourceID).map { PlainValues($0.map(\.value)) }
    }

    /// The values of `slot` with the choices that locate them; nil when the record keeps
    /// no such slot.
    private func located(slot: Int, resourceID: String) -> [SelectedValue]? {
        var kept: [SelectedValue] = []
        let found = decode(slot: slot, resourceID: resourceID, keepingChoices: true) {
            kept.append(SelectedValue(choices: $0, value: $1))
        }
        return found ? kept : nil
    }

    /// Gives `emit` each value of `slot` with its choices (none unless `keepingChoices`);
    /// false when the record keeps no such slot.
    private func decode(slot: Int, resourceID: String, keepingChoices: Bool,
                        _ emit: ([JSONValue], JSONValue) -> Void) -> Bool {
        bytes.withUnsafeBufferPointer { buffer -> Bool in
            // Where the numbered texts begin, in room on the stack (SelectedReader).
            withUnsafeTemporaryAllocation(of: Int.self, capacity: SelectedValues.textsKept) { textStarts -> Bool in
                guard let (form, range) = Self.region(of: slot, in: buffer) else { return false }
                var reader = SelectedReader(buffer: buffer, resourceID: resourceID, textStarts: textStarts.baseAddress!)
                reader.index = range.lowerBound
                var count = 0
                while reader.index < range.upperBound {
                    var choices: [JSONValue] = []
                    switch form {
                    case .written:
                        let choiceCount = Int(reader.varint())
                        if keepingChoices {
                            choices = (0..<choiceCount).map { _ in reader.value() }
                        } else {
                            // Read all the same: a text among them is numbered for its repeats.
                            for _ in 0..<choiceCount { _ = reader.value() }
                        }
                    case .none: break
                    case .position, .occurrence:
                        if keepingChoices { choices = form.choices(at: count) }
                    }
                    emit(choices, reader.value())
                    count += 1
                }
                return true
            }
        }
    }

    /// Where the values of `slot` lie in `buffer`, and how they carry their choices; nil
    /// when the record keeps none under that slot.
    private static func region(of slot: Int, in buffer: UnsafeBufferPointer<UInt8>) -> (form: ChoiceForm, range: Range<Int>)? {
        var index = 0
        while index < buffer.count {
            let found = Int(Varint.read(buffer, &index)), size = Varint.read(buffer, &index), length = Int(size >> 2)
            // Slots are written in increasing order (`CompiledSelections`, in slot order).
            if found > slot { return nil }
            if found == slot { return (ChoiceForm(rawValue: size & 3)!, index..<(index + length)) }
            index += length
        }
        return nil
    }

    /// Whether every value this record keeps of `selection` is the resource's id (each
    /// then its one-byte tag): a test comparing them with the id passes without decoding.
    func holdsOnlyResourceID(_ selection: ValueSelection) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let (form, range) = Self.region(of: selection.slot, in: buffer), form != .written else { return false }
            return buffer[range].allSatisfy { $0 == SelectedTag.resourceID.rawValue }
        }
    }

    /// Whether this record's values of `selection` are, byte for byte, the values of
    /// `otherSelection` in `other`, a record of the same resource: then they are the same
    /// values, in the same order (the layout spells a value one way: words by their
    /// process-wide number, the resource's id by a tag), and a check need not decode
    /// either. False says nothing (a selection found inside another, choices written out,
    /// a value spelled otherwise): decode and compare.
    func sameStoredValues(_ selection: ValueSelection, as otherSelection: ValueSelection, in other: SelectedValues) -> Bool {
        bytes.withUnsafeBufferPointer { mine in
            other.bytes.withUnsafeBufferPointer { theirs in
                guard let a = Self.region(of: selection.slot, in: mine), let b = Self.region(of: otherSelection.slot, in: theirs),
                      a.form != .written, b.form != .written else { return false }
                return UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: mine[a.range]))
                    .sameBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: theirs[b.range])))
            }
        }
    }
}

/// A value the store kept for a selection, with the choices that locate it.
public struct SelectedValue: Sendable {
    public var choices: [JSONValue]
    public var value: JSONValue
}

/// How a selection's values carry the choices that locate them. Most paths need none
/// written: `[*]` over an array whose every element gives one value makes the choices
/// 0, 1, 2, ... (a job's params), `[k=v]` makes them 1, 2, ...
enum ChoiceForm: UInt64 {
    /// Each value: how many choices, then the choices.
    case written
    /// No value has a choice (a path without `[*]` or `[k=v]`).
    case none
    /// The nth value (from 0) has the one choice n.
    case position
    /// The nth value has the one choice n + 1.
    case occurrence

    /// The choices this form implies for the nth value.
    func choices(at n: Int) -> [JSONValue] {
        switch self {
        case .written, .none: return []
        case .position: return [.integer(Int64(n))]
        case .occurrence: return [.integer(Int64(n + 1))]
        }
    }
}

enum SelectedTag: UInt8 {
    case null, falseValue, trueValue, integer, real, array, object
    /// Texts: as bytes, a lowercase UUID (16 bytes) or MAC (6 bytes), the resource's id, a
    /// word by number, or the number of a text met before in the selection.
    case string, uuid, mac, resourceID, word, again
    /// 16 bytes of a `JSONDigest`, read as its text (what `|digest` compares).
    case digest
    /// A text holding the resource's id (`port:<id>:2`, a job's id, a stack_id): the text
    /// before it, then the text after it, each written as any text is.
    case aroundResourceID
    /// An even number (16 or more) of lowercase hex digits, as a tenant id: how many
    /// bytes (varint), then the bytes.
    case hex
}

private struct SelectedReader {
    let buffer: UnsafeBufferPointer<UInt8>
    let resourceID: String
    var index = 0
    /// Where each text read so far in this selection begins (its tag), numbered as the
    /// writer numbered them, in room the caller holds for `SelectedValues.textsKept`: a
    /// text met again is read again from there. Most selections name no text twice, and
    /// an array of the texts cost an allocation (and a retain per text) per selection read.
    let textStarts: UnsafeMutablePointer<Int>
    var textCount = 0
    /// The words known when the first is read (the table only grows).
    var words: [String]?

    mutating func varint() -> UInt64 { Varint.read(buffer, &index) }

    mutating func big(_ count: Int) -> UInt64 {
        var v: UInt64 = 0
        for _ in 0..<count {
            v = v << 8 | UInt64(buffer[index])
            index += 1
        }
        return v
    }

    mutating func value() -> JSONValue {
        let tag = SelectedTag(rawValue: buffer[index])!
        index += 1
        switch tag {
        case .null: return .null
        case .falseValue: return .bool(false)
        case .trueValue: return .bool(true)
        case .integer:
            let z = varint()
            return .integer(Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1))))
        case .real: return .real(Double(bitPattern: big(8)))
        case .array: return .array((0..<Int(varint())).map { _ in value() })
        case .object: return .object((0..<Int(varint())).map { _ in JSONMember(value().stringValue ?? "", value()) })
        case .digest:
            let high = big(8), low = big(8)
            return .string(JSONDigest(high: high, low: low).description)
        case .string, .uuid, .mac, .resourceID, .word, .again, .aroundResourceID, .hex:
            return .string(text(tag))
        }
    }

    private static func joined(_ a: String, _ b: String, _ c: String) -> String {
        var a = a, b = b, c = c
        return a.withUTF8 { a in
            b.withUTF8 { b in
                c.withUTF8 { c in
                    String(unsafeUninitializedCapacity: a.count + b.count + c.count) { out in
                        var at = out.initialize(fromContentsOf: a)
                        at = out[at...].initialize(fromContentsOf: b)
                        return out[at...].initialize(fromContentsOf: c)
                    }
                }
            }
        }
    }

    /// The next `count` bytes as lowercase hex (CompactText.hexText).
    private mutating func hexText(count: Int, separator: UInt8 = UInt8(ascii: "-"), breaks: UInt32 = 0) -> String {
        defer { index += count }
        return CompactText.hexText(UnsafeBufferPointer(rebasing: buffer[index..<index + count]), separator: separator,
                                   breaks: breaks)
    }

    private mutating func nextText() -> String {
        let tag = SelectedTag(rawValue: buffer[index])!
        index += 1
        return text(tag)
    }

    private mutating func text(_ tag: SelectedTag) -> String {
        let text: String
        let start = index - 1
        switch tag {
        case .resourceID: return resourceID
        case .again:
            let number = Int(varint())
            precondition(number < textCount, "a selection names text \(number) again, of \(textCount) read")
            var again = self
            again.index = textStarts[number]
            again.textCount = SelectedValues.textsKept  // read again, not numbered again
            return again.nextText()
        case .aroundResourceID:
            let before = nextText()
            // Most such texts hold the id once (`port:<id>:2`): made in one piece, where
            // joining by `+` (or appending to room reserved) cost twice as much.
            if SelectedTag(rawValue: buffer[index]) != .aroundResourceID {
                return Self.joined(before, resourceID, nextText())
            }
            // The text after the id may hold it again, as often as the text is long: taken
            // in turn, not by recursion, which a text holding the id 300,000 times overflowed.
            var joined = before + resourceID
            while SelectedTag(rawValue: buffer[index]) == .aroundResourceID {
                index += 1
                joined += nextText() + resourceID
            }
            return joined + nextText()
        case .word:
            if words == nil { words = WordTable.selections.all }
            return words![Int(varint())]
        case .uuid: text = hexText(count: 16, breaks: CompactText.uuidBreaks)
        case .mac: text = hexText(count: 6, separator: UInt8(ascii: ":"), breaks: CompactText.macBreaks)
        case .hex: text = hexText(count: Int(varint()))
        default:
            let count = Int(varint())
            text = String(decoding: UnsafeBufferPointer(rebasing: buffer[index..<index + count]), as: UTF8.self)
            index += count
        }
        if textCount < SelectedValues.textsKept {
            textStarts[textCount] = start
            textCount += 1
        }
        return text
    }
}
