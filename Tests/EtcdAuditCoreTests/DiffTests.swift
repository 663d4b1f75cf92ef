@testable import EtcdAuditCore
import Foundation
import Testing

/// `diff OLD NEW`: resources, records and members compared by digest, findings by
/// fingerprint, on pairs whose difference is known.
struct DiffTests {
    static let create = "Samples/seeds/000_1cd8ab2a63ae2a87.txt"
    static let update = "Samples/seeds/003_316c7d162925404b.txt"
    static let repaired = "Samples/diff/mac-repaired.md"
    static let planted = "Samples/diff/tenant-planted.md"
    static let snapshot = "Samples/fixtures/seeds.snapshot.db"
    static let createPort = "ddc14be4-3480-4e97-a978-817b18f9904c"
    static let updatePort = "23464cbc-d910-430a-93f7-3776ea07f992"

    static func diff(_ old: String, _ new: String, oldRevision: Int64? = nil, newRevision: Int64? = nil) -> StoreDiff {
        Auditor(catalog: TestSupport.catalog).diff(old: DiffSide(path: TestSupport.path(old), revision: oldRevision),
                                                  new: DiffSide(path: TestSupport.path(new), revision: newRevision))
    }

    static func rules(_ findings: [Finding]) -> [String] { findings.map { "\($0.rule) \($0.resourceID)" } }

