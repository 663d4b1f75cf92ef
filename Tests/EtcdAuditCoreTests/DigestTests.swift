@testable import EtcdAuditCore
import Foundation
import Testing

/// Every digest of the tool is XXH3-128 (libxxhash): value equality (input.duplicate-key,
/// job.input-drift, heat-outputs.*), fingerprints and redaction. The expected values come
/// from libxxhash itself (`XXH3_128bits`, canonical form: high half first); the empty
/// input's is the one xxHash publishes.
struct DigestTests {
    static let vectors: [(String, String)] = [
        ("", "99aa06d3014798d86001c324468d497f"),
        ("a", "a96faf705af16834e6c632b61e964e1f"),
        ("fa:16:3e:00:00:01", "3cfd60947822b41efd7134032c854bb6"),
        ("The quick brown fox jumps over the lazy dog", "ddd650205ca3e7fa24a1cc2e3a8a7651"),
    ]

    @Test func bytesAndTextDigestAsXXH3() {
        for (text, expected) in Self.vectors {
            #expect(StableHasher.digest(of: Array(text.utf8)[...]).description == expected, "\(text)")
            #expect(StableHasher.digest(of: text).description == expected, "\(text)")
        }
    }

    /// Two texts are digested as the first's length (8 bytes, little-endian), then both:
    /// ("ab", "c") and ("a", "bc") differ.
    @Test func twoTextsAreToldApartByTheirLengths() {
        #expect(StableHasher.digest(of: "ab", "c") != StableHasher.digest(of: "a", "bc"))
        let joined = [UInt8]([2, 0, 0, 0, 0, 0, 0, 0]) + Array("abc".utf8)
        #expect(StableHasher.digest(of: "ab", "c") == StableHasher.digest(of: joined[...]))
    }

