@testable import EtcdAuditCore
import Foundation
import Testing

/// `history` on snapshots of a real etcd with a known history. In EndpointTests' suite:
/// serialized with its other etcds.
extension EndpointTests {
    /// Runs `etcd-audit history` with a JSON report: exit code, stderr, the parsed report.
    static func history(_ arguments: [String]) throws -> (code: Int32, err: String, report: [String: Any]) {
        let result = try CommandLineTests().run(["history", "--report", "json"] + arguments)
        let report = (try? JSONSerialization.jsonObject(with: Data(result.out.utf8))) as? [String: Any] ?? [:]
        return (result.code, result.err, report)
    }

    /// "rule resource-id" → the finding's `introduced` (and `cleared`), as the report gives them.
    static func dates(_ findings: [[String: Any]]) -> [String: (introduced: WriteRef, cleared: WriteRef?)] {
        func ref(_ any: Any?) -> WriteRef? {
            guard let object = any as? [String: Any], let revision = (object["revision"] as? NSNumber)?.int64Value else { return nil }
            return WriteRef(revision: revision, key: object["key"] as? String)
        }
        var out: [String: (WriteRef, WriteRef?)] = [:]
        for finding in findings {
            out["\(finding["rule"] ?? "") \(finding["resource_id"] ?? "")"] = (ref(finding["introduced"])!, ref(finding["cleared"]))
        }
        return out
    }

    @Test func historyDatesEachPlantedFindingByTheWriteThatPlantedIt() throws {
        let server = try EtcdServer.start()
        defer { server.stop() }
        try PlantedHistory.write(to: server)
        let snapshot = server.dir.appendingPathComponent("store.db").path  // removed with the server
        try server.etcdctl(["snapshot", "save", snapshot])
        func key(at revision: Int64) -> String? { PlantedHistory.writes.first { $0.revision == revision }?.key }

        let run = try Self.history([snapshot])
        #expect(run.code == 1, "\(run.err)")  // version.mismatch and record.missing are errors
        let findings = run.report["findings"] as? [[String: Any]] ?? []
        let check = try Self.audit([snapshot])
        #expect(try Self.differences(Self.findings(check.report),
                                     Self.findings(["findings": findings.map { var f = $0; f["introduced"] = nil; return f }])) == [])
        let dated = Self.dates(findings)
        #expect(findings.count == 9 && findings.allSatisfy { $0["introduced"] != nil })
        let planted = PlantedHistory.changes.filter { $0.cleared == nil }
        for change in planted {
            #expect(dated[change.finding]?.introduced == WriteRef(revision: change.introduced, key: key(at: change.introduced)),
                    "\(change.finding)")
        }
        // The seeds' own findings held at the compaction, the first revision the file holds.
        for (finding, date) in dated where !planted.contains(where: { $0.finding == finding }) {
            #expect(date.introduced == WriteRef(revision: PlantedHistory.compactedAt, key: nil), "\(finding)")
        }
        // Fault A, planted at 14 and repaired at 16, with both writes.
        let cleared = Self.dates(run.report["cleared"] as? [[String: Any]] ?? [])
        #expect(cleared.count == 1)
        let a = PlantedHistory.faultA
        #expect(cleared[a.finding]?.introduced == WriteRef(revision: a.introduced, key: PlantedHistory.stateKey))
        #expect(cleared[a.finding]?.cleared == WriteRef(revision: a.cleared!, key: PlantedHistory.stateKey))

        // Up to 15: fault A still holds, dated 14; nothing cleared yet.
        let at15 = try Self.history([snapshot, "--revision", "15"])
        let dated15 = Self.dates(at15.report["findings"] as? [[String: Any]] ?? [])
        #expect(dated15[a.finding]?.introduced.revision == 14)
        #expect(dated15[PlantedHistory.faultB.finding]?.introduced.revision == 15)
        #expect((at15.report["cleared"] as? [[String: Any]])?.isEmpty == true)
        // From 15 on: what held at 15 has no known write; the repair at 16 is still seen.
        let since15 = try Self.history([snapshot, "--since", "15"])
        #expect(Self.dates(since15.report["findings"] as? [[String: Any]] ?? [])[PlantedHistory.faultB.finding]?.introduced
                == WriteRef(revision: 15, key: nil))
        #expect(Self.dates(since15.report["cleared"] as? [[String: Any]] ?? [])[a.finding]?.introduced == WriteRef(revision: 15, key: nil))
        // Below the compaction the file holds nothing to replay.
        let compacted = try CommandLineTests().run(["history", snapshot, "--since", "12"])
        #expect(compacted.code == 2)
        #expect(compacted.err.contains("--since 12 is outside the history: this snapshot holds revisions 13 to 17"))
        let text = try CommandLineTests().run(["history", snapshot, "port:\(PlantedHistory.createPort)"])
        #expect(text.out.contains("  14      put    \(PlantedHistory.stateKey)\n            /error:  → stack create failed: quota exceeded\n"))
    }

    /// Deleting a record clears the findings about it; deleting every record of a resource
    /// clears all of its findings, and the uniqueness findings of the resource it shared a
    /// value with, dated by the deletion that broke the pair.
    @Test func historyClearsWhatDeletionsRemove() throws {
        let server = try EtcdServer.start()
        defer { server.stop() }
        #expect(try Self.load(server, generated: false) == PlantedHistory.seedsRevision)
        let create = PlantedHistory.createPort, update = PlantedHistory.updatePort
        try server.etcdctl(["del", PlantedHistory.monitoringKey])
        let monitoringGone = try server.revision()
        var deletedAt: [String: Int64] = [:]
        for (key, _) in try Self.seeds() where key.contains(create) {
            try server.etcdctl(["del", key])
            deletedAt[key] = try server.revision()
        }
        let snapshot = server.dir.appendingPathComponent("store.db").path
        try server.etcdctl(["snapshot", "save", snapshot])

        let run = try Self.history([snapshot])
        let dated = Self.dates(run.report["findings"] as? [[String: Any]] ?? [])
        let cleared = Self.dates(run.report["cleared"] as? [[String: Any]] ?? [])
        #expect(!dated.keys.contains { $0.hasSuffix(create) })
        #expect(cleared["monitoring.failed \(update)"]?.cleared == WriteRef(revision: monitoringGone, key: PlantedHistory.monitoringKey))
        let stackKey = "/esi-worker/heat_stacks/v2.0/ports/\(create)"
        for port in [create, update] {
            #expect(cleared["unique.vmi \(port)"]?.cleared == WriteRef(revision: deletedAt[stackKey]!, key: stackKey), "\(port)")
        }
        #expect(cleared["heat-outputs.mac-mismatch \(create)"] != nil)
        let check = try Self.audit([snapshot])
        #expect(try Self.differences(Self.findings(check.report), Self.findings(["findings": (run.report["findings"] as? [[String: Any]] ?? []).map {
            var f = $0; f["introduced"] = nil; return f }])) == [])
        // The port deleted entirely can still be asked about: its timeline ends with its deletion.
        let gone = try CommandLineTests().run(["history", snapshot, "ports/\(create)"])
        #expect(gone.code == 0, "\(gone.err)")
        #expect(gone.out.contains("delete \(stackKey)"))
        #expect(gone.out.contains("findings at revision \(deletedAt.values.max()!): 0"))
    }
}
