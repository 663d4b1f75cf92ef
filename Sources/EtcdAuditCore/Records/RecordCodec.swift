import Foundation

// The joined store keeps each resource as bytes, not as Swift values: a record's facts as
// values cost ten times their information (an allocation per string, array and member
// list, with headers and growth slack). The rules see the same `Resource` as before,
// decoded a chunk at a time. Only this store writes these bytes and only it reads them,
// so the decoder trusts them.

// MARK: - Values

// A healthy pipeline writes the same heat outputs three times: in the stack, the job_state
// and the state. The store keeps the list once per resource: a list byte for byte the same
// as the one its resource's records held last (whichever came first: a dump lists stacks
// before states, a snapshot's newest-first walk meets states first) becomes a one-byte
// mark (`RecordStore.append`), and the reader puts the list back (`outputsMet`).

/// The byte before a record's heat outputs (`HeatOutputs`).
enum OutputsTag: UInt8 {
    case absent, list, encoded, undecodable
    /// The list met last, as a list or as the string a state holds.
    case sameList, sameEncoded

    /// The byte that stands for a list and the tag before it (`tag`), when the list is the
    /// one its resource held last (`RecordStore.append` writes it instead).
    static func sameOutputsMark(replacing tag: UInt8) -> UInt8 {
        (tag == encoded.rawValue ? sameEncoded : sameList).rawValue
    }
}

/// The byte before a record's problem.
enum ProblemTag: UInt8 { case invalidJSON, duplicateMembers, schema }

// MARK: - Records

extension ByteWriter {
    /// The key is not written: the pattern it matched (`match`) spells it again from the
    /// resource's type and id and the values of its fields, written in the pattern's order.
    mutating func meta(_ meta: RecordMeta, match: KeyMatch) {
        assert(context.layouts.patterns[match.pattern].pattern.spelling(type: match.type, id: match.id, fields: match.fields)
                   .sameBytes(meta.key), "\(meta.key) is not spelled back by the pattern it matched")
        int(match.pattern)
        for field in match.fields.entries { string(field.value) }
        name(meta.location.path)
        optional(meta.location.line) { $0.int($1) }
        optional(meta.location.offset) { $0.int($1) }
        optional(meta.createRevision) { $0.int64($1) }
        optional(meta.modRevision) { $0.int64($1) }
    }

    /// A list of outputs, with where its bytes are (`outputsRange`): the store writes a
    /// list its resource held already as a mark. The byte before the list is its tag.
    mutating func outputs(_ list: [HeatOutput]) {
        let start = bytes.count
        array(list) { w, output in
            w.name(output.key)
            w.digest(output.digest)
        }
        outputsRange = start..<bytes.count
    }

    mutating func facts(_ facts: RecordFacts?) {
        optional(facts) { w, facts in
            w.optional(facts.version) { $0.int64($1) }
            switch facts.outputs {
            case .absent: w.bytes.append(OutputsTag.absent.rawValue)
            case .list(let list): w.bytes.append(OutputsTag.list.rawValue); w.outputs(list)
            case .encoded(let list): w.bytes.append(OutputsTag.encoded.rawValue); w.outputs(list)
            case .undecodable(let reason): w.bytes.append(OutputsTag.undecodable.rawValue); w.string(reason)
            }
        }
    }

    mutating func problem(_ problem: RecordProblem) {
        switch problem {
        case .invalidJSON(let message, let line, let column, let byte, let sourceLine):
            bytes.append(ProblemTag.invalidJSON.rawValue)
            string(message)
            for number in [line, column, byte, sourceLine] { optional(number) { $0.int($1) } }
        case .duplicateMembers(let list):
            bytes.append(ProblemTag.duplicateMembers.rawValue)
            array(list) { $0.string($1.path); $0.string($1.name); $0.int($1.occurrences) }
        case .schema(let list, let member):
            bytes.append(ProblemTag.schema.rawValue)
            array(list) { $0.string($1) }
            optional(member) { $0.string($1) }
        case .conflictingValues: break  // never given (`record` leaves them out)
        }
    }
}

extension ByteReader {
    /// A record's meta, and its kind (its key's pattern's).
    mutating func meta(type: ResourceType, id: String) -> (RecordKind, RecordMeta) {
        let (kind, pattern) = context.layouts.patterns[int()]
        var fields: [(name: String, value: String)] = []
        // Not for none: reserving room for nothing allocates.
        if !pattern.fieldNames.isEmpty { fields.reserveCapacity(pattern.fieldNames.count) }
        for name in pattern.fieldNames { fields.append((name, string())) }
        let keyFields = SmallMap(fields)
        let key = pattern.spelling(type: type, id: id, fields: keyFields)
        let location = SourceLocation(path: name(), line: optional { $0.int() }, offset: optional { $0.int() })
        return (kind, RecordMeta(key: key, location: location, createRevision: optional { $0.int64() },
                                 modRevision: optional { $0.int64() }, keyFields: keyFields))
    }

    /// A list written in full: from now on what a mark stands for.
    mutating func outputs() -> [HeatOutput] {
        let list = array { HeatOutput(key: $0.name(), digest: $0.digest()) }
        outputsMet = list
        return list
    }

    mutating func facts() -> RecordFacts? {
        optional { r in
            let version = r.optional { $0.int64() }
            switch OutputsTag(rawValue: r.byte())! {
            case .absent: return RecordFacts(version: version)
            case .list: return RecordFacts(version: version, outputs: .list(r.outputs()))
            case .encoded: return RecordFacts(version: version, outputs: .encoded(r.outputs()))
            case .undecodable: return RecordFacts(version: version, outputs: .undecodable(reason: r.string()))
            case .sameList: return RecordFacts(version: version, outputs: .list(r.outputsMet ?? []))
            case .sameEncoded: return RecordFacts(version: version, outputs: .encoded(r.outputsMet ?? []))
            }
        }
    }

    mutating func problem() -> RecordProblem {
        switch ProblemTag(rawValue: byte())! {
        case .invalidJSON:
            let message = string()
            let numbers = (0..<4).map { _ in optional { $0.int() } }
            return .invalidJSON(message: message, line: numbers[0], column: numbers[1], byte: numbers[2],
                                sourceLine: numbers[3])
        case .duplicateMembers:
            return .duplicateMembers(array { DuplicateMember(path: $0.string(), name: $0.string(), occurrences: $0.int()) })
        case .schema:
            return .schema(array { $0.string() }, member: optional { $0.string() })
        }
    }
}

extension ByteWriter {
    /// One record: its meta, digest, facts and selections, then its problems.
    mutating func record(_ record: ParsedRecord) {
        meta(record.meta, match: record.match)
        digest(record.valueDigest)
        facts(record.facts)
        // Already packed where the value was parsed (SelectedValues.swift): copied as it is.
        int(record.selected.bytes.count)
        bytes.append(contentsOf: record.selected.bytes)
        // Conflicting values are the join's to find (RereadKeys), each time it reads the resource.
        array(record.problems.filter { if case .conflictingValues = $0 { false } else { true } }) { $0.problem($1) }
    }
}

extension ByteReader {
    mutating func record(type: ResourceType, id: String) -> (kind: RecordKind, entry: RecordEntry, problems: [RecordProblem]) {
        let (kind, meta) = self.meta(type: type, id: id)
        let digest = digest(), facts = facts(), selected = SelectedValues(bytes: bytes(count: int()))
        let entry = RecordEntry(meta: meta, facts: facts, valueDigest: digest, selected: selected)
        return (kind, entry, array { $0.problem() })
    }
}
