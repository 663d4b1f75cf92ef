// The writing half of the selected values' layout (SelectedValues.swift says what it is,
// and reads it); the two files are the only ones that know it.

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
        if !raw.isEmpty, resourceID.withUnsafeBytes({ $0.sameBytes(raw) }) {
            return bytes.append(SelectedTag.resourceID.rawValue)
        }
        if CompactText.isWord(utf8),
           let number = WordTable.selections.number(ofBytes: raw, limit: CompactText.wordsKept, { String(decoding: utf8, as: UTF8.self) }) {
            bytes.append(SelectedTag.word.rawValue)
            return Varint.append(UInt64(number), to: &bytes)
        }
        let seen = textBytes.withUnsafeBytes { kept in
            texts.firstIndex { UnsafeRawBufferPointer(rebasing: kept[$0]).sameBytes(raw) }
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
