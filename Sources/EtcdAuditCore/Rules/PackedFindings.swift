/// Findings held from the rules to the locator, as bytes. They accumulate while the whole
/// record store is still held, and as Swift values each one costs about 1.2 KB (a dozen
/// strings and arrays, each its own block: keys, related records' keys, message, member
/// path); packed, about 400 bytes. They become values again once the store is let go.
///
/// Names that repeat across findings (rule ids, resource types, input paths, member names)
/// are kept once, by number; a related record's key that is one of the finding's keys (as
/// it nearly always is) is kept as its index among them.
struct PackedFindings {
    private var bytes: [UInt8] = []
    private let names = WordTable()
    private(set) var count = 0

    /// What the packed findings take (their names' table aside).
    var byteCount: Int { bytes.count }

    mutating func append(contentsOf findings: [Finding]) {
        for finding in findings { append(finding) }
    }

    mutating func append(_ f: Finding) {
        count += 1
        name(f.rule)
        bytes.append(UInt8(Severity.allCases.firstIndex(of: f.severity)!))
        name(f.resourceType)
        string(f.resourceID)
        string(f.message)
        array(f.keys) { $0.string($1) }
        optional(f.expected) { $0.string($1) }
        optional(f.actual) { $0.string($1) }
        location(f.location)
        array(f.related) { packed, related in
            if let index = f.keys.firstIndex(where: { $0.sameBytes(related.key) }) {
                packed.int(index + 1)
            } else {
                packed.int(0)
                packed.string(related.key)
            }
            packed.location(related.location)
            packed.optional(related.member) { $0.memberPath($1) }
        }
        optional(f.waiver) { packed, waiver in
            packed.string(waiver.reason)
            packed.optional(waiver.expires) { $0.string($1) }
        }
        optional(f.baseline) { packed, state in packed.bytes.append(state == .new ? 0 : 1) }
        optional(f.member) { $0.memberPath($1) }
        array(f.values) { $0.string($1) }
        bytes.append(f.acrossResources ? 1 : 0)
    }

    /// Every finding, in the order appended.
    func unpacked() -> [Finding] {
        var out: [Finding] = []
        out.reserveCapacity(count)
        bytes.withUnsafeBufferPointer { buffer in
            var reader = Reader(bytes: buffer, names: names.all)
            while out.count < count { out.append(reader.finding()) }
        }
        return out
    }

    // MARK: writing

    private mutating func int(_ value: Int) { int64(Int64(value)) }
    /// Zig-zag: an index or offset is never negative, but nothing here relies on it.
    private mutating func int64(_ value: Int64) {
        Varint.append(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &bytes)
    }

    private mutating func name(_ value: String) { int(names.number(of: value)) }

    private mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            int(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    private mutating func optional<T>(_ value: T?, _ write: (inout PackedFindings, T) -> Void) {
        guard let value else { return bytes.append(0) }
        bytes.append(1)
        write(&self, value)
    }

    private mutating func array<T>(_ values: [T], _ write: (inout PackedFindings, T) -> Void) {
        int(values.count)
        for value in values { write(&self, value) }
    }

    private mutating func location(_ l: SourceLocation) {
        name(l.path)
        optional(l.line) { $0.int($1) }
        optional(l.column) { $0.int($1) }
        optional(l.offset) { $0.int($1) }
        optional(l.pointer) { $0.string($1) }
        optional(l.modRevision) { $0.int64($1) }
    }

    private mutating func memberPath(_ path: MemberPath) {
        array(path.steps) { packed, step in
            switch step {
            case .member(let name):
                packed.bytes.append(0)
                packed.name(name)
            case .index(let i):
                packed.bytes.append(1)
                packed.int(i)
            case .element(let matches, let occurrence):
                packed.bytes.append(2)
                packed.array(matches) { packed, match in
                    packed.name(match.member)
                    packed.string(match.value)
                }
                packed.int(occurrence)
            case .decoded:
                packed.bytes.append(3)
            }
        }
    }

    // MARK: reading (only what `append` wrote, so it is trusted)

    private struct Reader: PackedBytesReading {
        let bytes: UnsafeBufferPointer<UInt8>
        let names: [String]
        var index = 0

        mutating func finding() -> Finding {
            let rule = name()
            let severity = Severity.allCases[Int(byte())]
            let type = name(), id = string(), message = string()
            let keys = array { $0.string() }
            let expected = optional { $0.string() }, actual = optional { $0.string() }
            var f = Finding(rule: rule, severity: severity, resourceType: type, resourceID: id, message: message,
                            keys: keys, expected: expected, actual: actual, location: location())
            f.related = array { r in
                let keyIndex = r.int()
                let key = keyIndex > 0 ? keys[keyIndex - 1] : r.string()
                let location = r.location()
                return RelatedLocation(key: key, location: location, member: r.optional { $0.memberPath() })
            }
            f.waiver = optional { r in
                let reason = r.string()
                return WaiverMark(reason: reason, expires: r.optional { $0.string() })
            }
            f.baseline = optional { $0.byte() == 0 ? .new : .existing }
            f.member = optional { $0.memberPath() }
            f.values = array { $0.string() }
            f.acrossResources = byte() != 0
            return f
        }

        mutating func byte() -> UInt8 {
            defer { index += 1 }
            return bytes[index]
        }

        mutating func int64() -> Int64 {
            let v = Varint.read(bytes, &index)
            return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
        }

        mutating func int() -> Int { Int(int64()) }
        mutating func name() -> String { names[int()] }

        mutating func string() -> String {
            let count = int()
            defer { index += count }
            return String(decoding: bytes[index..<index + count], as: UTF8.self)
        }

        mutating func location() -> SourceLocation {
            let path = name()
            let line = optional { $0.int() }, column = optional { $0.int() }, offset = optional { $0.int() }
            let pointer = optional { $0.string() }
            return SourceLocation(path: path, line: line, column: column, offset: offset, pointer: pointer,
                                  modRevision: optional { $0.int64() })
        }

        mutating func memberPath() -> MemberPath {
            MemberPath(array { r -> MemberPath.Step in
                switch r.byte() {
                case 0: return .member(r.name())
                case 1: return .index(r.int())
                case 2:
                    let matches = r.array { m -> MemberPath.Match in
                        let member = m.name()
                        return MemberPath.Match(member, m.string())
                    }
                    return .element(matching: matches, occurrence: r.int())
                default: return .decoded
                }
            })
        }
    }
}