    @Test func fingerprintsAndRedactionDigestsAreXXH3() {
        // XXH3-128 of "17:monitoring.failed4:port2:p125:/monitoring/v2.0/ports/p11:\0" + "3:vmi".
        #expect(Finding.fingerprint(rule: "monitoring.failed", resourceType: "port", resourceID: "p1",
                                    recordKey: "/monitoring/v2.0/ports/p1", expected: nil, actual: "vmi")
                == "d721bab7beb532640dc45d34fc475178")
        #expect(Redaction.digest("fa:16:3e:00:00:01") == "«v:3cfd60947822»")
    }

    static func digest(_ json: String) -> JSONDigest {
        guard case .success(let parsed) = JSONDocument.parse(Array(json.utf8), { $0.digest }) else {
            Issue.record("not JSON: \(json)")
            return JSONDigest(high: 0, low: 0)
        }
        return parsed.value
    }

    /// The digest of a JSON value ignores member order and nothing else.
    @Test func jsonDigestsAreEqualExactlyForEqualJSON() {
        let same = [(#"{"a": 1, "b": [1, 2]}"#, #"{"b": [1, 2], "a": 1}"#),
                    (#"{"x": {"p": null, "q": "s"}}"#, #"{"x": {"q": "s", "p": null}}"#)]
        for (a, b) in same { #expect(Self.digest(a) == Self.digest(b), "\(a) \(b)") }
        let values = [#"true"#, #"1"#, #"1.0"#, #""1""#, #"null"#, #"[1, 2]"#, #"[2, 1]"#, #"[[1], 2]"#, #"[1, [2]]"#,
                      #"{}"#, #"[]"#, #""""#, #"{"a": 1}"#, #"{"a": "1"}"#, #"{"b": 1}"#, #"{"a": 1, "b": 2}"#,
                      #"{"ab": "c"}"#, #"{"a": "bc"}"#, #"["ab", "c"]"#, #"["a", "bc"]"#, #"false"#, #"0"#]
        let digests = values.map(Self.digest)
        #expect(Set(digests).count == values.count, "two different values share a digest")
        // Ignoring a member is leaving it out.
        let ignored = JSONDocument.parse(Array(#"{"a": 1, "note": "x"}"#.utf8)) { $0.digest(ignoringMembers: ["note"]) }
        #expect((try? ignored.get().value) == Self.digest(#"{"a": 1}"#))
    }

    /// A value's digest is kept where a selection ends in `|digest`, and compared across
    /// runs (baselines name them in findings): pinned here as the canonical encoding gives
    /// them (a tag per kind, integers as 8 little-endian bytes, texts as length and bytes,
    /// or length and digest past 1,024 bytes, objects as their sorted member digests). The
    /// values were given by the Swift encoder that came before json_digest.c, and agree with
    /// an encoder written apart from both (Python over libxxhash).
    @Test func jsonDigestsStayTheSame() {
        let long = "\"" + String(repeating: "z", count: 1500) + "\""
        // More members than the digest sorts by insertion (they are merged).
        let wide = "{" + (0..<40).map { #""m\#($0 < 10 ? "0" : "")\#($0)": \#($0 * 7 % 13)"# }.joined(separator: ", ") + "}"
        let pinned: [(json: String, ignoring: [String], digest: String)] = [
            (#"{"b": [1, 2.5, true, false, null], "a": {"x": "y"}, "\u00e9": ""}"#, [], "129a78cc402d8200c45e809d3d8fe555"),
            (#"{"a": 1, "note": "x", "n2": [{}]}"#, ["note", "n2"], "bd67faba713aeb7a136599134060c239"),
            (long, [], "7b9711d60e02a4f8156cd8d713645350"),
            (#"[-9223372036854775808, 9223372036854775807, -0.0, 1e300]"#, [], "25d8600f5c2271d089a98b938b00dcc1"),
            (wide, [], "59a62a86990e88a47ff9aeffe51bbdea"),
            ("[]", [], "27bad48ec40620ad06a827d0fbd869e8"), ("{}", [], "fa3f5392c40387fb428516d12156e7b6"), (#"{"k": \#(long)}"#, ["x"], "11b42557b2c95270fa0b8c76e159ad40"),
        ]
        for (json, ignoring, expected) in pinned {
            let digest = JSONDocument.parse(Array(json.utf8)) { $0.digest(ignoringMembers: ignoring) }
            #expect((try? digest.get().value)?.description == expected, "\(json.prefix(40))")
        }
    }

    /// A JSON report written before the hash changed (schema_version 3, XXH3's predecessor's
    /// fingerprints) still matches as a baseline: its fingerprints are made again from the
    /// members they were made of.
    @Test func aSchema3BaselineStillMatches() throws {
        let old = "Tests/Baselines/both-seeds.schema3.json"
        let text = try String(contentsOfFile: TestSupport.path(old), encoding: .utf8)
        #expect(text.contains("\"schema_version\" : 3"))
        var result = TestSupport.audit(GoldenReportTests.seeds)
        try Baseline(path: TestSupport.path(old)).apply(to: &result)
        #expect(!result.findings.isEmpty)
        #expect(result.findings.allSatisfy { $0.baseline == .existing }, "\(result.findings.filter { $0.baseline != .existing }.map(\.rule))")
        #expect(result.baseline?.resolved.isEmpty == true && result.baseline?.new == 0)
    }

    /// A schema 4 report's own fingerprints are used as they are (they may have been made
    /// from values a redacted report no longer holds).
    @Test func aSchema4BaselineIsTakenAtItsWord() throws {
        var result = TestSupport.audit(GoldenReportTests.seeds)
        var report = try JSONReporter().render(result, options: ReportOptions())
        #expect(report.contains("\"schema_version\" : 4"))
        // Its values changed, its fingerprints not: still every finding.
        report = report.replacingOccurrences(of: "\"actual\" : \"", with: "\"actual\" : \"changed ")
        let path = try TestSupport.temporaryFile(report, name: "new.json")
        try Baseline(path: path).apply(to: &result)
        #expect(result.findings.allSatisfy { $0.baseline == .existing })
    }
}
