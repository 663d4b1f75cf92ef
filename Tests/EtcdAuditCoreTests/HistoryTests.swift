@testable import EtcdAuditCore
import Foundation
import Testing

/// `history` on the seeds' snapshot (revisions 1...12, one record written at each, never
/// compacted): the replay against `check --revision N` at every revision, when each finding
/// came and went, and the command line's limits.
struct HistoryTests {
    static let fixture = SnapshotReaderTests.fixture
    static let createPort = "ddc14be4-3480-4e97-a978-817b18f9904c"
    static let updatePort = "23464cbc-d910-430a-93f7-3776ea07f992"

    static func history(since: Int64? = nil, revision: Int64? = nil) throws -> History {
        try Auditor(catalog: TestSupport.catalog)
            .history(HistoryRequest(path: TestSupport.path(fixture), since: since, revision: revision))
    }

    /// Whatever the window, the replay ends with exactly the findings the check of its last
    /// revision gives, each dated, and starts with those of its first dated by no key.
    @Test func theReplayEndsWithTheCheckOfItsLastRevision() throws {
        for last in Int64(1)...12 {
            for first in [Int64(1), max(1, last - 3), last] {
                let history = try Self.history(since: first, revision: last)
                let checked = TestSupport.audit([Self.fixture], revision: last)
                #expect(Set(history.result.findings.map(\.fingerprint)) == Set(checked.findings.map(\.fingerprint)))
                #expect(history.undated.isEmpty, "\(first)...\(last)")
                #expect(history.introduced.count == Set(checked.findings.map(\.fingerprint)).count, "\(first)...\(last)")
                let atStart = Set(TestSupport.audit([Self.fixture], revision: first).findings.map(\.fingerprint))
                for (fingerprint, write) in history.introduced {
                    #expect((write.key == nil) == (write.revision == first), "\(first)...\(last)")
                    if write.key == nil { #expect(atStart.contains(fingerprint)) }
                }
                #expect(history.revisions == first...last)
            }
        }
    }

    /// A snapshot whose first meta page is damaged replays from its second, as the check
    /// that ends the replay reads it: the same findings, dated alike, as the sound file.
    @Test func aSnapshotWithADamagedFirstMetaPageReplaysWhole() throws {
        var bytes = try SnapshotReaderTests.bytes()
        bytes[16] ^= 1  // meta page 0's magic
        let damaged = try TestSupport.temporaryFile(bytes, name: "damaged.db")
        let history = try Auditor(catalog: TestSupport.catalog).history(HistoryRequest(path: damaged))
        let sound = try Self.history()
        #expect(history.revisions == sound.revisions)
        #expect(history.introduced == sound.introduced)
        #expect(history.result.findings.map(\.fingerprint) == sound.result.findings.map(\.fingerprint))
    }

    /// Each finding dated by the write after which it first held: checked against the
    /// checks of the revisions before and after, for every finding the seeds ever make.
    @Test func introducedIsTheFirstRevisionOfAnUnbrokenRun() throws {
        let history = try Self.history()
        let byRevision = (Int64(1)...12).map { Set(TestSupport.audit([Self.fixture], revision: $0).findings.map(\.fingerprint)) }
        func holds(_ fingerprint: String, at revision: Int64) -> Bool { byRevision[Int(revision) - 1].contains(fingerprint) }
        for (fingerprint, write) in history.introduced {
            #expect(write.key != nil)  // the store at 1 is empty: every finding has its write
            #expect(!holds(fingerprint, at: write.revision - 1))
            for revision in write.revision...12 { #expect(holds(fingerprint, at: revision)) }
        }
        for entry in history.cleared {
            let f = entry.finding.fingerprint
            #expect(!holds(f, at: entry.introduced.revision - 1) && !holds(f, at: entry.cleared.revision))
            for revision in entry.introduced.revision..<entry.cleared.revision { #expect(holds(f, at: revision)) }
        }
        // The two in-flight findings, cleared when each port's state came; the key is the write's.
        #expect(history.cleared.map { "\($0.finding.rule) \($0.finding.resourceID) \($0.introduced.revision) \($0.cleared.revision)" }
                == ["resource.in-flight \(Self.createPort) 3 6", "resource.in-flight \(Self.updatePort) 8 11"])
        #expect(history.cleared[1].cleared.key == "/state/v2.0/ports/\(Self.updatePort)")
        // unique.vmi on both ports: made by the update port's stack (9), the second holder.
        let vmi = history.result.findings.filter { $0.rule == "unique.vmi" }
        #expect(vmi.count == 2)
        #expect(vmi.allSatisfy { history.introduced[$0.fingerprint] == WriteRef(revision: 9, key: "/esi-worker/heat_stacks/v2.0/ports/\(Self.updatePort)") })
        #expect(history.writes == 11)
    }

    @Test func timelinesShowWritesAndFindingsPerResource() throws {
        let history = try Self.history().limited(to: [ResourceRef(type: "port", id: Self.createPort)])
        #expect(history.timelines.map(\.id) == [Self.createPort])
        #expect(history.result.findings.allSatisfy { $0.resourceID == Self.createPort })
        let events = history.timelines[0].events
        #expect(events.map(\.revision) == [2, 3, 4, 5, 6, 9])
        #expect(events.flatMap(\.writes).allSatisfy { !$0.deleted && $0.previousOffset == nil })
        #expect(events[1].appeared.map(\.rule) == ["resource.in-flight"])
        #expect(events[4].cleared.map(\.rule) == ["resource.in-flight"])
        // The other port's stack at 9 made unique.vmi on this one: an event without a write.
        #expect(events[5].writes.isEmpty && events[5].appeared.map(\.rule) == ["unique.vmi"])
        let text = HistoryTextReport.render(history)
        #expect(text.contains("port \(Self.createPort)\n  2       create /config/v2.0/ports/\(Self.createPort)"))
        #expect(text.contains("introduced at 9 by /esi-worker/heat_stacks/v2.0/ports/\(Self.updatePort)"))
        #expect(text.contains("cleared at 6 by /state/v2.0/ports/\(Self.createPort)"))
    }

    /// The first store is parsed on several threads: nothing depends on how many.
    @Test func threadsChangeNothing() throws {
        let one = try Self.history(since: 5)
        let two = try Auditor(catalog: TestSupport.catalog)
            .history(HistoryRequest(path: TestSupport.path(Self.fixture), since: 5, jobs: 3))
        #expect(one.introduced == two.introduced)
        #expect(one.cleared.map(\.finding.fingerprint) == two.cleared.map(\.finding.fingerprint))
        #expect(one.timelines.map(\.events.count) == two.timelines.map(\.events.count))
    }

    @Test func revisionsOutsideTheFileAreInputErrors() throws {
        #expect(throws: InputError.self) { try Self.history(revision: 13) }
        do {
            _ = try Self.history(since: 13)
            Issue.record("--since 13 replayed")
        } catch let error as InputError {
            #expect(error.message.contains("--since 13 is outside the history: this snapshot holds revisions 1 to 12"))
        }
        do {
            _ = try Self.history(since: 8, revision: 5)
            Issue.record("--since after --revision replayed")
        } catch let error as InputError {
            #expect(error.message.contains("--since 8 is after the last revision replayed (5)"))
        }
        // A dump, not a snapshot: an input error that says which it is, not a corrupt snapshot.
        for (dump, format) in [("seeds.jsonl", "jsonl"), ("seeds.etcdctl.json", "etcdctl-json"), ("seeds.etcdctl.txt", "etcdctl")] {
            do {
                _ = try Auditor(catalog: TestSupport.catalog).history(HistoryRequest(path: TestSupport.path("Samples/fixtures/\(dump)")))
                Issue.record("history replayed \(dump)")
            } catch let error as InputError {
                #expect(error.message.contains("history replays an etcd snapshot"), "\(error)")
                #expect(error.message.contains("this looks like \(format),"), "\(error)")
            }
        }
    }

    @Test func theCommandLine() throws {
        let cli = CommandLineTests()
        let json = try cli.run(["history", Self.fixture, "--report", "json"])
        let report = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any] ?? [:]
        let findings = report["findings"] as? [[String: Any]] ?? []
        #expect(findings.count == 7 && findings.allSatisfy { $0["introduced"] is [String: Any] })
        #expect((report["cleared"] as? [[String: Any]])?.count == 2)
        #expect((report["history"] as? [String: Any])?["writes"] as? Int == 11)
        // The same document as check's, but for what history adds.
        let check = try cli.run(["check", Self.fixture, "--report", "json"])
        #expect(json.code == check.code)  // the exit status is check's
        var stripped = report
        stripped["cleared"] = nil
        stripped["history"] = nil
        stripped["findings"] = findings.map { var f = $0; f["introduced"] = nil; return f }
        let checked = try JSONSerialization.jsonObject(with: Data(check.out.utf8)) as? [String: Any] ?? [:]
        #expect(NSDictionary(dictionary: stripped).isEqual(to: checked))

        let one = try cli.run(["history", Self.fixture, "port:\(Self.updatePort)", "--fail-on", "warning"])
        #expect(one.code == 1)
        #expect(one.out.contains("\nport \(Self.updatePort)\n") && !one.out.contains("\nport \(Self.createPort)\n"))
        let unknown = try cli.run(["history", Self.fixture, "ports/nope"])
        #expect(unknown.code == 2 && unknown.err.contains("no port nope in revisions 1 to 12"))
        let outside = try cli.run(["history", Self.fixture, "--since", "40"])
        #expect(outside.code == 2 && outside.err.contains("holds revisions 1 to 12"))
        let notSnapshot = try cli.run(["history", "Samples/fixtures/seeds.jsonl"])
        #expect(notSnapshot.code == 2 && notSnapshot.err.contains("etcd-audit: history:"))
    }
}
