@testable import EtcdAuditCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import XMLCoder

/// JUnit: waived findings are not failures, and `file`/`line` on testcases only when
/// asked for (GitLab reads them; the Jenkins xUnit schema, which scripts/test checks the
/// default report against, forbids them).
struct JUnitReporterTests {
    func testcases(_ result: AuditResult, options: ReportOptions) throws -> [XMLElement] {
        let text = try JUnitReporter().render(result, options: options)
        return try XMLDocument(data: Data(text.utf8)).nodes(forXPath: "//testcase").compactMap { $0 as? XMLElement }
    }

    func named(_ cases: [XMLElement], rule: String, id: String) throws -> XMLElement {
        try #require(cases.first {
            $0.attribute(forName: "classname")?.stringValue == rule && $0.attribute(forName: "name")?.stringValue == "ports/\(id)"
        })
    }

    /// The report escapes its texts itself and tells XMLCoder not to: the bytes must be
    /// XMLCoder's own, in attributes and elements, for every character either escapes.
    @Test func textsEscapedAheadAreXMLCodersOwnBytes() throws {
        struct Node: Encodable, DynamicNodeEncoding {
            var attribute: String
            var text: String
            enum CodingKeys: String, CodingKey { case attribute, text = "" }
            static func nodeEncoding(for key: CodingKey) -> XMLEncoder.NodeEncoding { key.stringValue.isEmpty ? .element : .attribute }
        }
        let nasty = #"a&b<c>d'e"f &amp; é́ 🚀 ]]> <![CDATA[ x"#
        let theirs = XMLEncoder()
        let mine = XMLEncoder()
        mine.charactersEscapedInAttributes = []
        mine.charactersEscapedInElements = []
        for encoder in [theirs, mine] { encoder.outputFormatting = [.prettyPrinted] }
        let expected = try theirs.encode(Node(attribute: nasty, text: nasty), withRootKey: "n")
        let escaped = JUnitReporter.escaped(nasty)
        #expect(try mine.encode(Node(attribute: escaped, text: escaped), withRootKey: "n") == expected)
        #expect(JUnitReporter.escaped("plain text") == "plain text")
    }

    @Test func testcasesHaveNoFileUnlessAsked() throws {
        let result = CodeHostReportSupport.locatedResult()
        let plain = try testcases(result, options: CodeHostReportSupport.options)
        #expect(plain.allSatisfy { $0.attribute(forName: "file") == nil && $0.attribute(forName: "line") == nil })

        var options = CodeHostReportSupport.options
        options.junitFileAttributes = true
        let withFiles = try testcases(result, options: options)
        let finding = result.findings[0]
        let failing = try named(withFiles, rule: finding.rule, id: finding.resourceID)
        #expect(failing.attribute(forName: "file")?.stringValue == finding.location.path)
        #expect(failing.attribute(forName: "line")?.stringValue == finding.location.line.map(String.init))
        let passing = try named(withFiles, rule: "unique.mac-address", id: finding.resourceID)
        #expect(passing.attribute(forName: "file") == nil)
    }

    @Test func aWaivedFindingIsNotAFailure() throws {
        var result = CodeHostReportSupport.locatedResult()
        let waived = result.findings[1]
        var options = CodeHostReportSupport.options
        options.failOn = .warning
        let before = try named(try testcases(result, options: options), rule: waived.rule, id: waived.resourceID)
        #expect(before.elements(forName: "failure").count == 0)
        #expect(before.elements(forName: "system-out").first?.stringValue?.contains("warning, waived: known, see OPS-1") == true)
        result.findings[1].waiver = nil
        let after = try named(try testcases(result, options: options), rule: waived.rule, id: waived.resourceID)
        #expect(after.elements(forName: "failure").count == 1)
    }
}
