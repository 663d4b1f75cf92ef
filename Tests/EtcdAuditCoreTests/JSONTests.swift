@testable import EtcdAuditCore
import Testing

struct JSONTests {
    func digest(_ text: String) -> JSONDigest? {
        try? JSONDocument.parse(Array(text.utf8)) { $0.digest }.get().value
    }

    @Test func digestIgnoresMemberOrderButNotArrayOrder() {
        #expect(digest(#"{"a": 1, "b": [1, 2]}"#) == digest(#"{"b": [1, 2], "a": 1}"#))
        #expect(digest(#"{"a": [1, 2]}"#) != digest(#"{"a": [2, 1]}"#))
        #expect(digest("true") != digest("1"))
        #expect(digest(#"{"a": {"b": 1}}"#) != digest(#"{"a": {"b": 2}}"#))
        #expect(digest(#"["ab", "c"]"#) != digest(#"["a", "bc"]"#))
    }

    @Test func parseErrorsCarryJanssonsMessageAndPosition() {
        guard case .failure(let error) = JSONDocument.parse(Array("{\n  \"a\": tru\n}".utf8), { _ in 0 }) else {
            Issue.record("accepted invalid JSON")
            return
        }
        #expect(error.line == 2)
        #expect(error.message.contains("invalid token"))
    }

    @Test func duplicateMembersAreAllNamed() throws {
        let text = #"{"a": 1, "b": {"x": 1, "x": 2, "x": 3}, "a": 2, "c": [{"k": 1, "k": 1}]}"#
        let outcome = try JSONDocument.parse(Array(text.utf8)) { $0["a"]?.integer }.get()
        #expect(outcome.value == 2)
        #expect(outcome.duplicates.map { "\($0.path) \($0.name) \($0.occurrences)" }.sorted()
                == ["$ a 2", "$.b x 3", "$.c[0] k 2"])
    }

    @Test func escapedDuplicateNamesAreTheSameName() throws {
        let outcome = try JSONDocument.parse(Array(#"{"a": 1, "\u0061": 2}"#.utf8)) { _ in 0 }.get()
        #expect(outcome.duplicates.map(\.name) == ["a"])
    }

    @Test func scalarsAtTopLevelAreAccepted() throws {
        #expect(try JSONDocument.parse(Array("42".utf8)) { $0.integer }.get().value == 42)
    }

    @Test func valuesRoundTripToText() throws {
        let value = try JSONDocument.parse(Array(#"{"b": [1, "x\n", null, true, 1.5], "a": {}}"#.utf8)) { $0.value }.get().value
        #expect(value.text == #"{"b":[1,"x\n",null,true,1.5],"a":{}}"#)
        #expect(value.canonicalText == #"{"a":{},"b":[1,"x\n",null,true,1.5]}"#)
    }
}
