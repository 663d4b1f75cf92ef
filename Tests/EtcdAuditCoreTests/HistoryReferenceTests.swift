@testable import EtcdAuditCore
import Foundation
import Testing

extension EndpointTests {
    /// `history` keeps `refers_to` findings right when the resource referred to comes and
    /// goes, on a snapshot of a real etcd. A fresh etcd starts at revision 1:
    ///
    ///      2...7   a healthy port, one record a revision, naming network N (no networks yet)
    ///      8       network M, its four records in one transaction: the store holds networks,
    ///              N is not among them (refs.network-exists on the port)
    ///      9       network N's config (cleared)
    ///     10       N's config deleted (again)
    ///     11...14  M's records deleted one a revision: at 14 the store holds no networks
    ///              (cleared: the rule checks only stores that hold the type)
    ///
    /// In EndpointTests' suite: serialized with its other etcds, skipped with them.
    @Suite struct HistoryReferenceTests {
        static let port = "aaaaaaaa-0000-4000-8000-000000000001"
        static let networkN = "dddddddd-0000-4000-8000-000000000004"
        static let networkM = "cccccccc-0000-4000-8000-000000000003"
        static let keyN = "/config/v2.0/networks/\(networkN)"
        static let newest: Int64 = 14

        /// The broken sample's records: the healthy port (its network renamed N everywhere it
        /// is named, so its job and input agree with its config) and network M, in file order.
        static func records() throws -> (port: [(key: String, value: Data)], m: [(key: String, value: Data)]) {
            let reader = MarkdownReader(source: try ByteSource(path: TestSupport.path("Samples/broken/refs.network-exists.md")))
            var port: [(key: String, value: Data)] = [], m: [(key: String, value: Data)] = []
            while let record = try reader.next() {
                if record.key.hasSuffix("/networks/\(networkM)") {
                    m.append((record.key, Data(record.value)))
                } else {
                    let text = String(decoding: record.value, as: UTF8.self)
                    port.append((record.key, Data(text.replacingOccurrences(of: "\"network-1\"", with: "\"\(networkN)\"").utf8)))
                }
            }
            guard port.count == 6, m.count == 4, m[0].key.hasPrefix("/config/") else {
                throw EtcdServer.Failure("the sample should hold the port's 6 records and network M's 4, config first")
            }
            return (port, m)
        }

        /// The snapshot of the plan above, and the keys that M's deletions removed, in order.
        static func write(_ server: EtcdServer) throws -> (snapshot: String, mKeys: [String]) {
            let (port, m) = try records()
            for record in port { try server.put(record.key, record.value) }
            try server.putMany(m.map { ($0.key, Array($0.value)) })
            let config = try #require(m.first).value
            let n = String(decoding: config, as: UTF8.self).replacingOccurrences(of: networkM, with: networkN)
            try server.put(keyN, Data(n.utf8))
            try server.etcdctl(["del", keyN])
            for record in m { try server.etcdctl(["del", record.key]) }
            guard try server.revision() == newest else {
                throw EtcdServer.Failure("the plan should end at revision \(newest), the store is at \(try server.revision())")
            }
            let snapshot = server.dir.appendingPathComponent("store.db").path  // removed with the server
            try server.etcdctl(["snapshot", "save", snapshot])
            return (snapshot, m.map(\.key))
        }

        /// The fingerprints `history` says hold at `revision`: a finding of its result from its
        /// `introduced` on, a cleared one from its `introduced` to the revision before `cleared`.
        static func holding(_ history: History, at revision: Int64) -> Set<String> {
            var out = Set<String>()
            for finding in history.result.findings where history.introduced[finding.fingerprint]!.revision <= revision {
                out.insert(finding.fingerprint)
            }
            for entry in history.cleared where entry.introduced.revision <= revision && revision < entry.cleared.revision {
                out.insert(entry.finding.fingerprint)
            }
            return out
        }

        @Test func theFindingComesAndGoesWithTheNetworks() throws {
            let server = try EtcdServer.start()
            defer { server.stop() }
            let (snapshot, mKeys) = try Self.write(server)
            let auditor = Auditor(catalog: TestSupport.catalog)
            let rule = "refs.network-exists"

            // The check of each revision: the reference's finding where the plan says.
            let checked = (Int64(1)...Self.newest).map { auditor.audit(paths: [snapshot], revision: $0).findings }
            func at(_ revision: Int64) -> [Finding] { checked[Int(revision) - 1] }
            for revision in Int64(1)...Self.newest {
                let refs = at(revision).filter { $0.rule == rule }
                let expected = (8..<9).contains(revision) || (10..<14).contains(revision)
                #expect(refs.map(\.resourceID) == (expected ? [Self.port] : []), "revision \(revision)")
                #expect(refs.allSatisfy { $0.actual == Self.networkN })
            }
            let fingerprint = try #require(at(8).first { $0.rule == rule }).fingerprint

            // The whole history: two spans, each dated by the write that began and ended it.
            let history = try auditor.history(HistoryRequest(path: snapshot))
            #expect(history.undated.isEmpty)
            #expect(history.cleared.filter { $0.finding.rule == rule }.map { [$0.introduced, $0.cleared] } == [
                [WriteRef(revision: 8, key: mKeys[0]), WriteRef(revision: 9, key: Self.keyN)],
                [WriteRef(revision: 10, key: Self.keyN), WriteRef(revision: 14, key: mKeys[3])],
            ])
            #expect(history.cleared.filter { $0.finding.rule == rule }.allSatisfy { $0.finding.fingerprint == fingerprint })
            // Up to 10: the finding holds, introduced again by N's deletion.
            let to10 = try auditor.history(HistoryRequest(path: snapshot, revision: 10))
            #expect(to10.result.findings.filter { $0.rule == rule }.map { to10.introduced[$0.fingerprint] }
                    == [WriteRef(revision: 10, key: Self.keyN)])
            // The port's timeline shows the events its own writes did not make.
            let timeline = try #require(history.timelines.first { $0.ref == ResourceRef(type: "port", id: Self.port) })
            let refEvents = timeline.events.filter { event in (event.appeared + event.cleared).contains { $0.rule == rule } }
            #expect(refEvents.map(\.revision) == [8, 9, 10, 14])
            #expect(refEvents.allSatisfy { $0.writes.isEmpty })

            // Every window of the replay: at each revision it holds what the check finds there,
            // and what began or ended inside it is dated by a write (no key only at its start).
            for first in Int64(1)...Self.newest {
                for last in first...Self.newest {
                    let window = try auditor.history(HistoryRequest(path: snapshot, since: first, revision: last))
                    #expect(window.undated.isEmpty, "\(first)...\(last)")
                    for revision in first...last {
                        let held = Self.holding(window, at: revision)
                        #expect(held == Set(at(revision).map(\.fingerprint)), "\(first)...\(last) at \(revision)")
                    }
                    let dates = window.result.findings.compactMap { window.introduced[$0.fingerprint] }
                        + window.cleared.flatMap { [$0.introduced, $0.cleared] }
                    for date in dates where date.revision > first {
                        #expect(date.key.map { !$0.isEmpty } == true, "\(first)...\(last): \(date)")
                    }
                    for date in dates where date.revision == first { #expect(date.key == nil, "\(first)...\(last)") }
                }
            }
        }
    }
}
