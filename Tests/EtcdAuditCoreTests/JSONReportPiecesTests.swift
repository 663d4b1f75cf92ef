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
        let options = ReportOptions(failOn: .warning)
        let whole = try Self.reference(result, options: options)
        for perPiece in [1, 2, 7, result.findings.count - 1, result.findings.count, JSONReporter.findingsPerPiece] {
            let pieces = try JSONReporter().render(result, options: options, history: nil, findingsPerPiece: perPiece)
            #expect(pieces == whole, "\(perPiece) findings a piece")
        }
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
