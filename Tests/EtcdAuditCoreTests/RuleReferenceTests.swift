@testable import EtcdAuditCore
import Foundation
import Testing
import Yams

/// docs/RULES.md as the reference of the rule language: it lists every operator, and each
/// declared rule's declaration, as YAML that reads back as the rule says it.
struct RuleReferenceTests {
    static let reference = CatalogDocument.markdown(TestSupport.catalog)

    @Test func theLanguageSectionListsEveryOperatorAndRecordKind() {
        #expect(Self.reference.contains("\n## The rule language\n"))
        for op in Operator.allCases {
            #expect(Self.reference.contains("\n| `\(op.rawValue)` | "), "\(op.rawValue) is not in the operator table")
        }
        for kind in RecordKind.allCases { #expect(Self.reference.contains("`\(kind.rawValue)`")) }
        for word in MessageTemplate.words.union(["value.NAME"]) { #expect(Self.reference.contains("`{\(word)}`"), "{\(word)} is not documented") }
    }

    @Test func eachDeclaredRuleShowsItsDeclaration() throws {
        let declared = TestSupport.catalog.rules.filter { $0.kind == DeclaredCheck.kind }
        #expect(declared.count >= 15, "only \(declared.count) declared rules")
        for rule in declared {
            let yaml = try #require(CatalogDocument.declaration(rule), "\(rule.id) has no declaration")
            #expect(Self.reference.contains("```yaml\n\(yaml)```\n"), "\(rule.id): its declaration is not in the reference")
            // Read back, it is the declaration the rule was loaded from.
            let node = try #require(try Yams.compose(yaml: yaml), "\(rule.id): not YAML:\n\(yaml)")
            guard case .object(let members) = JSONValue(yaml: node) else {
                Issue.record("\(rule.id): not a mapping:\n\(yaml)")
                continue
            }
            for member in members { #expect(rule.params.values[member.name] == member.value, "\(rule.id).\(member.name) reads back otherwise:\n\(yaml)") }
            let fields = CatalogDocument.declarationFields.filter { rule.params.values[$0] != nil }
            #expect(members.map(\.name) == fields, "\(rule.id)")
        }
        #expect(!Self.reference.contains("check kind `declared`"))
    }

    @Test func textsThatYAMLWouldReadOtherwiseAreQuoted() throws {
        let value = JSONValue.array(["true", "1", "2.5", "", "a: b", "{x}", "job[1].id", "-x", "null", "plain_text-1.x",
                                     "ü", "#c"].map(JSONValue.string))
        let yaml = YAMLText.block("v", value, indent: "")
        let node = try #require(try Yams.compose(yaml: yaml))
        #expect(JSONValue(yaml: node) == .object([JSONMember("v", value)]), "\(yaml)")
        #expect(yaml.contains("plain_text-1.x") && !yaml.contains("\"plain_text-1.x\"") && yaml.contains("\"true\""))
    }
}
