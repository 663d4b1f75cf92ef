import Foundation

/// A store with a known history, written to a real etcd, for the tests that go back in
/// time (`check --revision`, `history`). The seeds take revisions 2...12, one record each
/// (EndpointTests.load), then one write per revision:
///
///     13  the update seed's monitoring record put again, unchanged: an older version for
///         the compaction to drop
///     14  fault A planted: the create seed's state gets an error although its worker
///         state completed (status.error-mismatch on the create seed's port)
///     15  fault B planted: the update seed's monitoring record says version 2, its
///         config 3 (version.mismatch on the update seed's port)
///         ... the store is compacted at 13 (physically), so the file holds 13...17
///     16  fault A repaired: the create seed's state put back as it was
///     17  the update seed's job_state deleted: its state says the operation completed
///         (record.missing on the update seed's port)
///
/// Each finding the writes make or clear stands in `changes`; the seeds' own 7 hold at
/// every revision.
struct PlantedHistory {
    static let createPort = "ddc14be4-3480-4e97-a978-817b18f9904c"
    static let updatePort = "23464cbc-d910-430a-93f7-3776ea07f992"
    static let stateKey = "/state/v2.0/ports/\(createPort)"
    static let monitoringKey = "/monitoring/v2.0/ports/\(updatePort)"
    static let jobStateKey = "/esi-worker/job_state/v2.0/ports/\(updatePort)"

    static let seedsRevision: Int64 = 12
    static let compactedAt: Int64 = 13
    static let newest: Int64 = 17

    /// One write after the seeds: its revision, key, and whether it deleted the key.
    struct Write: Equatable {
        var revision: Int64
        var key: String
        var deleted = false
    }

    static let writes = [
        Write(revision: 13, key: monitoringKey),
        Write(revision: 14, key: stateKey),
        Write(revision: 15, key: monitoringKey),
        Write(revision: 16, key: stateKey),
        Write(revision: 17, key: jobStateKey, deleted: true),
    ]

    /// A finding ("rule resource-id", as TestSupport.pairs gives it) that a write made
    /// hold, and the write that stopped it (nil: it holds at the newest revision).
    struct Change {
        var finding: String
        var introduced: Int64
        var cleared: Int64?
    }

    static let faultA = Change(finding: "status.error-mismatch \(createPort)", introduced: 14, cleared: 16)
    static let faultB = Change(finding: "version.mismatch \(updatePort)", introduced: 15, cleared: nil)
    static let missing = Change(finding: "record.missing \(updatePort)", introduced: 17, cleared: nil)
    static let changes = [faultA, faultB, missing]

    /// The findings beyond the seeds' that hold at `revision`.
    static func extraFindings(at revision: Int64) -> [String] {
        changes.filter { $0.introduced <= revision && ($0.cleared.map { revision < $0 } ?? true) }.map(\.finding).sorted()
    }

    /// Loads the seeds into a fresh etcd and makes the writes, checking each lands at its
    /// revision (a fresh etcd starts at 1; anything else written first breaks the plan).
    static func write(to server: EtcdServer) throws {
        let seeds = try EndpointTests.seeds()
        guard try EndpointTests.load(server, generated: false) == seedsRevision else {
            throw EtcdServer.Failure("the seeds should end at revision \(seedsRevision): was the store fresh?")
        }
        func seed(_ key: String) throws -> Data {
            guard let value = seeds.first(where: { $0.key == key })?.value else { throw EtcdServer.Failure("no seed \(key)") }
            return value
        }
        /// The seed's value with `old` (found exactly once) replaced: the rest byte for byte.
        func edited(_ key: String, _ old: String, _ new: String) throws -> Data {
            let text = String(decoding: try seed(key), as: UTF8.self)
            guard text.components(separatedBy: old).count == 2 else {
                throw EtcdServer.Failure("\(key): expected \(old) once in its seed")
            }
            return Data(text.replacingOccurrences(of: old, with: new).utf8)
        }
        let steps: [() throws -> Void] = [
            { try server.put(monitoringKey, try seed(monitoringKey)) },
            { try server.put(stateKey, try edited(stateKey, "\"error\": \"\"", "\"error\": \"stack create failed: quota exceeded\"")) },
            {
                try server.put(monitoringKey, try edited(monitoringKey, "\"version\": 3", "\"version\": 2"))
                try server.etcdctl(["compact", String(compactedAt), "--physical"])
            },
            { try server.put(stateKey, try seed(stateKey)) },
            { try server.etcdctl(["del", jobStateKey]) },
        ]
        for (write, step) in zip(writes, steps) {
            try step()
            let now = try server.revision()
            guard now == write.revision else {
                throw EtcdServer.Failure("the write of \(write.key) should be revision \(write.revision), the store is at \(now)")
            }
        }
    }
}
