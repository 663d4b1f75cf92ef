@testable import EtcdAuditCore
import Foundation
import Testing

/// The seeds' snapshot read at each revision it holds (2...12, one record written at each,
/// none compacted), against etcd's own account of the newest store cut at that revision.
/// Its `key` bucket spans a branch page and several leaves, so the seeks cross pages.
struct SnapshotRevisionTests {
    typealias Entry = SnapshotReaderTests.Entry
    static let fixture = SnapshotReaderTests.fixture

    static func open() throws -> EtcdSnapshot {
        let path = TestSupport.path(fixture)
        let descriptor = Glibc.open(path, O_RDONLY)
        var st = stat()
        #expect(fstat(descriptor, &st) == 0)
        return try EtcdSnapshot(path: path, descriptor: descriptor, fileSize: Int(st.st_size))
    }

    @Test func everyRevisionIsTheStoreAsItWasThen() throws {
        let etcd = try SnapshotReaderTests.etcdAnswer(TestSupport.path("Samples/fixtures/seeds.etcdctl.json"))
        #expect(etcd.entries.allSatisfy { $0.create == $0.mod })  // written once each: the cut is by create
        for revision in Int64(1)...12 {
            let read = try TestSupport.records(at: TestSupport.path(Self.fixture), format: nil, revision: revision)
            #expect(read.error == nil)
            #expect(read.info.revision == revision)
            let entries = read.records.map { Entry(key: Array($0.key.utf8), value: $0.value, create: $0.createRevision,
                                                   mod: $0.modRevision) }.sorted()
            #expect(entries == etcd.entries.filter { $0.mod! <= revision }, "revision \(revision)")
        }
    }

    @Test func revisionsOutsideTheFileAreInputErrorsGivingTheRange() throws {
        let snapshot = try Self.open()
        #expect(try snapshot.heldRevisions() == 1...12)
        #expect(try snapshot.compactedRevision() == nil)
        let after = try TestSupport.records(at: TestSupport.path(Self.fixture), format: nil, revision: 13)
        #expect(after.records.isEmpty)
        #expect(after.error?.message == "revision 13 is newer than the store: this snapshot holds revisions 1 to 12; "
                + "give --revision in that range")
        #expect(try snapshot.refusal(of: 0)?.message.contains("revision 0 has been compacted") == true)

        // The audit: an input error (exit 2) naming the file; no revision claimed.
        let result = TestSupport.audit([Self.fixture], revision: 13)
        #expect(result.exitCode(failOn: .error) == 2)
        #expect(result.inputs.first?.error?.hasPrefix("\(Self.fixture): revision 13 is newer") == true)
        #expect(result.inputs.first?.revision == nil)
    }

    @Test func otherFormatsCannotGoBackInTime() throws {
        for (path, format) in [("Samples/fixtures/seeds.etcdctl.json", "etcdctl-json"), ("Samples/fixtures/seeds.jsonl", "jsonl")] {
            let result = TestSupport.audit([path, Self.fixture], revision: 6)
            #expect(result.exitCode(failOn: .error) == 2)
            #expect(result.inputs[0].error?.contains("--revision 6 needs a snapshot") == true)
            #expect(result.inputs[0].error?.contains("this input is \(format)") == true)
            #expect(result.inputs[0].records == 0)
            #expect(result.inputs[1].error == nil && result.inputs[1].revision == 6 && result.inputs[1].records == 5)
        }
    }

    @Test func writesComeInRevisionOrderFromAnyRevision() throws {
        let snapshot = try Self.open()
        let etcd = try SnapshotReaderTests.etcdAnswer(TestSupport.path("Samples/fixtures/seeds.etcdctl.json"))
        let byRevision = etcd.entries.sorted { $0.mod! < $1.mod! }
        for after in Int64(0)...13 {
            var walk = try snapshot.writes(after: after)
            var seen: [Entry] = []
            while let version = try walk.next() {
                #expect(!version.isDeletion)
                seen.append(Entry(key: version.keyBytes(), value: version.valueBytes(), create: version.kv.createRevision,
                                  mod: version.kv.modRevision))
            }
            #expect(seen == byRevision.filter { $0.mod! > after }, "after \(after)")
        }
        // Past the last revision there is nothing; at or before it, everything.
        var none = try snapshot.writes(after: .max)
        #expect(try none.next() == nil)
        var all = try snapshot.versions(atOrBefore: .max)
        var count = 0
        while try all.next() != nil { count += 1 }
        #expect(count == 11)
    }

    @Test func seeksOnDamagedPagesAreInputErrors() throws {
        // Page 2's element 1 points past the last page: a seek to a revision under it
        // descends there at once, and fails naming it.
        var bytes = try SnapshotReaderTests.bytes()
        SnapshotReaderTests.put(9999, at: SnapshotReaderTests.childOffset(1), size: 8, in: &bytes)
        let path = try TestSupport.temporaryFile(bytes, name: "damaged.db")
        let failures = try (Int64(1)...12).map { try TestSupport.records(at: path, format: nil, revision: $0).error }
        #expect(failures.contains { $0?.message.contains("points to page 9999") == true })
        #expect(failures.contains { $0 == nil })  // revisions whose walk never goes there
    }
}
