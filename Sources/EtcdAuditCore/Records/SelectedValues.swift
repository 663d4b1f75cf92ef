#if canImport(Glibc)
import Glibc
#endif

/// What the rule language's paths selected in one record, kept packed: written straight
/// from jansson's tree while the value is parsed (`PathSelection`), copied as they are into
/// the store and back, and decoded only when a rule reads a selection. No Swift value is
/// made for a selected member until then.
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
/// Only this file writes and reads the layout.
public struct SelectedValues: Sendable {
    /// Read from the store, a slice of its slab (no copy per record unpacked).
    private(set) var bytes: ArraySlice<UInt8>

    init(bytes: ArraySlice<UInt8> = []) { self.bytes = bytes }

    /// The values of `selection` in a record of the resource `resourceID`; nil when the
    /// record keeps none (the plan did not name it).
    func values(_ selection: ValueSelection, resourceID: String) -> [SelectedValue]? {
        if let kept = decode(slot: selection.slot, resourceID: resourceID, keepingChoices: true, SelectedValue.init) {
            return kept
        }
        // Left out because the record keeps a selection it can be found in again.
        for prefix in selection.prefixes {
            guard let slot = SelectionSlots.shared.existingSlot(of: prefix.name),
                  let outer = decode(slot: slot, resourceID: resourceID, keepingChoices: true, SelectedValue.init) else { continue }
            var out: [(value: SelectedValue, pointer: String?)] = []
            for value in outer { PathSelection.walk(value, selection.steps[prefix.stepCount...], into: &out) }
            return out.map(\.value)
        }
        return nil
    }

    /// The same values without the choices that locate them (what a test that passes needs).
    func plainValues(_ selection: ValueSelection, resourceID: String) -> [JSONValue]? {
        decode(slot: selection.slot, resourceID: resourceID, keepingChoices: false) { _, value in value }
            ?? values(selection, resourceID: resourceID)?.map(\.value)
    }

