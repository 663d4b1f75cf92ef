@testable import EtcdAuditCore
import Testing

/// The one check kind behind the four rules on problems found while reading.
struct InputProblemCheckTests {
    static let allowed = "invalid-json, duplicate-member, duplicate-key, schema"

    @Test(arguments: [RuleParams(), RuleParams(["problem": .string("invalid-jsn")])])
    func aMissingOrUnknownProblemNamesTheFieldAndTheAllowedValues(params: RuleParams) {
        #expect {
            _ = try InputProblemCheck(params: params)
        } throws: { error in
            guard let error = error as? RuleError else { return false }
            return error.field == "params.problem" && error.message.contains(Self.allowed)
        }
    }

    @Test func theProblemMustBeAStringAndTheOnlyParam() {
        #expect(throws: RuleError.self) { try InputProblemCheck(params: RuleParams(["problem": .integer(1)])) }
        #expect(throws: RuleError.self) {
            try InputProblemCheck(params: RuleParams(["problem": .string("schema"), "extra": .bool(true)]))
        }
    }

    @Test func anUnknownProblemInARuleFileNamesFileRuleAndField() {
        let files = BuiltinRules.files + [("mine.yaml", """
            rules:
              - id: my.input
                severity: error
                kind: input-problem
                summary: x
                params: {problem: truncated}
            """)]
        #expect {
            _ = try CatalogLoader.load(files: files)
        } throws: { error in
            let text = "\(error)"
            return ["mine.yaml", "my.input", "params.problem", "truncated", Self.allowed].allSatisfy(text.contains)
        }
    }

    /// Each rule of the kind reports its own problem and no other's: a store with one of
    /// each gives one finding of each rule.
    @Test func eachRuleReportsOnlyItsProblem() {
        let values = [
            ("/config/v2.0/ports/a", #"{"version": 1}"#),                        // no body: schema
            ("/config/v2.0/ports/a", #"{"version": 2}"#),                        // read again: duplicate key
            ("/monitoring/v2.0/ports/a", #"{"version": 1, "vmi": "OK", "vmi": "OK"}"#),  // duplicate member
            ("/state/v2.0/ports/a", #"{"state": "#),                             // invalid JSON
        ]
        let records = values.enumerated().map { index, record in
            RawRecord(key: record.0, value: Array(record.1.utf8), location: SourceLocation(path: "x", line: index + 1))
        }
        let rules = ["input.duplicate-key", "input.duplicate-member", "input.invalid-json", "schema.invalid"]
        let findings = Auditor(catalog: TestSupport.catalog).audit(records: records).findings
        #expect(findings.map(\.rule).filter(rules.contains).sorted() == rules)
    }
}
