@testable import EtcdAuditCore
import Testing

/// Paths, lines, places and fingerprints as every code-host report gives them.
struct CodeHostPlacementTests {
    @Test func pathsAreRelativeInsideTheWorkingDirectoryAndAbsoluteOutside() {
        let placement = CodeHostPlacement(workingDirectory: "/repo/")
        #expect(placement.path("fixtures/a.md") == "fixtures/a.md")
        #expect(placement.path("./fixtures/../fixtures/a.md") == "fixtures/a.md")
        #expect(placement.path("/repo/fixtures/a.md") == "fixtures/a.md")
        #expect(placement.path("/repository/a.md") == "/repository/a.md")
        #expect(placement.path("../shared/seeds/a.txt") == "/shared/seeds/a.txt")
        #expect(placement.path("-") == "-")
        #expect(placement.path("http://127.0.0.1:2379") == "http://127.0.0.1:2379")
        #expect(CodeHostPlacement(workingDirectory: "/").path("/etc/dump.json") == "etc/dump.json")
    }

    @Test func thePlaceSaysWhatTheLineDoesNot() {
        let key = "/config/v2.0/ports/p1"
        let lined = SourceLocation(path: "a.md", line: 12, column: 5, offset: 300, pointer: "/body/mac_address")
        #expect(CodeHostPlacement.line(lined) == 12)
        #expect(CodeHostPlacement.place(lined, key: key) == "key \(key), member /body/mac_address")
        let lineless = SourceLocation(path: "a.json", offset: 2588, pointer: "", modRevision: 9)
        #expect(CodeHostPlacement.line(lineless) == 1)
        #expect(CodeHostPlacement.place(lineless, key: key) == "key \(key), byte offset 2588, mod_revision 9")
        #expect(CodeHostPlacement.place(SourceLocation(path: "a.md"), key: nil) == "")
    }

    @Test func identicalFindingsGetFingerprintsOfTheirOwn() {
        let finding = Finding(rule: "refs.duplicate", severity: .warning, resourceType: "port", resourceID: "p1",
                              message: "twice", keys: ["/jobs/all/x"], actual: "jinja_subnets",
                              location: SourceLocation(path: "a.md", line: 3))
        var moved = finding
        moved.location.line = 40
        var other = finding
        other.actual = "virtual_network"
        let fingerprints = CodeHostPlacement.uniqueFingerprints([finding, moved, other, finding])
        #expect(fingerprints == [finding.fingerprint, finding.fingerprint + "-2", other.fingerprint, finding.fingerprint + "-3"])
        #expect(finding.fingerprint != other.fingerprint)
    }

    @Test func theHeadlineNamesTheResourceAndTheWaiver() {
        var finding = Finding(rule: "monitoring.failed", severity: .warning, resourceType: "port", resourceID: "p1",
                              message: "monitoring reports vmi: FAIL", keys: ["/monitoring/v2.0/ports/p1"],
                              location: SourceLocation(path: "a.md", line: 3))
        #expect(CodeHostPlacement.headline(finding) == "port p1: monitoring reports vmi: FAIL")
        finding.waiver = WaiverMark(reason: "OPS-1")
        #expect(CodeHostPlacement.headline(finding) == "port p1: monitoring reports vmi: FAIL (waived: OPS-1)")
        finding.waiver?.expires = "2027-01-31"
        #expect(CodeHostPlacement.waiverNote(finding) == "waived: OPS-1, until 2027-01-31")
    }
}