    private func decode<T>(slot: Int, resourceID: String, keepingChoices: Bool,
                           _ make: ([JSONValue], JSONValue) -> T) -> [T]? {
        bytes.withUnsafeBufferPointer { buffer -> [T]? in
            // Where the numbered texts begin, in room on the stack (SelectedReader).
            withUnsafeTemporaryAllocation(of: Int.self, capacity: SelectedWriter.textsKept) { textStarts -> [T]? in
                guard let (form, range) = Self.region(of: slot, in: buffer) else { return nil }
                var reader = SelectedReader(buffer: buffer, resourceID: resourceID, textStarts: textStarts.baseAddress!)
                reader.index = range.lowerBound
                var out: [T] = []
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
                        if keepingChoices { choices = form.choices(at: out.count) }
                    }
                    out.append(make(choices, reader.value()))
                }
                return out
            }
        }
    }

    /// Where the values of `slot` lie in `buffer`, and how they carry their choices; nil
    /// when the record keeps none under that slot.
    private static func region(of slot: Int, in buffer: UnsafeBufferPointer<UInt8>) -> (form: ChoiceForm, range: Range<Int>)? {
        var index = 0
        while index < buffer.count {
            let found = Int(Varint.read(buffer, &index)), size = Varint.read(buffer, &index), length = Int(size >> 2)
            // Slots are written in increasing order (`PathSelection.select`).
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

    /// Whether `choices`, those of the nth value, are what this form implies.
    func implies(_ choices: [JSONValue], at n: Int) -> Bool {
        switch self {
        case .written: return true
        case .none: return choices.isEmpty
        case .position, .occurrence:
            guard choices.count == 1, case .integer(let i) = choices[0] else { return false }
            return i == Int64(n + (self == .occurrence ? 1 : 0))
        }
    }

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

/// Writes the selected values of one record as jansson's tree holds them.
struct SelectedWriter {
    private(set) var bytes: [UInt8] = []
    private let resourceID: [UInt8]
    private var slot = 0
    /// Where the slot's header and its values begin.
    private var headerStart = 0
    private var valuesStart = 0
    private var count = 0
    /// Set by the slot's first value; a value that does not fit it makes it `.written`.
    private var form: ChoiceForm?
    /// Where each value begins while the form leaves the choices out (to write them after all).
    private var valueStarts: [Int] = []
    /// The texts written so far in this selection, their bytes one after another.
    private var textBytes: [UInt8] = []
    private var texts: [Range<Int>] = []
    static let textsKept = 64
    /// Shorter ids are not looked for inside texts: one as short as "1" would split most
    /// texts and make them longer, not shorter.
    static let shortestIDInsideTexts = 8

    /// A slot header longer than the two bytes kept for it, made in the same room each time.
    private var header: [UInt8] = []

    init(resourceID: String) {
        self.resourceID = Array(resourceID.utf8)
        // Room for a record's selections up front: grown from empty, the bytes would be
        // copied several times per record.
        bytes.reserveCapacity(256)
    }

    mutating func beginSlot(_ slot: Int) {
        self.slot = slot
        // Two bytes for the header, filled in once the form and size are known: nearly
        // always a one-byte code and a one-byte length, so no value bytes are moved.
        headerStart = bytes.count
        bytes.append(0)
        bytes.append(0)
        valuesStart = bytes.count
        count = 0
        form = nil
        // Emptied only when used: most slots hold one value and no text to number.
        if !valueStarts.isEmpty { valueStarts.removeAll(keepingCapacity: true) }
        if !textBytes.isEmpty { textBytes.removeAll(keepingCapacity: true) }
        if !texts.isEmpty { texts.removeAll(keepingCapacity: true) }
    }

    mutating func endSlot() {
        let size = UInt64(bytes.count - valuesStart) << 2 | (form ?? .none).rawValue
        if slot < 0x80, size < 0x80 {
            bytes[headerStart] = UInt8(slot)
            bytes[headerStart + 1] = UInt8(size)
            return
        }
        header.removeAll(keepingCapacity: true)
        Varint.append(UInt64(slot), to: &header)
        Varint.append(size, to: &header)
        bytes.replaceSubrange(headerStart..<valuesStart, with: header)
    }

    /// One value: the choices that locate it, then `write` writes the value itself.
    mutating func value(choices: [JSONValue], _ write: (inout SelectedWriter) -> Void) {
        if form == nil {
            form = [ChoiceForm.none, .position, .occurrence].first { $0.implies(choices, at: 0) } ?? .written
        } else if form != .written, !form!.implies(choices, at: count) {
            writeImpliedChoices()
        }
        count += 1
        if form == .written {
            Varint.append(UInt64(choices.count), to: &bytes)
            for choice in choices {
                switch choice {
                case .integer(let i): integer(i)
                case .string(let s): text(s)
                default: bytes.append(SelectedTag.null.rawValue)
                }
            }
        } else {
            valueStarts.append(bytes.count)
        }
        write(&self)
    }

    /// The slot turns `.written` (an element that gave no value or two): the values so far
    /// get the choices their form implied written in front. Integers only, so no text is
    /// numbered out of the reader's order.
    private mutating func writeImpliedChoices() {
        var rewritten: [UInt8] = []
        for (n, start) in valueStarts.enumerated() {
            let choices = form!.choices(at: n)
            Varint.append(UInt64(choices.count), to: &rewritten)
            for case .integer(let i) in choices { Self.append(integer: i, to: &rewritten) }
            rewritten += bytes[start..<(n + 1 < valueStarts.count ? valueStarts[n + 1] : bytes.count)]
        }
        bytes.replaceSubrange(valuesStart..., with: rewritten)
        form = .written
        valueStarts.removeAll(keepingCapacity: true)
    }

    mutating func cursor(_ node: JSONCursor) {
        switch node.kind {
        case .null: bytes.append(SelectedTag.null.rawValue)
        case .bool: bytes.append(node.bool == true ? SelectedTag.trueValue.rawValue : SelectedTag.falseValue.rawValue)
        case .integer: integer(node.integer ?? 0)
        case .real:
            bytes.append(SelectedTag.real.rawValue)
            big((node.real ?? 0).bitPattern, 8)
        case .string:
            node.withStringBytes { text($0) }
        case .array:
            bytes.append(SelectedTag.array.rawValue)
            Varint.append(UInt64(node.count), to: &bytes)
            for i in 0..<node.count { if let child = node[i] { cursor(child) } else { bytes.append(SelectedTag.null.rawValue) } }
        case .object:
            var members: [(UnsafeRawBufferPointer, JSONCursor)] = []
            node.forEachMemberBytes { members.append(($0, $1)) }
            bytes.append(SelectedTag.object.rawValue)
            Varint.append(UInt64(members.count), to: &bytes)
            for (name, child) in members {
                text(name)
                cursor(child)
            }
        }
    }

    mutating func text(_ string: String) {
        var string = string
        string.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    mutating func text(_ raw: UnsafeRawBufferPointer) {
        let utf8 = raw.bindMemory(to: UInt8.self)
        if utf8.count == resourceID.count, resourceID.withUnsafeBytes({ memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }),
           !utf8.isEmpty {
            return bytes.append(SelectedTag.resourceID.rawValue)
        }
        if CompactText.isWord(utf8),
           let number = WordTable.selections.number(ofBytes: raw, limit: CompactText.wordsKept, { String(decoding: utf8, as: UTF8.self) }) {
            bytes.append(SelectedTag.word.rawValue)
            return Varint.append(UInt64(number), to: &bytes)
        }
        let seen = textBytes.withUnsafeBytes { kept in
            texts.firstIndex { $0.count == raw.count && (raw.isEmpty || memcmp(kept.baseAddress! + $0.lowerBound, raw.baseAddress!, raw.count) == 0) }
        }
        if let seen {
            bytes.append(SelectedTag.again.rawValue)
            return Varint.append(UInt64(seen), to: &bytes)
        }
        if resourceID.count >= Self.shortestIDInsideTexts, utf8.count > resourceID.count,
           let start = resourceID.withUnsafeBufferPointer({ KeyPattern.find($0, in: utf8, from: 0) }) {
            // Not numbered as a whole: the reader numbers only what it reads as a text.
            bytes.append(SelectedTag.aroundResourceID.rawValue)
            text(UnsafeRawBufferPointer(rebasing: raw[..<start]))
            return text(UnsafeRawBufferPointer(rebasing: raw[(start + resourceID.count)...]))
        }
        if texts.count < Self.textsKept {
            texts.append(textBytes.count..<textBytes.count + raw.count)
            textBytes.append(contentsOf: utf8)
        }
        if let (high, low) = CompactText.uuid(utf8) {
            bytes.append(SelectedTag.uuid.rawValue)
            big(high, 8)
            big(low, 8)
        } else if let mac = CompactText.mac(utf8) {
            bytes.append(SelectedTag.mac.rawValue)
            big(mac, 6)
        } else if CompactText.isHexRun(utf8) {
            bytes.append(SelectedTag.hex.rawValue)
            Varint.append(UInt64(utf8.count / 2), to: &bytes)
            CompactText.appendHexBytes(utf8, to: &bytes)
        } else {
            bytes.append(SelectedTag.string.rawValue)
            Varint.append(UInt64(utf8.count), to: &bytes)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func digest(_ digest: JSONDigest) {
        bytes.append(SelectedTag.digest.rawValue)
        big(digest.high, 8)
        big(digest.low, 8)
    }

    private mutating func big(_ value: UInt64, _ count: Int) {
        for k in stride(from: count - 1, through: 0, by: -1) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * k))) }
    }

    private mutating func integer(_ i: Int64) { Self.append(integer: i, to: &bytes) }

    private static func append(integer i: Int64, to bytes: inout [UInt8]) {
        bytes.append(SelectedTag.integer.rawValue)
        Varint.append(UInt64(bitPattern: (i << 1) ^ (i >> 63)), to: &bytes)
    }
}

private struct SelectedReader {
    let buffer: UnsafeBufferPointer<UInt8>
    let resourceID: String
    var index = 0
    /// Where each text read so far in this selection begins (its tag), numbered as the
    /// writer numbered them, in room the caller holds for `SelectedWriter.textsKept`: a
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
            again.textCount = SelectedWriter.textsKept  // read again, not numbered again
            return again.nextText()
        case .aroundResourceID:
            let before = nextText()
            return before + resourceID + nextText()
        case .word:
            if words == nil { words = WordTable.selections.all }
            return words![Int(varint())]
        case .uuid:
            let high = big(8), low = big(8)
            text = CompactText.uuidText(high: high, low: low)
        case .mac:
            text = CompactText.macText(big(6))
        case .hex:
            let count = Int(varint())
            text = CompactText.hexText(count: count) { UInt8(big(1)) }
        default:
            let count = Int(varint())
            text = String(decoding: UnsafeBufferPointer(rebasing: buffer[index..<index + count]), as: UTF8.self)
            index += count
        }
        if textCount < SelectedWriter.textsKept {
            textStarts[textCount] = start
            textCount += 1
        }
        return text
    }
}
