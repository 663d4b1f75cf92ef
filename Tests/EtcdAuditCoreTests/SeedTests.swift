import EtcdAuditCore
import Testing

/// SPEC §3's expected findings on the seeds and the real-etcd exports of them.
struct SeedTests {
    static let create = "ddc14be4-3480-4e97-a978-817b18f9904c"
    static let update = "23464cbc-d910-430a-93f7-3776ea07f992"
    static let createOnly = ["heat-outputs.mac-mismatch \(create)"]
    static let updateOnly = ["heat-outputs.mac-mismatch \(update)", "monitoring.failed \(update)",
                             "refs.duplicate \(update)", "refs.duplicate \(update)"]
    static let together = (createOnly + updateOnly + ["unique.vmi \(create)", "unique.vmi \(update)"]).sorted()

    @Test func createSeed() {
        #expect(TestSupport.pairs(TestSupport.audit(["Samples/seeds/000_1cd8ab2a63ae2a87.txt"])) == Self.createOnly)
    }

    @Test func updateSeed() {
        #expect(TestSupport.pairs(TestSupport.audit(["Samples/seeds/003_316c7d162925404b.txt"])) == Self.updateOnly.sorted())
    }

    @Test func bothSeeds() {
        let result = TestSupport.audit(["Samples/seeds/000_1cd8ab2a63ae2a87.txt", "Samples/seeds/003_316c7d162925404b.txt"])
        #expect(TestSupport.pairs(result) == Self.together)
        #expect(result.findings.allSatisfy { $0.location.line != nil })
    }

    /// SPEC's findings stand on the member they name (issue 13): the line and column of
    /// the stack's mac_address output, the failing monitoring member, the second copy of
    /// the repeated ref; the config's mac_address as the related location.
    @Test func findingsStandOnTheirMember() throws {
        let update = "Samples/seeds/003_316c7d162925404b.txt", create = "Samples/seeds/000_1cd8ab2a63ae2a87.txt"
        let result = TestSupport.audit([create, update])
        var files: [String: [Substring]] = [:]
        for path in [create, update] {
            files[path] = try String(contentsOfFile: TestSupport.path(path), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)
        }
        /// "line: text from the column on", for each location.
        func at(_ location: EtcdAuditCore.SourceLocation) -> String {
            guard let line = location.line, let column = location.column, let lines = files[location.path] else { return "?" }
            return "\(line): " + String(String.UnicodeScalarView(lines[line - 1].unicodeScalars.dropFirst(column - 1)))
        }
        func finding(_ rule: String, _ id: String, _ actual: String? = nil) throws -> Finding {
            try #require(result.findings.first { $0.rule == rule && $0.resourceID == id && (actual == nil || $0.actual == actual) })
        }
        let mac = try finding("heat-outputs.mac-mismatch", Self.update)
        #expect(at(mac.location) == "275: \"output_value\": [")  // the output whose output_key is mac_address
        #expect(mac.location.pointer == "/output/3/output_value")
        #expect(mac.related.map { at($0.location) } == ["26: \"mac_address\": \"fa:16:3e:84:84:13\", "])
        #expect(mac.related.map(\.location.pointer) == ["/body/mac_address"])
        #expect(at(try finding("heat-outputs.mac-mismatch", Self.create).location) == "276: \"output_value\": [")
        let failed = try finding("monitoring.failed", Self.update)
        #expect(at(failed.location) == "385: \"vmi\": \"FAIL\"")
        #expect(failed.location.pointer == "/vmi")
        // The second of the two equal refs (the first is four lines above it).
        let network = try finding("refs.duplicate", Self.update, "virtual_network")
        #expect(at(network.location) == "73: {")
        #expect(network.location.pointer == "/1/params/1/resources/1")
        #expect(at(try finding("refs.duplicate", Self.update, "jinja_subnets").location) == "181: {")
        // unique.vmi: each port's id output, the other port's as the related location.
        let vmi = try finding("unique.vmi", Self.update)
        #expect(at(vmi.location) == "293: \"output_value\": \"f68d0924-ef20-4c1b-ac45-0e6b879af5e7\", ")
        #expect(vmi.related.map { at($0.location) } == ["264: \"output_value\": \"f68d0924-ef20-4c1b-ac45-0e6b879af5e7\", "])
        #expect(vmi.related.map(\.location.path) == [create])
    }

    @Test("the real etcd exports give the same findings",
          arguments: ["seeds.etcdctl.txt", "seeds.etcdctl.json", "seeds.gateway.json", "seeds.jsonl", "seeds.snapshot.db",
                      "seeds.etcd-v2.json"])
    func fixtures(file: String) {
        let result = TestSupport.audit(["Samples/fixtures/\(file)"])
        #expect(TestSupport.pairs(result) == Self.together)
        #expect(result.resources.count == 2)
        #expect(result.recordsRead == 11)
        #expect(result.inputs.allSatisfy { $0.error == nil && $0.problems.isEmpty })
    }

    @Test func gatewayRevisionsAreRead() {
        let result = TestSupport.audit(["Samples/fixtures/seeds.gateway.json"])
        #expect(result.inputs.first?.revision == 12)
        #expect(result.inputs.first?.clusterID == "14841639068965178418")
    }
}
