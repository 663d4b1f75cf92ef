@testable import EtcdAuditCore
import Testing

/// The rules hold each resource's findings as bytes until the store is let go: whatever a
/// finding holds must come back as it was.
struct PackedFindingsTests {
    @Test func everyMemberOfAFindingComesBack() {
        var full = Finding(rule: "heat-outputs.mac-mismatch", severity: .warning, resourceType: "port",
                           resourceID: "00074899-849b-42b4-84fd-1c175ba0e4a0", message: "café ≠ cafe\u{301}, \u{0}",
                           keys: ["/config/v2.0/ports/a", "/state/v2.0/ports/a"], expected: "{\"a\": 1}", actual: "",
                           location: SourceLocation(path: "dump.json", line: 3, column: 7, offset: 1 << 40,
                                                    pointer: "/a~1b", modRevision: -5),
                           related: [RelatedLocation(key: "/state/v2.0/ports/a", location: SourceLocation(path: "other.json"),
                                                     member: MemberPath([.member("state"), .decoded, .index(2)])),
                                     RelatedLocation(key: "/jobs/not/among/the/keys/cafe\u{301}",
                                                     location: SourceLocation(path: "dump.json", offset: 0))],
                           member: MemberPath([.member("output"),
                                               .element(matching: [.init("output_key", "mac"), .init("k", "")], occurrence: 3),
                                               .index(-1)]),
                           values: ["52:54:00:aa:bb:cc", ""])
        full.waiver = WaiverMark(reason: "known", expires: "2027-01-01")
        full.baseline = .existing
        full.acrossResources = true
        var bare = Finding(rule: "r", severity: .info, resourceType: "t", resourceID: "", message: "", keys: [],
                           location: SourceLocation(path: ""))
        bare.waiver = WaiverMark(reason: "no expiry")
        bare.baseline = .new

        var packed = PackedFindings()
        packed.append(contentsOf: [full, bare, full])
        let back = packed.unpacked()
        #expect(packed.count == 3)
        #expect(back == [full, bare, full])
        // Equal strings in Swift may differ in bytes (NFC and NFD): the bytes come back, in the
        // message and in a related key that is not among the keys.
        #expect(Array(back[0].message.utf8) == Array(full.message.utf8))
        #expect(back[0].related.map { Array($0.key.utf8) } == full.related.map { Array($0.key.utf8) })
    }

    /// The seeds, and a generated store where every planted fault gives its findings; each
    /// finding packed in under 500 bytes (they take about 400; as values, about 1.2 KB).
    @Test func anAuditsFindingsComeBack() throws {
        let (dump, _) = try ParallelTests.generate(resources: 300, format: "etcdctl-json")
        for findings in [TestSupport.audit(["Samples/seeds/000_1cd8ab2a63ae2a87.txt", "Samples/seeds/003_316c7d162925404b.txt"]).findings,
                         Auditor(catalog: TestSupport.catalog).audit(paths: [dump]).findings] {
            #expect(findings.count >= 7)
            var packed = PackedFindings()
            packed.append(contentsOf: findings)
            #expect(packed.unpacked() == findings)
            #expect(packed.byteCount < 500 * findings.count, "\(packed.byteCount) bytes for \(findings.count) findings")
        }
    }
}
