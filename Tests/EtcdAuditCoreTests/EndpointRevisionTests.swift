@testable import EtcdAuditCore
import Foundation
import Testing

/// `check SNAPSHOT --revision N` against etcd's own answers at N, on a store with a known
/// history (PlantedHistory). In EndpointTests' suite: serialized with its other etcds.
extension EndpointTests {
    @Test func aSnapshotAtEveryRevisionItHoldsAgreesWithEtcd() throws {
        let server = try EtcdServer.start()
        defer { server.stop() }
        try PlantedHistory.write(to: server)
        let snapshot = server.dir.appendingPathComponent("store.db").path  // removed with the server
        try server.etcdctl(["snapshot", "save", snapshot])
        let seeds = try Self.audit(["Samples/fixtures/seeds.etcdctl.json"])
        let seedPairs = Self.pairs(seeds.report)
        #expect(seedPairs.count == 7)

        for revision in PlantedHistory.compactedAt...PlantedHistory.newest {
            let n = String(revision)
            let dump = server.dir.appendingPathComponent("rev-\(n).json").path
            try server.etcdctl(["get", "--prefix", "", "--rev", n, "-w", "json"], stdoutFile: dump)
            let fromFile = try Self.audit([snapshot, "--revision", n])
            let live = try Self.audit(["--endpoint", server.clientURL, "--revision", n])
            let etcdctl = try Self.audit([dump])
            #expect(fromFile.code == 1, "revision \(n): \(fromFile.err)")
            #expect((Self.input(fromFile.report)["revision"] as? NSNumber)?.int64Value == revision)
            #expect(Self.input(fromFile.report)["format"] as? String == "snapshot")
            for (name, other) in [("the endpoint", live), ("etcdctl get --rev", etcdctl)] {
                #expect(other.code == fromFile.code, "revision \(n), \(name)")
                #expect(try Self.differences(Self.findings(fromFile.report), Self.findings(other.report)) == [],
                        "revision \(n): the snapshot and \(name) disagree")
                for member in ["resources", "records", "skipped_keys"] {
                    #expect(Self.summary(fromFile.report, member) == Self.summary(other.report, member),
                            "revision \(n), \(name): \(member)")
                }
            }
            // What the writes planted, repaired and deleted, on top of the seeds' findings.
            let expected = (seedPairs + PlantedHistory.extraFindings(at: revision)).sorted()
            #expect(Self.pairs(fromFile.report) == expected, "revision \(n)")
            // The job_state deleted at 17 is gone from that revision on, not before.
            #expect(Self.summary(fromFile.report, "records") == (revision < 17 ? 11 : 10), "revision \(n)")
        }
        // Below the compaction the file no longer holds the store, as etcd no longer does.
        let compacted = try Self.audit([snapshot, "--revision", String(PlantedHistory.compactedAt - 1)])
        #expect(compacted.code == 2)
        #expect(compacted.err.contains("revision 12 has been compacted"))
        #expect(compacted.err.contains("this snapshot holds revisions 13 to 17"))
        #expect((Self.input(compacted.report)["error"] as? String)?.contains("13 to 17") == true)
        let future = try Self.audit([snapshot, "--revision", "18"])
        #expect(future.code == 2)
        #expect(future.err.contains("revision 18 is newer than the store: this snapshot holds revisions 13 to 17"))
        // Without --revision, the newest store, as before.
        let newest = try Self.audit([snapshot])
        #expect(Self.pairs(newest.report) == (seedPairs + PlantedHistory.extraFindings(at: 17)).sorted())
        #expect((Self.input(newest.report)["revision"] as? NSNumber)?.int64Value == 17)

        try checkWalks(snapshot)
    }

    /// The forward walk (what `history` replays) against the backward one: from the store
    /// at the compaction, applying each write gives the store at its revision.
    private func checkWalks(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        var st = stat()
        #expect(fstat(descriptor, &st) == 0)
        let snapshot = try EtcdSnapshot(path: path, descriptor: descriptor, fileSize: Int(st.st_size))
        #expect(try snapshot.heldRevisions() == PlantedHistory.compactedAt...PlantedHistory.newest)

        func store(at revision: Int64) throws -> [String: (value: [UInt8], mod: Int64)] {
            var walk = try snapshot.versions(atOrBefore: revision)
            var met = Set<String>(), out: [String: (value: [UInt8], mod: Int64)] = [:]
            while let version = try walk.next() {
                let key = String(decoding: version.keyBytes(), as: UTF8.self)
                if met.insert(key).inserted, !version.isDeletion { out[key] = (version.valueBytes(), version.kv.modRevision) }
            }
            return out
        }
        var replayed = try store(at: PlantedHistory.compactedAt)
        var writes = try snapshot.writes(after: PlantedHistory.compactedAt)
        var seen: [PlantedHistory.Write] = []
        while let version = try writes.next() {
            let key = String(decoding: version.keyBytes(), as: UTF8.self)
            seen.append(PlantedHistory.Write(revision: version.revision.main, key: key, deleted: version.isDeletion))
            if version.isDeletion { replayed[key] = nil } else { replayed[key] = (version.valueBytes(), version.kv.modRevision) }
            let expected = try store(at: version.revision.main)
            #expect(replayed.mapValues(\.mod) == expected.mapValues(\.mod), "revision \(version.revision)")
            #expect(replayed.mapValues(\.value) == expected.mapValues(\.value), "revision \(version.revision)")
        }
        #expect(seen == Array(PlantedHistory.writes.dropFirst()))
        // From the start: the seeds, then 13 on; the compaction dropped revision 12 (the
        // monitoring record's first version, overwritten at 13).
        var all = try snapshot.writes(after: 0)
        var revisions: [Int64] = []
        while let version = try all.next() { revisions.append(version.revision.main) }
        #expect(revisions == Array(2...11) + Array(13...17))
    }

    /// (rule, resource id) of each finding in a JSON report, sorted.
    static func pairs(_ report: [String: Any]) -> [String] {
        (report["findings"] as? [[String: Any]] ?? []).map { "\($0["rule"] ?? "") \($0["resource_id"] ?? "")" }.sorted()
    }
}
