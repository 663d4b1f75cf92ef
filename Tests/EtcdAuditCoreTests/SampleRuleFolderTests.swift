import EtcdAuditCore
import Foundation
import Testing

/// Samples/rules, the operator's rule folder the README shows: its examples pass
/// `rules --verify`, and its invariants written in the rule language run on the seeds.
struct SampleRuleFolderTests {
    static let updateSeed = "Samples/seeds/003_316c7d162925404b.txt"

    @Test func theSampleRulesPassVerify() throws {
        let result = try TestSupport.run(CommandLineTests.binary, ["rules", "--verify", "--rules", TestSupport.path("Samples/rules")])
        #expect(result.code == 0, "\(result.out)\(result.err)")
        #expect(result.out.hasSuffix(" passed, 0 failed\n"), "\(result.out)")
        let catalog = try Catalog.load(rulesDirectory: TestSupport.path("Samples/rules"))
        for id in ["port.job-network", "state.version-ahead"] {
            #expect(catalog.rules.first { $0.id == id }?.kind == "declared", "\(id) is not a rule of the language")
        }
    }

    /// The seeds agree with both invariants; each fires once the seed is changed to break it.
    @Test func theOperatorInvariantsRunOnTheSeeds() throws {
        let catalog = try Catalog.load(rulesDirectory: TestSupport.path("Samples/rules"))
        let mine: Set<String> = ["port.job-network", "state.version-ahead"]
        let seeds = TestSupport.audit(OperatorRulesTests.seeds, catalog: catalog)
        #expect(!seeds.findings.contains { mine.contains($0.rule) })

        let text = try String(contentsOfFile: TestSupport.path(Self.updateSeed), encoding: .utf8)
        func audit(_ changed: String) throws -> [Finding] {
            #expect(changed != text, "the seed did not change")
            let file = try TestSupport.temporaryFile(changed, name: "seed.md")
            return Auditor(catalog: catalog).audit(paths: [file]).findings.filter { mine.contains($0.rule) }
        }
        // The config's body (its first network_id) moves to another network.
        let network = #""network_id": "774acf45-316f-4431-b31b-08770b76d761""#
        let moved = try audit(text.replacingOccurrences(of: network, with: #""network_id": "network-9""#,
                                                        range: text.range(of: network)))
        #expect(moved.map(\.rule) == ["port.job-network"])
        #expect(moved.first?.message == "job param virtual_network names network 774acf45-316f-4431-b31b-08770b76d761, "
                + "but body.network_id is network-9")
        #expect(moved.first?.keys.first?.hasPrefix("/jobs/all/modify:") == true)
        #expect(moved.first?.location.pointer == "/1/params/1/value/resource_id")
        // The config (its first version member) goes back to 2, behind the state's 3.
        let version = #""version": 3"#
        let behind = try audit(text.replacingOccurrences(of: version, with: #""version": 2"#, range: text.range(of: version)))
        #expect(behind.map(\.message) == ["state.version is 3, ahead of config.version 2"])
        #expect(behind.first?.keys.first?.hasPrefix("/state/") == true && behind.first?.location.pointer == "/version")
    }
}
