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
