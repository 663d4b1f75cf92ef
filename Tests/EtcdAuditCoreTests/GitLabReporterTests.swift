@testable import EtcdAuditCore
import Foundation
import Testing

/// GitLab Code Quality: the fields GitLab reads, validated against the Code Climate issue
/// schema of scripts/conformance (python jsonschema). scripts/test also runs
/// ../shared/conformance/check_gitlab_codequality.py on every sample.
struct GitLabReporterTests {
    typealias Object = [String: Any]

    func render(_ result: AuditResult) throws -> (text: String, issues: [Object]) {
        let text = try GitLabReporter().render(result, options: CodeHostReportSupport.options)
        return (text, try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Object]))
    }

    @Test func oneIssuePerFindingWithTheFieldsGitLabReads() throws {
        let result = CodeHostReportSupport.locatedResult()
        let issues = try render(result).issues
        #expect(issues.count == result.findings.count)
        for (issue, finding) in zip(issues, result.findings) {
            #expect(issue["type"] as? String == "issue")
            #expect(issue["check_name"] as? String == finding.rule)
            let location = try #require(issue["location"] as? Object)
            #expect(location["path"] as? String == finding.location.path)
            #expect((location["lines"] as? Object)?["begin"] as? Int == finding.location.line)
            #expect((issue["description"] as? String)?.hasPrefix("\(finding.resourceType) \(finding.resourceID): ") == true)
        }
        #expect(issues.map { $0["severity"] as? String } == ["minor", "info", "minor", "minor", "major", "minor", "major"])
        #expect((issues[1]["description"] as? String)?.contains("waived: known, see OPS-1") == true)
        let trace = try #require((issues[0]["trace"] as? Object)?["locations"] as? [Object])
        #expect(trace.count == result.findings[0].related.count)
        #expect(((issues[0]["content"] as? Object)?["body"] as? String)?.contains("expected: ") == true)
    }

    @Test func fingerprintsAreUniqueAndDoNotMoveWithLines() throws {
        var result = TestSupport.audit(CodeHostReportSupport.seeds)
        result.findings.append(result.findings[0])  // the same finding twice
        func fingerprints(_ result: AuditResult) throws -> [String] {
            try render(result).issues.map { $0["fingerprint"] as? String ?? "" }
        }
        let before = try fingerprints(result)
        #expect(Set(before).count == before.count)
        #expect(before.last == before.first! + "-2")
        for i in result.findings.indices { result.findings[i].location.line? += 12 }
        #expect(try fingerprints(result) == before)
    }

    @Test func descriptionsStayOnOneLine() throws {
        var result = CodeHostReportSupport.locatedResult()
        result.findings[0].message = "first\nsecond\r\nthird"
        let description = try render(result).issues[0]["description"] as? String
        #expect(description?.hasSuffix("first second third") == true)
    }

    @Test func theReportIsValidAgainstTheCodeClimateIssueSchema() throws {
        for result in [CodeHostReportSupport.locatedResult(), CodeHostReportSupport.linelessResult()] {
            let check = try CodeHostReportSupport.validate("check_codequality_schema.py", try render(result).text, name: "r.cq.json")
            #expect(check.code == 0, "\(check.out)")
        }
    }

    @Test func theSchemaRejectsWhatGitLabCannotRead() throws {
        var (_, issues) = try render(CodeHostReportSupport.locatedResult())
        issues[0]["location"] = ["path": "a.md"]  // no line
        issues[1]["severity"] = "error"  // not a Code Climate severity
        issues[2]["description"] = "two\nlines"
        let text = String(decoding: try JSONSerialization.data(withJSONObject: issues), as: UTF8.self)
        let check = try CodeHostReportSupport.validate("check_codequality_schema.py", text, name: "bad.cq.json")
        #expect(check.code == 1, "\(check.out)")
        #expect(check.out.contains("at /0/location"))
        #expect(check.out.contains("at /1/severity"))
        #expect(check.out.contains("at /2/description"))
    }
}
