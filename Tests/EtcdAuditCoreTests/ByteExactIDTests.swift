@testable import EtcdAuditCore
import Foundation
import Testing

/// etcd compares keys as bytes: an id spelled NFC (é as U+00E9) and the same id spelled NFD
/// (e + U+0301) are two keys, so two resources. Swift's String `==` and `<` follow canonical
/// equivalence and would call them one; the join, the rules, the report order, every report
/// and baselines must keep them apart. Every comparison here is on bytes for that reason.
struct ByteExactIDTests {
    static let nfc = "port-\u{E9}"
    static let nfd = "port-e\u{301}"
    /// The two ids in byte order (NFD's `e` is 0x65, NFC's é starts with 0xC3).
    static let ids: [[UInt8]] = [Array(nfd.utf8), Array(nfc.utf8)]

    /// Each port has a config (both with one MAC: unique.mac-address on each) and a
    /// monitoring record that reports FAIL (monitoring.failed on each).
    static func audit() throws -> AuditResult {
        var lines: [String] = []
        for id in [nfc, nfd] {
            lines.append("/config/v2.0/ports/\(id)")
            lines.append(#"{"body": {"id": "\#(id)", "mac_address": "fa:16:3e:00:00:01"}, "version": 1}"#)
            lines.append("/monitoring/v2.0/ports/\(id)")
            lines.append(#"{"version": 1, "vmi": "FAIL"}"#)
        }
        let path = try TestSupport.temporaryFile(lines.joined(separator: "\n") + "\n")
        return Auditor(catalog: TestSupport.catalog).audit(paths: [path])
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// How many times `needle`'s bytes occur in `text`'s.
    static func occurrences(of needle: String, in text: String) -> Int {
        let hay = bytes(text), pin = bytes(needle)
        guard !pin.isEmpty, hay.count >= pin.count else { return 0 }
        return (0...(hay.count - pin.count)).filter { hay[$0..<($0 + pin.count)].elementsEqual(pin) }.count
    }

    @Test func theTwoSpellingsAreTwoResourcesEachWithItsFindings() throws {
        let result = try Self.audit()
        #expect(result.resources.map { Self.bytes($0.id) } == Self.ids)
        for id in Self.ids {
            let mine = result.findings.filter { Self.bytes($0.resourceID) == id }
            #expect(mine.map(\.rule).sorted() == ["monitoring.failed", "unique.mac-address"],
                    "\(String(decoding: id, as: UTF8.self)): \(mine.map(\.message))")
            // The uniqueness finding names the other spelling, not its own.
            let unique = try #require(mine.first { $0.rule == "unique.mac-address" })
            let other = Self.ids.first { $0 != id }!
            #expect(Self.occurrences(of: String(decoding: other, as: UTF8.self), in: unique.message) == 1, "\(unique.message)")
        }
    }

    @Test func reportOrderKeepsEachResourceTogetherInByteOrder() throws {
        let result = try Self.audit()
        let order = result.findings.map { Self.bytes($0.resourceID) + [0] + Self.bytes($0.rule) }
        #expect(result.findings.map { Self.bytes($0.resourceID) } == [Self.ids[0], Self.ids[0], Self.ids[1], Self.ids[1]])
        // The order is total: any arrangement sorts back to it.
        for seed in 0..<8 {
            var generator = SeededGenerator(seed: UInt64(seed))
            let sorted = result.findings.shuffled(using: &generator).sorted(by: Finding.reportOrder)
            #expect(sorted.map { Self.bytes($0.resourceID) + [0] + Self.bytes($0.rule) } == order)
        }
    }

    @Test("every report keeps the two resources apart", arguments: ReportFormat.allCases)
    func reports(format: ReportFormat) throws {
        let result = try Self.audit()
        let text = try Reporters.reporter(for: format).render(result, options: ReportOptions(failOn: .warning))
        switch format {
        case .text:
            // One heading per resource, each followed by its own two findings.
            for id in [Self.nfc, Self.nfd] {
                #expect(Self.occurrences(of: "\nport \(id)\n", in: "\n" + text) == 1, "\(text)")
            }
        case .junit:
            // Each resource's testcase in each suite holds its own findings only: two
            // resources with two failing findings each.
            #expect(Self.occurrences(of: "<failure ", in: text) == 4, "\(text)")
        case .prometheus:
            // Counts only: four findings, of two rules.
            #expect(text.contains("rule=\"unique.mac-address\",severity=\"error\"} 2"), "\(text)")
            #expect(text.contains("rule=\"monitoring.failed\",severity=\"warning\"} 2"), "\(text)")
        default:
            for id in [Self.nfc, Self.nfd] {
                #expect(Self.occurrences(of: id, in: text) > 0, "\(format): no \(Array(id.unicodeScalars))")
            }
        }
        if format == .json {
            let report = try JSONDecoder().decode(ReportJSON.self, from: Data(text.utf8))
            #expect(report[member: "summary"]?[member: "records_with_findings"] == .integer(4))
        }
    }

    @Test func redactedIdsAreTwoDigests() throws {
        var result = try Self.audit()
        Redaction(scope: .ids, rules: result.rules).apply(to: &result)
        let digests = result.findings.map(\.resourceID)
        #expect(Set(digests.map(Self.bytes)).count == 2)
        #expect(Set(digests.map(Self.bytes)) == Set([Self.nfc, Self.nfd].map { Self.bytes(Redaction.digest($0, tag: "id")) }))
        for finding in result.findings where finding.rule == "unique.mac-address" {
            // The other resource's digest, never its own.
            #expect(!finding.message.contains(finding.resourceID), "\(finding.message)")
        }
    }

    @Test func aBaselineMatchesEachResourceToItself() throws {
        let full = try Self.audit()
        // A baseline that had only the NFC resource's findings.
        var old = full
        old.findings = full.findings.filter { Self.bytes($0.resourceID) == Self.bytes(Self.nfc) }
        let path = try TestSupport.temporaryFile(try JSONReporter().render(old, options: ReportOptions()), name: "old.json")
        var result = try Self.audit()
        try Baseline(path: path).apply(to: &result)
        for finding in result.findings {
            let expected: BaselineState = Self.bytes(finding.resourceID) == Self.bytes(Self.nfc) ? .existing : .new
            #expect(finding.baseline == expected, "\(finding.rule) \(Array(finding.resourceID.unicodeScalars))")
        }
        #expect(result.baseline?.new == 2 && result.baseline?.existing == 2 && result.baseline?.resolved.isEmpty == true)
    }

    @Test func aWaiverNamesOneSpellingOnly() throws {
        for (id, other) in [(Self.nfc, Self.nfd), (Self.nfd, Self.nfc)] {
            for text in ["port/\(id)", "port/port-?", "port/*"] {
                #expect(try ResourcePattern(text).matches(type: "port", plural: "ports", id: id), "\(text)")
            }
            #expect(try !ResourcePattern("port/\(id)").matches(type: "port", plural: "ports", id: other))
        }
    }
}

/// A small deterministic generator (SplitMix64), so a failing shuffle can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
