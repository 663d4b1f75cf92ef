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

    /// A member that is not there is absent, even beside a member named "" (which an
    /// absent name once fell back to), by name and by a path's bytes alike.
    @Test func anAbsentMemberIsNotTheEmptyNamedOne() throws {
        let text = #"{"": 7, "body": {"": "x"}}"#
        let found = try JSONDocument.parse(Array(text.utf8)) { root -> [Int64?] in
            let version: [UInt8] = Array("version".utf8), empty: [UInt8] = []
            return [root["version"]?.integer, root[""]?.integer,
                    version.withUnsafeBytes { root[bytes: $0]?.integer }, empty.withUnsafeBytes { root[bytes: $0]?.integer },
                    root["body"]?["id"].map { _ in 1 }]
        }.get().value
        #expect(found == [nil, 7, nil, 7, nil])
        // The schema check then finds the config's version missing.
        let raw = RawRecord(key: "/config/v2.0/ports/p1", value: Array(#"{"": 3, "body": {}}"#.utf8),
                            location: SourceLocation(path: "x"))
        let record = try #require(ParallelExtraction.parse(raw, layouts: TestSupport.catalog.layouts,
                                                           extractor: RecordExtractor(plan: TestSupport.catalog.plan)))
        #expect(record.problems.contains { if case .schema(let list, _) = $0 { return list.contains("member version is missing") }; return false })
    }
}
