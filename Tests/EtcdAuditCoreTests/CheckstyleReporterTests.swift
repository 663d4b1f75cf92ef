@testable import EtcdAuditCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Checkstyle XML, validated with scripts/conformance/check_checkstyle.py: xmllint against
/// checkstyle.xsd (written from Checkstyle's XMLLogger and warnings-ng's parser), then
/// parsed by diff-cover, a real consumer of Checkstyle reports.
struct CheckstyleReporterTests {
    func render(_ result: AuditResult) throws -> String {
        try CheckstyleReporter().render(result, options: CodeHostReportSupport.options)
    }

    /// The `<error>` elements, file by file, as an XML parser reads them back.
    func errors(_ text: String) throws -> [(file: String, attributes: [String: String])] {
        let document = try XMLDocument(data: Data(text.utf8))
        return try document.nodes(forXPath: "/checkstyle/file/error").map { node in
            let element = try #require(node as? XMLElement)
            let file = try #require((element.parent as? XMLElement)?.attribute(forName: "name")?.stringValue)
            var attributes: [String: String] = [:]
            for attribute in element.attributes ?? [] { attributes[attribute.name ?? ""] = attribute.stringValue }
            return (file, attributes)
        }
    }

    /// The `<error>` written for `finding`: same file, line and rule.
    static func isError(_ error: (file: String, attributes: [String: String]), of finding: Finding) -> Bool {
        error.file == finding.location.path && error.attributes["line"] == finding.location.line.map(String.init)
            && error.attributes["source"] == "etcd-audit." + finding.rule
    }

    /// An attribute value: markup characters as entities, tabs and line ends as character
    /// references (a parser turns raw ones into spaces), controls shown, the rest as it is.
    @Test func attributeValuesEscapeMarkupAndKeepLineEnds() {
        #expect(ReportText.xmlAttribute("a&b<c>d\"e'f\tg\nh\ri\u{1}é🚀")
                == "a&amp;b&lt;c&gt;d&quot;e'f&#9;g&#10;h&#13;i\\u{1}é🚀")
        #expect(ReportText.xmlAttribute("plain") == "plain")
    }

    @Test func oneErrorPerFindingGroupedByFile() throws {
        let result = CodeHostReportSupport.locatedResult()
        let out = try errors(try render(result))
        #expect(out.count == result.findings.count)
        #expect(out.map(\.file) == out.map(\.file).sorted())
        let first = try #require(out.first(where: { Self.isError($0, of: result.findings[0]) }))
        #expect(first.file == result.findings[0].location.path)
        #expect(first.attributes["line"] == result.findings[0].location.line.map(String.init))
        #expect(first.attributes["column"] == "7")
        #expect(first.attributes["source"] == "etcd-audit.heat-outputs.mac-mismatch")
        #expect(first.attributes["message"]?.contains("member /output/0/output_value") == true)
        let waived = try #require(out.first { $0.attributes["source"] == "etcd-audit.monitoring.failed" })
        #expect(waived.attributes["severity"] == "info")
        #expect(waived.attributes["message"]?.contains("waived: known, see OPS-1") == true)
        #expect(out.filter { $0.attributes["severity"] == "error" }.count == 2)
    }

    @Test func attributeValuesSurviveQuotesMarkupLineEndsAndControlCharacters() throws {
        var result = CodeHostReportSupport.locatedResult()
        result.findings[0].message = "a \"quoted\" <tag> & 'more'\nsecond line\t\u{1}"
        let message = try #require(try errors(try render(result)).first(where: { Self.isError($0, of: result.findings[0]) })?
            .attributes["message"])
        #expect(message.contains("a \"quoted\" <tag> & 'more'\nsecond line\t\\u{1}"))
    }

    @Test func consumersReadTheReport() throws {
        for result in [CodeHostReportSupport.locatedResult(), CodeHostReportSupport.linelessResult()] {
            let against = try CodeHostReportSupport.jsonReportFile(result)
            let check = try CodeHostReportSupport.validate("check_checkstyle.py", try render(result), name: "r.xml",
                                                           extra: ["--against", against])
            #expect(check.code == 0, "\(check.out)")
        }
    }

    @Test func theValidatorRejectsAnErrorWithoutSource() throws {
        let text = try render(CodeHostReportSupport.locatedResult())
            .replacingOccurrences(of: " source=\"etcd-audit.unique.vmi\"", with: "")
        let check = try CodeHostReportSupport.validate("check_checkstyle.py", text, name: "bad.xml")
        #expect(check.code == 1, "\(check.out)")
        #expect(check.out.contains("source"))
    }
}
