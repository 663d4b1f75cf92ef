import EtcdAuditCore
import Foundation
import Testing

/// The store leaves out what only `distinct` reads where it cannot repeat (the C walk's probe).
/// These rules put `distinct` where leaving values out would change what the rule finds,
/// and audit real records: each must find what it finds with every value kept.
struct RepeatPruningTests {
    /// A port whose config body holds `members` (JSON text of its members, after `body: {`).
    private func records(_ members: String) -> [(String, String)] {
        Lang.records(change: ["config": #"{"body": {\#(members), "id": "\#(Lang.port)"}, "version": 1}"#])
    }

    /// Under `not`, a `distinct` that passes makes the rule fail: its values must be there.
    @Test func distinctUnderNotSeesValuesThatDoNotRepeat() throws {
        let rule = #"check: {not: {path: "config.body.tags[*]", distinct: true}}"#
        #expect(try Lang.run(rule, on: records(#""tags": ["a", "b"]"#)).count == 1)
        #expect(try Lang.run(rule, on: records(#""tags": ["a", "a"]"#)).isEmpty)
    }

    /// An `any` that fails names every record it read, the config among them although its
    /// `distinct` passed.
    @Test func distinctUnderAnyStillNamesItsRecord() throws {
        let rule = """
            check:
              any:
                - all: [{path: "config.body.tags[*]", distinct: true}, {path: state.version, equals: 99}]
                - {path: stack.stack_status, equals: NOPE}
            """
        let findings = try Lang.run(rule, on: records(#""tags": ["a", "b"]"#))
        #expect(findings.count == 1)
        let named = (findings.first?.keys ?? []) + (findings.first?.related.map(\.key) ?? [])
        #expect(named.contains(Lang.key("config")), "\(named)")
    }

    /// Values inside strings decoded on the way (`|json`, each element its own document):
    /// compared after those documents are gone, so the probe must hold its own copies.
    @Test func decodedTextsAreComparedAfterTheirDocumentIsGone() throws {
        let rule = "check: {path: \"config.body.encoded[*]|json\", distinct: true}"
        let repeated = try Lang.run(rule, on: records(#""encoded": ["\"aa\"", "\"b\"", "\"aa\"", "\"c\""]"#))
        #expect(repeated.count == 1 && repeated.first?.message.contains("aa") == true, "\(repeated.map(\.message))")
        #expect(try Lang.run(rule, on: records(#""encoded": ["\"aa\"", "\"b\"", "\"ab\"", "\"c\""]"#)).isEmpty)
    }

    /// `in` finds its member as Swift compares names (é spelled either way): the probe,
    /// which would look it up by bytes, leaves such tests to the evaluator.
    @Test func aListInAMemberIsFoundWhateverTheSpellingOfItsName() throws {
        let rule = "check: {path: config.body.holder, distinct: {in: \"\u{e9}\"}}"
        let findings = try Lang.run(rule, on: records(#""holder": {"e\u0301": ["a", "a"]}"#))
        #expect(findings.count == 1)
    }
}