    @Test func twoSeedsAreOnePortRemovedAndOneAdded() {
        let diff = Self.diff(Self.create, Self.update)
        #expect(diff.added.map(\.id) == [Self.updatePort])
        #expect(diff.added[0].records.count == 6 && diff.added[0].records.allSatisfy { $0.change == .added })
        #expect(diff.removed.map(\.id) == [Self.createPort])
        #expect(diff.removed[0].records.count == 5 && diff.removed[0].records.allSatisfy { $0.change == .removed })
        #expect(diff.changed.isEmpty)
        #expect(Self.rules(diff.newFindings).sorted() == ["heat-outputs.mac-mismatch \(Self.updatePort)",
                                                         "monitoring.failed \(Self.updatePort)",
                                                         "refs.duplicate \(Self.updatePort)",
                                                         "refs.duplicate \(Self.updatePort)"])
        #expect(Self.rules(diff.resolved) == ["heat-outputs.mac-mismatch \(Self.createPort)"])
        #expect(diff.persisting.isEmpty)
        #expect(diff.exitCode(failOn: .error) == 0 && diff.exitCode(failOn: .warning) == 1)
    }

    /// A fault repaired: exactly the two records that hold the MAC changed, in exactly that
    /// member, and the one finding resolved.
    @Test func aRepairedFaultIsExactlyThatChange() throws {
        let diff = Self.diff(Self.create, Self.repaired)
        #expect(diff.added.isEmpty && diff.removed.isEmpty)
        #expect(diff.changed.map(\.id) == [Self.createPort])
        let records = try #require(diff.changed.first?.records)
        #expect(records.map(\.kind) == [.config, .job])
        #expect(records.allSatisfy { $0.change == .changed && $0.oldDigest != $0.newDigest && $0.note == nil })
        #expect(records[0].members.map(\.path.description) == ["/body/mac_address"])
        #expect(records[0].members.first?.old == .string("fa:16:3e:cf:b0:c4"))
        #expect(records[0].members.first?.new == .string("fa:16:3e:f7:60:7f"))
        #expect(records[1].members.map(\.pointer) == ["/1/params/18/value"] || records[1].members.count == 1)
        #expect(diff.newFindings.isEmpty)
        #expect(Self.rules(diff.resolved) == ["heat-outputs.mac-mismatch \(Self.createPort)"])
        #expect(diff.persisting.isEmpty)
    }

    /// A fault planted: one record, one member, one new error (exit 1); the other way round
    /// the same finding is resolved.
    @Test func aPlantedFaultIsExactlyThatChange() throws {
        let diff = Self.diff(Self.repaired, Self.planted)
        #expect(diff.changed.count == 1 && diff.added.isEmpty && diff.removed.isEmpty)
        let record = try #require(diff.changed.first?.records.first)
        #expect(diff.changed[0].records.count == 1)
        #expect(record.kind == .stack && record.key == "/esi-worker/heat_stacks/v2.0/ports/\(Self.createPort)")
        #expect(record.members.map(\.path.description) == ["/tenant_id"])
        #expect(record.members.first?.new == .string("0badc0de0badc0de0badc0de0badc0de"))
        #expect(Self.rules(diff.newFindings) == ["tenant.mismatch \(Self.createPort)"])
        #expect(diff.resolved.isEmpty && diff.persisting.isEmpty)
        #expect(diff.exitCode(failOn: .error) == 1 && diff.exitCode(failOn: nil) == 0)
        let back = Self.diff(Self.planted, Self.repaired)
        #expect(back.newFindings.isEmpty && Self.rules(back.resolved) == ["tenant.mismatch \(Self.createPort)"])
        #expect(back.changed.first?.records.first?.members.first?.old == .string("0badc0de0badc0de0badc0de0badc0de"))
    }

    /// The seeds' snapshot holds revisions 1...12, one record written at each: between 6
    /// and 12 the update seed's port arrives, and with it the findings it brings.
    @Test func aSnapshotAtTwoRevisions() throws {
        let diff = Self.diff(Self.snapshot, Self.snapshot, oldRevision: 6, newRevision: 12)
        #expect(diff.old.inputs.first?.revision == 6 && diff.new.inputs.first?.revision == 12)
        #expect(diff.old.revision == 6 && diff.new.revision == 12)
        #expect(diff.added.map(\.id) == [Self.updatePort] && diff.removed.isEmpty && diff.changed.isEmpty)
        #expect(Self.rules(diff.persisting) == ["heat-outputs.mac-mismatch \(Self.createPort)"])
        // unique.vmi holds across both ports: it is new on the old port too.
        #expect(Self.rules(diff.newFindings).filter { $0.hasPrefix("unique.vmi") }.count == 2)
        #expect(diff.exitCode(failOn: .error) == 1)
        // Each revision in between adds records one at a time: the counts follow etcd's.
        let step = Self.diff(Self.snapshot, Self.snapshot, oldRevision: 8, newRevision: 9)
        let touched = (step.added + step.changed).flatMap(\.records)
        #expect(touched.count == 1 && touched[0].newModRevision == 9)
        let same = Self.diff(Self.snapshot, Self.snapshot, oldRevision: 9, newRevision: 9)
        #expect(same.added.isEmpty && same.removed.isEmpty && same.changed.isEmpty && same.newFindings.isEmpty)
    }

    /// A dump and a snapshot of the same store: nothing changed, every finding persists.
    @Test func aDumpAgainstASnapshotOfTheSameStore() {
        for dump in ["Samples/fixtures/seeds.etcdctl.json", "Samples/fixtures/seeds.etcdctl.txt", "Samples/fixtures/seeds.jsonl"] {
            let diff = Self.diff(dump, Self.snapshot)
            #expect(diff.added.isEmpty && diff.removed.isEmpty && diff.changed.isEmpty, "\(dump)")
            #expect(diff.newFindings.isEmpty && diff.resolved.isEmpty, "\(dump)")
            #expect(diff.persisting.count == 7 && diff.persisting.count == diff.new.findings, "\(dump)")
            #expect(diff.exitCode(failOn: .info) == 0)
        }
    }

    /// Identical findings are counted as --baseline counts them: two old, three new make
    /// one new and two persisting.
    @Test func identicalFindingsAreCounted() {
        let finding = Finding(rule: "r", severity: .error, resourceType: "port", resourceID: "a", message: "m",
                              keys: ["k"], location: SourceLocation(path: "p"))
        var other = finding
        other.resourceID = "b"
        let split = StoreDiff.compareFindings(old: [finding, finding, other], new: [finding, finding, finding])
        #expect(split.new.count == 1 && split.persisting.count == 2)
        #expect(split.resolved.map(\.resourceID) == ["b"])
    }

    /// A side cut off is an input error (exit 2) whatever the findings; the report still
    /// compares what was read.
    @Test func aCutOffSideIsAnInputError() {
        let diff = Self.diff(Self.create, "Tests/Cases/etcdctl-cut-off/input.txt")
        #expect(diff.hasInputErrors)
        #expect(diff.new.inputs.first?.error != nil)
        #expect(diff.exitCode(failOn: nil) == 2)
        let missing = Self.diff(Self.create, "Samples/no-such-file.txt")
        #expect(missing.exitCode(failOn: .error) == 2 && missing.added.isEmpty && missing.removed.count == 1)
        let beyond = Self.diff(Self.snapshot, Self.snapshot, oldRevision: 1, newRevision: 13)
        #expect(beyond.new.inputs.first?.error?.contains("1 to 12") == true && beyond.exitCode(failOn: .error) == 2)
    }

    @Test func jsonReportShape() throws {
        let text = try DiffJSONReport.render(Self.diff(Self.repaired, Self.planted))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let resources = try #require(json["resources"] as? [String: [Any]])
        #expect(resources["added"]?.count == 0 && resources["removed"]?.count == 0 && resources["changed"]?.count == 1)
        let findings = try #require(json["findings"] as? [String: [[String: Any]]])
        #expect(findings["new"]?.first?["fingerprint"] as? String == Self.diff(Self.repaired, Self.planted).newFindings[0].fingerprint)
        #expect(findings["resolved"]?.count == 0 && findings["persisting"]?.count == 0)
        #expect((json["old"] as? [String: Any])?["inputs"] is [Any])
    }
}

