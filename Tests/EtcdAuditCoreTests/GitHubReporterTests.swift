@testable import EtcdAuditCore
import Foundation
import Testing

/// GitHub workflow commands, read back the way the Actions runner parses them
/// (actions/runner ActionCommand.TryParseV2: command info up to the next `::`, properties
/// split at `,` and `=`, then unescaped). scripts/test also runs
/// ../shared/conformance/check_github_annotations.py on every sample.
struct GitHubReporterTests {
    struct Annotation {
        var command: String
        var properties: [String: String]
        var message: String
    }

    /// One line as the runner reads it.
    static func parse(_ line: Substring) -> Annotation? {
        guard line.hasPrefix("::"), let end = line.dropFirst(2).range(of: "::") else { return nil }
        let info = line[line.index(line.startIndex, offsetBy: 2)..<end.lowerBound]
        let name = info.prefix { $0 != " " }
        var properties: [String: String] = [:]
        for part in info.dropFirst(name.count).split(separator: ",") {
            guard let equals = part.firstIndex(of: "=") else { return nil }
            let key = part[..<equals].trimmingCharacters(in: .whitespaces)
            properties[key] = unescape(String(part[part.index(after: equals)...]),
                                       [("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")])
        }
        return Annotation(command: String(name), properties: properties,
                          message: unescape(String(line[end.upperBound...]), [("%0D", "\r"), ("%0A", "\n"), ("%25", "%")]))
    }

    static func unescape(_ text: String, _ table: [(String, String)]) -> String {
        table.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    func annotations(_ result: AuditResult, options: ReportOptions = CodeHostReportSupport.options) throws -> [Annotation] {
        let text = try GitHubReporter().render(result, options: options)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(text.hasSuffix("\n"))
        return try lines.map { try #require(Self.parse($0), "not a workflow command: \($0)") }
    }

    @Test func oneCommandPerFindingWithFileLineColumnAndTitle() throws {
        let result = CodeHostReportSupport.locatedResult()
        let out = try annotations(result)
        #expect(out.count == result.findings.count)
        #expect(out.map(\.properties["title"]) == result.findings.map { $0.rule + ($0.waiver == nil ? "" : " (waived)") })
        #expect(out[0].command == "warning")
        #expect(out[0].properties["file"] == "Samples/seeds/003_316c7d162925404b.txt")
        #expect(out[0].properties["line"] == result.findings[0].location.line.map(String.init))
        #expect(out[0].properties["col"] == "7")
        #expect(out[0].message.hasPrefix("port \(result.findings[0].resourceID): \(result.findings[0].message)\n"))
        #expect(out[0].message.contains("member /output/0/output_value"))
        #expect(out[2].properties["col"] == result.findings[2].location.column.map(String.init))
        #expect(out.allSatisfy { Set($0.properties.keys).isSubset(of: ["file", "line", "col", "title"]) })
        #expect(out.filter { $0.command == "error" }.count == result.findings.filter { $0.severity == .error }.count)
    }

    @Test func aWaivedFindingKeepsItsLevelWithItsReasonAndInfoIsANotice() throws {
        var result = CodeHostReportSupport.locatedResult()
        result.findings[2].severity = .info
        let out = try annotations(result)
        #expect(result.findings[1].severity == .warning)
        #expect(out[1].command == "warning")
        #expect(out[1].properties["title"] == "\(result.findings[1].rule) (waived)")
        #expect(out[1].message.contains("(waived: known, see OPS-1: monitoring is down, until 2027-01-31)"))
        #expect(out[2].command == "notice")
    }

    @Test func textThatWouldEndACommandIsEscapedAndComesBackWhole() throws {
        var result = CodeHostReportSupport.locatedResult()
        let nasty = "100% sure:: a, b=c\r\nnext line \u{1}"
        result.findings[0].message = nasty
        result.findings[0].rule = "rule:with,comma"
        result.findings[0].location.path = "dir, with:: odd%names.md"
        let text = try GitHubReporter().render(result, options: CodeHostReportSupport.options)
        #expect(text.split(separator: "\n").count == result.findings.count)
        #expect(!text.contains("\r"))
        let first = try #require(try annotations(result).first)
        #expect(first.properties["file"] == "dir, with:: odd%names.md")
        #expect(first.properties["title"] == "rule:with,comma")
        #expect(first.message.contains("100% sure:: a, b=c\r\nnext line \\u{1}"))
    }

    /// A finding quoting a huge value (a value can be megabytes): one line a person can read, its middle left
    /// out, in the annotation and the text report; the JSON report keeps it whole.
    @Test func aHugeMessageIsShortenedWhereAPersonReadsIt() throws {
        var result = CodeHostReportSupport.locatedResult()
        let huge = "body.mac_address is " + String(repeating: "x", count: 300_000) + ", expected fa:16:3e:84:84:13"
        result.findings[0].message = huge
        let first = try #require(try annotations(result).first)
        #expect(first.message.count < 1500)
        #expect(first.message.contains("body.mac_address is xxx"))
        #expect(first.message.contains("characters left out) …"))
        #expect(first.message.contains(", expected fa:16:3e:84:84:13"))
        let text = try TextReporter().render(result, options: CodeHostReportSupport.options)
        #expect(text.split(separator: "\n").allSatisfy { $0.count < 1200 })
        #expect(text.contains(", expected fa:16:3e:84:84:13\n"))
        #expect(try JSONReporter().render(result, options: CodeHostReportSupport.options).contains(huge))
        // The HTML page, for a ticket, shortens the message and the values it quotes.
        result.findings[0].actual = huge
        let page = try HTMLReporter().render(result, options: CodeHostReportSupport.options)
        #expect(!page.contains(String(repeating: "x", count: 5000)) && page.contains("characters left out"))
    }

    @Test func inputsWithoutLinesAreOnLineOne() throws {
        let result = CodeHostReportSupport.linelessResult()
        for (annotation, finding) in zip(try annotations(result), result.findings) {
            #expect(annotation.properties["line"] == "1")
            #expect(annotation.properties["col"] == nil)
            #expect(annotation.message.contains("byte offset \(finding.location.offset!)"))
        }
    }

    @Test func theSummaryCountsFindingsWaiversAndInputErrors() {
        let summary = GitHubReporter.summary(CodeHostReportSupport.locatedResult())
        #expect(summary == "etcd-audit: 7 findings (2 error, 5 warning, 0 info; 1 waived), 2 inputs, 0 input errors")
    }
}
