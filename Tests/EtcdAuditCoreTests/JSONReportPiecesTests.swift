@testable import EtcdAuditCore
import Foundation
import Testing

/// The JSON report encodes its findings a few hundred at a time and splices them into the
/// document: the bytes must be those of the whole document encoded at once, wherever the
/// pieces end.
struct JSONReportPiecesTests {
    /// The report as Foundation writes the whole document in one piece.
    static func reference(_ result: AuditResult, options: ReportOptions) throws -> String {
        var tally = FindingTally(perFile: result.isPerFile)
        for finding in result.findings { tally.add(finding) }
        let document = JSONReporter.document(result, tally: tally,
                                             findings: result.findings.map { JSONReporter.ReportedFinding(finding: $0) },
                                             options: options)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }

    @Test func piecesMakeTheSameBytesAsTheWholeDocument() throws {
        let broken = TestSupport.discover("Samples/broken").map { "Samples/broken/\($0)" }
        let result = TestSupport.audit(broken)
        #expect(result.findings.count > 10, "enough findings to cut: \(result.findings.count)")
        var options = ReportOptions(failOn: .warning)
        let whole = try Self.reference(result, options: options)
        // Written on one thread and on three, which write pieces side by side.
        for (perPiece, jobs) in [1, 2, 7, result.findings.count - 1, result.findings.count, JSONReporter.findingsPerPiece]
            .flatMap({ perPiece in [(perPiece, 1), (perPiece, 3)] }) {
            options.jobs = jobs
            let pieces = try JSONReporter().render(result, options: options, history: nil, findingsPerPiece: perPiece)
            #expect(pieces == whole, "\(perPiece) findings a piece, \(jobs) jobs")
        }
    }

    /// The findings are written by `PrettyJSONEncoder`, not Foundation: the same bytes for
    /// every character JSON escapes or keeps, waivers, baseline marks and history's dates.
    @Test func findingsWrittenByHandAreFoundationsBytes() throws {
        var result = TestSupport.audit(["Samples/seeds/003_316c7d162925404b.txt"])
        let nasty = "q\"b\\s/ctl\u{0}\u{1}\u{8}\u{9}\u{A}\u{C}\u{D}\u{1F}\u{7F} é 🚀 \u{2028}"
        result.findings[0].message = nasty
        result.findings[0].actual = nasty
        result.findings[0].expected = ""
        result.findings[1].waiver = WaiverMark(reason: nasty, expires: "2027-01-31")
        result.findings[2].baseline = .new
        result.findings[2].related = []
        let options = ReportOptions(failOn: .warning)
        #expect(try JSONReporter().render(result, options: options) == (try Self.reference(result, options: options)))

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let dated = JSONReporter.ReportedFinding(finding: result.findings[0], introduced: WriteRef(revision: 42, key: nil))
        let foundation = String(decoding: try encoder.encode([dated]), as: UTF8.self)
        let mine = try #require(PrettyJSONEncoder.encode(dated, depth: 1))
        #expect(foundation == "[\n  " + String(decoding: mine, as: UTF8.self) + "\n]")
        // Values Foundation formats its own way, and forms the reports never use, are left to it.
        #expect(PrettyJSONEncoder.encode(["elapsed": 1.5], depth: 0) == nil)
        #expect(PrettyJSONEncoder.encode(["café": 1], depth: 0) == nil)
        struct Twice: Encodable {
            enum Key: String, CodingKey { case a }
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: Key.self)
                try c.encode(1, forKey: .a)
                try c.encode(2, forKey: .a)
            }
        }
        struct Super: Encodable {
            enum Key: String, CodingKey { case a }
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: Key.self)
                try c.encode(1, forKey: .a)
                try "base".encode(to: c.superEncoder())
            }
        }
        #expect(PrettyJSONEncoder.encode(Twice(), depth: 0) == nil && PrettyJSONEncoder.encode(Super(), depth: 0) == nil)
        let empties: [String: [String: [Int]]] = ["empty": [:], "lists": ["none": [], "one": [7]]]
        #expect(PrettyJSONEncoder.encode(empties, depth: 0).map { String(decoding: $0, as: UTF8.self) }
            == String(decoding: try encoder.encode(empties), as: UTF8.self))
    }

    @Test func aReportWithoutFindingsKeepsItsEmptyList() throws {
        var result = TestSupport.audit(["Samples/seeds/000_1cd8ab2a63ae2a87.txt"])
        result.findings = []
        let options = ReportOptions(failOn: .warning)
        let report = try JSONReporter().render(result, options: options)
        #expect(report == (try Self.reference(result, options: options)))
        #expect(report.contains("\n  \"findings\" : [\n\n  ],\n"))
    }
}