/// `etcd-audit diff` as a user runs it: exit statuses and usage errors.
struct DiffCommandLineTests {
    func run(_ arguments: [String]) throws -> (code: Int32, out: String, err: String) {
        try TestSupport.run(CommandLineTests.binary, ["diff", "--no-config"] + arguments)
    }

    @Test func exitStatuses() throws {
        #expect(try run([DiffTests.create, DiffTests.repaired]).code == 0)  // resolved only
        #expect(try run([DiffTests.repaired, DiffTests.planted]).code == 1)  // a new error
        #expect(try run(["--fail-on", "never", DiffTests.repaired, DiffTests.planted]).code == 0)
        #expect(try run([DiffTests.create, DiffTests.update]).code == 0)  // new warnings only
        #expect(try run(["--fail-on", "warning", DiffTests.create, DiffTests.update]).code == 1)
        #expect(try run(["--skip", "tenant.mismatch", DiffTests.repaired, DiffTests.planted]).code == 0)
        #expect(try run([DiffTests.snapshot, "--old-revision", "6", "--new-revision", "12"]).code == 1)
        #expect(try run([DiffTests.snapshot, DiffTests.snapshot, "--old-revision", "12"]).code == 0)
        let cut = try run([DiffTests.create, "Tests/Cases/etcdctl-cut-off/input.txt"])
        #expect(cut.code == 2 && cut.err.contains("etcdctl-cut-off") && cut.out.contains("resources:"))
        let beyond = try run([DiffTests.snapshot, "--old-revision", "1", "--new-revision", "40"])
        #expect(beyond.code == 2 && beyond.err.contains("1 to 12"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try run([DiffTests.create]).code == 2)  // one input, no revisions
        #expect(try run([DiffTests.snapshot, "--old-revision", "6"]).code == 2)
        #expect(try run([DiffTests.create, DiffTests.update, DiffTests.repaired]).code == 2)
        let stdin = try run(["-", DiffTests.create])
        #expect(stdin.code == 2 && stdin.err.contains("standard input"))
        #expect(try run([DiffTests.create, DiffTests.update, "--report", "sarif"]).code == 2)
        #expect(try run([DiffTests.snapshot, "--old-revision", "0", "--new-revision", "2"]).code == 2)
        #expect(try run(["--help"]).out.contains("--old-revision"))
        // A side that cannot be read is refused before the other is shown as all added.
        let missing = try run(["/nonexistent/old.json", DiffTests.create])
        #expect(missing.code == 2 && missing.out.isEmpty && missing.err.contains("/nonexistent/old.json does not exist"))
        let folder = try run(["Samples/seeds", DiffTests.create])
        #expect(folder.code == 2 && folder.out.isEmpty && folder.err.contains("Samples/seeds is a directory"))
    }

    @Test func jsonReportToAFile() throws {
        let file = try TestSupport.temporaryDirectory().appendingPathComponent("diff.json").path
        let result = try run(["--report", "json", "--output", file, DiffTests.repaired, DiffTests.planted])
        #expect(result.code == 1 && result.out.isEmpty)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("\"tenant.mismatch\"") && text.contains("\"schema_version\" : 1"))
    }
}
