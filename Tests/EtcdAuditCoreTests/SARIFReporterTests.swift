@testable import EtcdAuditCore
import Foundation
import Testing

/// The SARIF report: rules, results, locations, suppressions, fingerprints and
/// notifications, read back as JSON. scripts/test also runs ../shared/conformance's
/// check_sarif.sh (OASIS schema, sarif-tools) on the seeds, every broken sample, the bad
/// values and the fixtures.
struct SARIFReporterTests {
    typealias Object = [String: Any]

    func render(_ result: AuditResult, options: ReportOptions = CodeHostReportSupport.options) throws -> Object {
        let text = try SARIFReporter().render(result, options: options)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? Object)
    }

    func run(_ log: Object) throws -> Object {
        try #require((log["runs"] as? [Object])?.first)
    }

    @Test func everyRuleIsDescribedAndEveryResultPointsAtItsRule() throws {
        let result = CodeHostReportSupport.locatedResult()
        let log = try render(result)
        #expect(log["version"] as? String == "2.1.0")
        let run = try run(log)
        let rules = try #require(((run["tool"] as? Object)?["driver"] as? Object)?["rules"] as? [Object])
        #expect(rules.map { $0["id"] as? String } == result.rules.map(\.id))
        let mac = try #require(rules.first { $0["id"] as? String == "heat-outputs.mac-mismatch" })
        #expect((mac["helpUri"] as? String)?.hasSuffix("docs/RULES.md#heat-outputsmac-mismatch") == true)
        #expect((mac["defaultConfiguration"] as? Object)?["level"] as? String == "warning")
        #expect(((mac["fullDescription"] as? Object)?["text"] as? String)?.isEmpty == false)
        #expect(((mac["help"] as? Object)?["markdown"] as? String)?.contains("Declared in the rule language") == true)
        let monitoring = try #require(rules.first { $0["id"] as? String == "monitoring.failed" })
        #expect(((monitoring["help"] as? Object)?["markdown"] as? String)?.contains("`failed_values`: `[\"FAIL\"]`") == true)

        let results = try #require(run["results"] as? [Object])
        #expect(results.count == result.findings.count)
        for (sarif, finding) in zip(results, result.findings) {
            let index = try #require(sarif["ruleIndex"] as? Int)
            #expect(rules[index]["id"] as? String == finding.rule)
            #expect(sarif["ruleId"] as? String == finding.rule)
            #expect(sarif["level"] as? String == SARIFReporter.level(finding.severity))
        }
    }

    @Test func theMemberAtFaultIsTheRegionAndTheOtherRecordsAreRelated() throws {
        let result = CodeHostReportSupport.locatedResult()
        let first = try #require((try run(render(result))["results"] as? [Object])?.first)
        let location = try #require((first["locations"] as? [Object])?.first)
        let physical = try #require(location["physicalLocation"] as? Object)
        #expect((physical["artifactLocation"] as? Object)?["uri"] as? String == "Samples/seeds/003_316c7d162925404b.txt")
        let region = try #require(physical["region"] as? Object)
        #expect(region["startLine"] as? Int == result.findings[0].location.line)
        #expect(region["startColumn"] as? Int == 7)
        let logical = try #require(location["logicalLocations"] as? [Object])
        #expect(logical.map { $0["fullyQualifiedName"] as? String }
                == [result.findings[0].keys[0], result.findings[0].keys[0] + "#/output/0/output_value"])
        let related = try #require(first["relatedLocations"] as? [Object])
        #expect(related.count == result.findings[0].related.count)
        let other = try #require(related.first?["physicalLocation"] as? Object)
        #expect((other["region"] as? Object)?["startLine"] as? Int == result.findings[0].related[0].location.line)
        #expect(((first["message"] as? Object)?["text"] as? String)?.contains("mod_revision 42") == true)
    }

    @Test func aWaivedFindingIsSuppressedAndKeepsItsLevel() throws {
        let results = try #require(try run(render(CodeHostReportSupport.locatedResult()))["results"] as? [Object])
        let suppressions = try #require(results[1]["suppressions"] as? [Object])
        #expect(suppressions.count == 1)
        #expect(suppressions[0]["kind"] as? String == "external")
        #expect(suppressions[0]["justification"] as? String == "known, see OPS-1: monitoring is down")
        #expect((suppressions[0]["properties"] as? Object)?["expires"] as? String == "2027-01-31")
        #expect(results[1]["level"] as? String == "warning")
        #expect(results[0]["suppressions"] == nil)
    }

    @Test func fingerprintsDoNotMoveWithLines() throws {
        let result = TestSupport.audit(CodeHostReportSupport.seeds)
        var moved = result
        for i in moved.findings.indices {
            moved.findings[i].location.line? += 30
            moved.findings[i].location.offset? += 900
        }
        func fingerprints(_ result: AuditResult) throws -> [String] {
            try #require(try run(render(result))["results"] as? [Object]).map {
                ($0["partialFingerprints"] as? Object)?[SARIFReporter.fingerprintKey] as? String ?? ""
            }
        }
        let before = try fingerprints(result)
        #expect(try fingerprints(moved) == before)
        #expect(Set(before).count == before.count)  // the two refs.duplicate findings stay apart
        #expect(!before.contains(""))
    }

    @Test func inputsWithoutLinesGiveLineOneAndTheByteOffsetInWords() throws {
        let result = CodeHostReportSupport.linelessResult()
        let results = try #require(try run(render(result))["results"] as? [Object])
        #expect(results.count == result.findings.count)
        for (sarif, finding) in zip(results, result.findings) {
            let physical = (sarif["locations"] as? [Object])?.first?["physicalLocation"] as? Object
            #expect((physical?["region"] as? Object)?["startLine"] as? Int == 1)
            #expect((physical?["region"] as? Object)?["startColumn"] == nil)
            let text = (sarif["message"] as? Object)?["text"] as? String ?? ""
            #expect(text.contains("byte offset \(finding.location.offset!)"))
            #expect((sarif["properties"] as? Object)?["byteOffset"] as? Int == finding.location.offset)
        }
    }

    @Test func unreadableInputsAreNotificationsAndTheExecutionFails() throws {
        let result = TestSupport.audit(["Tests/Cases/etcdctl-json-cut-off/input.json", "Tests/Cases/jsonl-line-not-json/input.jsonl"])
        let invocation = try #require((try run(render(result))["invocations"] as? [Object])?.first)
        #expect(invocation["executionSuccessful"] as? Bool == false)
        let notifications = try #require(invocation["toolExecutionNotifications"] as? [Object])
        #expect(notifications.map { $0["level"] as? String ?? "" }.sorted() == ["error", "warning"])
        let clean = try #require((try run(render(TestSupport.audit(CodeHostReportSupport.seeds)))["invocations"] as? [Object])?.first)
        #expect(clean["executionSuccessful"] as? Bool == true)
        #expect((clean["toolExecutionNotifications"] as? [Any])?.isEmpty == true)
    }

    @Test func pathsOutsideTheWorkingDirectoryAreFileURIs() throws {
        var result = CodeHostReportSupport.locatedResult()
        result.findings[0].location.path = TestSupport.path(result.findings[0].location.path)
        func uri(workingDirectory: String) throws -> String? {
            let log = try render(result, options: ReportOptions(workingDirectory: workingDirectory))
            let first = (try run(log)["results"] as? [Object])?.first
            let physical = (first?["locations"] as? [Object])?.first?["physicalLocation"] as? Object
            return (physical?["artifactLocation"] as? Object)?["uri"] as? String
        }
        #expect(try uri(workingDirectory: "/somewhere/else") == "file://" + TestSupport.path("Samples/seeds/003_316c7d162925404b.txt"))
        #expect(try uri(workingDirectory: TestSupport.root.path) == "Samples/seeds/003_316c7d162925404b.txt")
        #expect(SARIFReporter.uri("dumps/a b:c.json") == "dumps/a%20b%3Ac.json")
    }
}
