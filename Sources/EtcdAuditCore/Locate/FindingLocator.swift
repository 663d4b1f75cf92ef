import Foundation

/// Turns the member each finding names (`Finding.member`, `RelatedLocation.member`) into
/// where it stands: line and column in text inputs, RFC 6901 pointer in every input.
///
/// It runs after the rules, on the findings only, and reads the records at fault again
/// from their inputs at the offsets the audit kept (one pass per file, records in offset
/// order): the join keeps no positions, so an audit without findings pays nothing. Inputs
/// that cannot be read again (standard input, a live etcd) keep the record's location and
/// get a pointer when the path names no element by its members. Whatever the bytes say
/// now, a finding keeps at least the record's location.
public struct FindingLocator {
    private enum Source {
        /// Inputs that can be read again, by path, with their format.
        case files([String: InputFormat], isDeclaredKey: @Sendable (String) -> Bool)
        /// Records audited from memory (rule examples), by path and line.
        case records([RecordPlace: RawRecord])
    }

    private struct RecordPlace: Hashable {
        var path: String
        var line: Int?
    }

    private let source: Source
    /// Threads the locator may read on at once (`--jobs`): many records of one input are
    /// read in that many runs, each with a reader of its own.
    public var jobs = 1
    /// Fewest records a run reads: opening the input again costs a few reads.
    static let recordsPerRun = 64
    /// The inputs opened again, kept between calls: the findings stream locates one chunk
    /// of resources at a time, and a reader moves forward cheaply.
    private let opened = OpenedInputs()

    private final class OpenedInputs {
        var byPath: [String: RecordRereader?] = [:]
    }

    /// For an audit of `inputs` (their summaries: path and format); `isDeclaredKey` as the
    /// etcdctl reader needs it to tell where a value ends.
    public init(inputs: [InputSummary], isDeclaredKey: @escaping @Sendable (String) -> Bool) {
        var formats: [String: InputFormat] = [:]
        for input in inputs where input.path != "-" && FileIdentity.isRegular(input.path) {
            if let format = InputFormat(rawValue: input.format) { formats[input.path] = format }
        }
        source = .files(formats, isDeclaredKey: isDeclaredKey)
    }

    /// True when some input is compressed: reading it again behind the last place read
    /// inflates it from its start.
    public var rereadsFromStart: Bool {
        guard case .files(let formats, _) = source else { return false }
        return formats.keys.contains(where: Self.isCompressed)
    }

    private static func isCompressed(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 2)) == Data([0x1f, 0x8b])
    }

    /// For records audited from memory: pointers only (they have no lines of a file).
    public init(records: [RawRecord]) {
        var byPlace: [RecordPlace: RawRecord] = [:]
        for record in records {
            byPlace[RecordPlace(path: record.location.path, line: record.location.line)] = record
        }
        source = .records(byPlace)
    }

    /// One location to find: a finding's own (`related` nil) or one of its related ones.
    private struct Target {
        var finding: Int
        var related: Int?
        var key: String
        var location: SourceLocation
        var member: MemberPath
    }

    /// The findings with their locations found, in report order (which sorts by place).
    public func locate(_ findings: [Finding]) -> [Finding] {
        var targets: [Target] = []
        for (i, finding) in findings.enumerated() {
            if let member = finding.member, let key = finding.keys.first {
                targets.append(Target(finding: i, related: nil, key: key, location: finding.location, member: member))
            }
            for (j, related) in finding.related.enumerated() {
                guard let member = related.member else { continue }
                targets.append(Target(finding: i, related: j, key: related.key, location: related.location, member: member))
            }
        }
        guard !targets.isEmpty else { return findings }
        var out = findings
        for (path, list) in Dictionary(grouping: targets, by: \.location.path) {
            let sorted = list.sorted {
                ($0.location.offset ?? -1, $0.location.line ?? -1) < ($1.location.offset ?? -1, $1.location.line ?? -1)
            }
            for (target, located) in zip(sorted, locate(sorted, in: path)) {
                if let j = target.related { out[target.finding].related[j].location = located } else {
                    out[target.finding].location = located
                }
            }
        }
        return out.sorted(by: Finding.reportOrder)
    }

    /// Where each target (of one input, in offset order) stands: in runs on `jobs`
    /// threads, when the input is a plain file worth reading on more than one.
    private func locate(_ targets: [Target], in path: String) -> [SourceLocation] {
        let runs = min(jobs, targets.count / Self.recordsPerRun)
        guard runs > 1, case .files(let formats, let isDeclaredKey) = source, let format = formats[path],
              !Self.isCompressed(path) else {
            return Self.locate(targets[...], read: reader(for: path))
        }
        return concurrentMap(runs) { run in
            let rereader = try? RecordRereader(path: path, format: format, isDeclaredKey: isDeclaredKey)
            // Run r takes [r·n/runs, (r+1)·n/runs): never empty, never past the end.
            let part = targets[(run * targets.count / runs)..<((run + 1) * targets.count / runs)]
            return Self.locate(part, read: rereader.map { $0.record(at:) })
        }.flatMap { $0 }
    }

    /// Where each target stands, read in turn by `read` (nil: the input cannot be read again).
    private static func locate(_ targets: ArraySlice<Target>, read: ((SourceLocation) -> RereadRecord?)?) -> [SourceLocation] {
        var last: (place: SourceLocation, record: RereadRecord?)?
        return targets.map { target in
            let record: RereadRecord?
            if let last, last.place.offset == target.location.offset, last.place.line == target.location.line {
                record = last.record
            } else {
                record = read?(target.location)
                last = (target.location, record)
            }
            return place(target, in: record?.key.sameBytes(target.key) == true ? record : nil)
        }
    }

    /// How to read the records of one input again, if it can be.
    private func reader(for path: String) -> ((SourceLocation) -> RereadRecord?)? {
        switch source {
        case .files(let formats, let isDeclaredKey):
            guard let format = formats[path] else { return nil }
            // An input that cannot be opened again is remembered as such (nil), not tried again.
            let rereader: RecordRereader?
            if let known = opened.byPath[path] {
                rereader = known
            } else {
                rereader = try? RecordRereader(path: path, format: format, isDeclaredKey: isDeclaredKey)
                opened.byPath.updateValue(rereader, forKey: path)
            }
            return rereader.map { $0.record(at:) }
        case .records(let byPlace):
            return { location in
                byPlace[RecordPlace(path: location.path, line: location.line)].map {
                    RereadRecord(key: $0.key, text: LocatorText($0.value), start: 0, lines: nil)
                }
            }
        }
    }

    /// The target's location once its member is found in `record`; without the record,
    /// the record's location with the pointer the path spells out, if it needs no lookup.
    private static func place(_ target: Target, in record: RereadRecord?) -> SourceLocation {
        var location = target.location
        guard let record else {
            location.pointer = target.member.pointer
            return location
        }
        let position = JSONPositionScanner.locate(target.member, in: record.text, from: record.start)
        location.pointer = position.pointer
        if let lines = record.lines {
            let (line, column) = lineAndColumn(of: position.offset, in: lines.bytes, firstLine: lines.firstLine)
            location.line = line
            location.column = column
        }
        return location
    }
}
