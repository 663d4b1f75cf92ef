#if canImport(Glibc)
import Glibc
#endif

/// What the rule language's paths selected in one record, kept packed: written straight
/// from jansson's tree while the value is parsed (`PathSelection`), copied as they are into
/// the store and back, and decoded only when a rule reads a selection. No Swift value is
/// made for a selected member until then.
///
/// Layout, per selection: its slot, how many bytes its values take and how many there are
/// (varints); then each value: how many choices (varint), the choices and the value, each
/// a `SelectedTag` and its payload. Texts are short in the common cases, as in the rest of
/// the store (CompactStrings): the resource's own id takes no bytes, a word without digits
/// (a param's name, a status) its number in `WordTable.selections`, a UUID 16 bytes and a
/// MAC 6, a text met before in the same selection (an id named twice) its number there,
/// and a text that holds the id (`port:<id>:2`) only the texts before and after it.
/// Only this file writes and reads the layout.
public struct SelectedValues: Sendable {
    /// Read from the store, a slice of its slab (no copy per record unpacked).
    private(set) var bytes: ArraySlice<UInt8>

    init(bytes: ArraySlice<UInt8> = []) { self.bytes = bytes }

    /// The values of the selection numbered `slot` in a record of the resource `resourceID`;
    /// nil when the record keeps none.
    func values(slot: Int, resourceID: String) -> [SelectedValue]? {
        decode(slot: slot, resourceID: resourceID, keepingChoices: true) { choices, value in
            SelectedValue(choices: choices, value: value)
        }
    }

    /// The same values without the choices that locate them (what a test that passes needs).
    func plainValues(slot: Int, resourceID: String) -> [JSONValue]? {
        decode(slot: slot, resourceID: resourceID, keepingChoices: false) { _, value in value }
    }

    private func decode<T>(slot: Int, resourceID: String, keepingChoices: Bool,
                           _ make: ([JSONValue], JSONValue) -> T) -> [T]? {
        bytes.withUnsafeBufferPointer { buffer -> [T]? in
            var reader = SelectedReader(buffer: buffer, resourceID: resourceID)
            while !reader.atEnd {
                let found = Int(reader.varint()), length = Int(reader.varint())
                guard found == slot else {
                    reader.index += length
                    continue
                }
                let count = Int(reader.varint())
                var out: [T] = []
                out.reserveCapacity(count)
                for _ in 0..<count {
                    let choiceCount = Int(reader.varint())
                    if keepingChoices {
                        let choices = (0..<choiceCount).map { _ in reader.value() }
                        out.append(make(choices, reader.value()))
                    } else {
                        // Read all the same: a text among them is numbered for its repeats.
                        for _ in 0..<choiceCount { _ = reader.value() }
                        out.append(make([], reader.value()))
                    }
                }
                return out
            }
            return nil
        }
    }
}

/// A value the store kept for a selection, with the choices that locate it.
public struct SelectedValue: Sendable {
    public var choices: [JSONValue]
    public var value: JSONValue
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
}

/// Writes the selected values of one record as jansson's tree holds them.
struct SelectedWriter {
    private(set) var bytes: [UInt8] = []
    private let resourceID: [UInt8]
    private var slot = 0
    private var slotStart = 0
    private var count = 0
    /// The texts written so far in this selection, their bytes one after another.
    private var textBytes: [UInt8] = []
    private var texts: [Range<Int>] = []
    static let textsKept = 64

    /// The slot header, made anew for each slot in the same room.
    private var header: [UInt8] = []
    private var countBytes: [UInt8] = []

    init(resourceID: String) {
        self.resourceID = Array(resourceID.utf8)
        // Room for a record's selections up front: grown from empty, the bytes would be
        // copied several times per record.
        bytes.reserveCapacity(256)
    }

    mutating func beginSlot(_ slot: Int) {
        self.slot = slot
        slotStart = bytes.count
        count = 0
        textBytes.removeAll(keepingCapacity: true)
        texts.removeAll(keepingCapacity: true)
    }

    /// The header goes in front of the values once their size is known (a few bytes moved).
    mutating func endSlot() {
        countBytes.removeAll(keepingCapacity: true)
        header.removeAll(keepingCapacity: true)
        Varint.append(UInt64(count), to: &countBytes)
        Varint.append(UInt64(slot), to: &header)
        Varint.append(UInt64(bytes.count - slotStart + countBytes.count), to: &header)
        header += countBytes
        bytes.insert(contentsOf: header, at: slotStart)
    }

    /// One value: the choices that locate it, then `write` writes the value itself.
    mutating func value(choices: [JSONValue], _ write: (inout SelectedWriter) -> Void) {
        count += 1
        Varint.append(UInt64(choices.count), to: &bytes)
        for choice in choices {
            switch choice {
            case .integer(let i): integer(i)
            case .string(let s): text(s)
            default: bytes.append(SelectedTag.null.rawValue)
            }
        }
        write(&self)
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
        if ByteWriter.wordLength.contains(utf8.count), !utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }),
           let number = WordTable.selections.number(ofBytes: raw, limit: ByteWriter.wordsKept, { String(decoding: utf8, as: UTF8.self) }) {
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
        if resourceID.count >= ByteWriter.shortestIDInsideTexts, utf8.count > resourceID.count,
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
        if utf8.count == 36, let (high, low) = ByteWriter.uuid(utf8) {
            bytes.append(SelectedTag.uuid.rawValue)
            big(high, 8)
            big(low, 8)
        } else if utf8.count == 17, let mac = ByteWriter.mac(utf8) {
            bytes.append(SelectedTag.mac.rawValue)
            big(mac, 6)
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

    private mutating func integer(_ i: Int64) {
        bytes.append(SelectedTag.integer.rawValue)
        Varint.append(UInt64(bitPattern: (i << 1) ^ (i >> 63)), to: &bytes)
    }
}

private struct SelectedReader {
    let buffer: UnsafeBufferPointer<UInt8>
    let resourceID: String
    var index = 0
    /// The texts read so far in this selection, numbered as the writer numbered them.
    var texts: [String] = []
    /// The words known when the first is read (the table only grows).
    var words: [String]?

    var atEnd: Bool { index >= buffer.count }

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
        case .string, .uuid, .mac, .resourceID, .word, .again, .aroundResourceID:
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
        switch tag {
        case .resourceID: return resourceID
        case .again: return texts[Int(varint())]
        case .aroundResourceID:
            let before = nextText()
            return before + resourceID + nextText()
        case .word:
            if words == nil { words = WordTable.selections.all }
            return words![Int(varint())]
        case .uuid:
            let high = big(8), low = big(8)
            text = ByteReader.text(CompactValue(form: .uuid, high: high, low: low))
        case .mac:
            text = ByteReader.text(CompactValue(form: .mac, high: 0, low: big(6)))
        default:
            let count = Int(varint())
            text = String(decoding: UnsafeBufferPointer(rebasing: buffer[index..<index + count]), as: UTF8.self)
            index += count
        }
        if texts.count < SelectedWriter.textsKept { texts.append(text) }
        return text
    }
}
