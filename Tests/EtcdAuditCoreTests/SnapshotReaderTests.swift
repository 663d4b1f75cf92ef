@testable import EtcdAuditCore
import Foundation
import Testing

/// The snapshot reader against etcd's own account of the same store, and on damaged copies
/// of the real snapshot (page 2 is the root, a branch page, of its `key` bucket).
struct SnapshotReaderTests {
    static let fixture = "Samples/fixtures/seeds.snapshot.db"
    static let page = 4096

    /// A record as both sides can say it: key, value, create and mod revision.
    struct Entry: Equatable, Comparable, CustomStringConvertible {
        var key: [UInt8], value: [UInt8], create: Int64?, mod: Int64?

        static func < (a: Entry, b: Entry) -> Bool { a.key.lexicographicallyPrecedes(b.key) }
        var description: String { "\(String(decoding: key, as: UTF8.self)) c\(create ?? -1) m\(mod ?? -1)" }
    }

    /// The `kvs` of an etcd JSON answer (etcdctl -w json, or the gateway), decoded here
    /// with Foundation, independently of the tool's own reader.
    static func etcdAnswer(_ path: String) throws -> (entries: [Entry], revision: Int64) {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        func integer(_ any: Any?) -> Int64? { (any as? NSNumber)?.int64Value ?? (any as? String).flatMap { Int64($0) } }
        let entries = (document["kvs"] as? [[String: Any]] ?? []).map { kv in
            Entry(key: [UInt8](Data(base64Encoded: kv["key"] as! String)!),
                  value: [UInt8](Data(base64Encoded: kv["value"] as? String ?? "")!),
                  create: integer(kv["create_revision"]), mod: integer(kv["mod_revision"]))
        }
        return (entries.sorted(), integer((document["header"] as! [String: Any])["revision"])!)
    }

    static func snapshot(_ path: String) throws -> (entries: [Entry], error: InputError?, info: InputInfo) {
        let read = try TestSupport.records(at: path, format: nil)
        let entries = read.records.map { Entry(key: Array($0.key.utf8), value: $0.value, create: $0.createRevision, mod: $0.modRevision) }
        return (entries.sorted(), read.error, read.info)
    }

    @Test func seedsSnapshotEqualsEtcdctlJSON() throws {
        let etcd = try Self.etcdAnswer(TestSupport.path("Samples/fixtures/seeds.etcdctl.json"))
        let ours = try Self.snapshot(TestSupport.path(Self.fixture))
        #expect(ours.error == nil)
        #expect(ours.entries.count == 11)
        #expect(ours.entries == etcd.entries)
        #expect(ours.info.revision == etcd.revision)
    }

    @Test func gzipAndStandardInputAreInflatedToATemporaryFile() throws {
        let plain = try TestSupport.temporaryFile(try Self.bytes(), name: "s.db")
        try TestSupport.runChecked("/bin/gzip", ["-k", plain])
        #expect(try Self.snapshot(plain + ".gz").entries == Self.snapshot(plain).entries)
        let result = Auditor(catalog: TestSupport.catalog).audit(paths: [plain + ".gz"])
        #expect(result.inputs.first?.format == "snapshot" && result.inputs.first?.bytes == 57376)
    }

    static let etcdBinary: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .map { "\($0)/etcd" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A real etcd with a history (transactions, overflowing values, overwrites, deletes,
    /// a compaction, thousands of entries: branch pages), snapshotted and listed by etcd.
    /// With no history beyond one key, the `key` bucket is inline in its parent.
    @Test(.enabled(if: etcdBinary != nil, "no `etcd` binary on PATH (Debian: etcd-server), so no live etcd to compare with"),
          arguments: [3000, 0])
    func snapshotOfALiveEtcdEqualsItsRange(keys: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-audit-live-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The script starts etcd on free loopback ports and always stops and removes it.
        try TestSupport.runChecked("/usr/bin/env", ["python3", TestSupport.path("scripts/make-etcd-snapshot.py"),
                                             "--keys", "\(keys)", "--out", dir])
        let etcd = try Self.etcdAnswer(dir + "/range.json")
        let ours = try Self.snapshot(dir + "/snapshot.db")
        #expect(ours.error == nil)
        #expect(ours.entries.count == etcd.entries.count)
        let firstDifference = zip(ours.entries, etcd.entries).first { $0 != $1 }
        #expect(firstDifference == nil, "first difference (snapshot, etcd): \(String(describing: firstDifference))")
        #expect(ours.info.revision == etcd.revision)
        if keys > 0 {
            #expect(ours.entries.contains { $0.value.count > 2 * Self.page }, "the history should overflow pages")
            // The compaction in the middle: the store at it reads, the one before it not.
            let held = try Self.heldRevisions(dir + "/snapshot.db")
            #expect(held.lowerBound > 1 && held.upperBound == etcd.revision)
            #expect(try TestSupport.records(at: dir + "/snapshot.db", format: nil, revision: held.lowerBound).error == nil)
            let before = try TestSupport.records(at: dir + "/snapshot.db", format: nil, revision: held.lowerBound - 1)
            #expect(before.error?.message.contains("revision \(held.lowerBound - 1) has been compacted") == true)
            let newest = try TestSupport.records(at: dir + "/snapshot.db", format: nil, revision: etcd.revision)
            #expect(newest.records.count == ours.entries.count)
        }
    }

    static func heldRevisions(_ path: String) throws -> ClosedRange<Int64> {
        let descriptor = open(path, O_RDONLY)
        var st = stat()
        _ = fstat(descriptor, &st)
        return try EtcdSnapshot(path: path, descriptor: descriptor, fileSize: Int(st.st_size)).heldRevisions()
    }

    // MARK: damaged copies

    static func bytes() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestSupport.path(fixture))))
    }

    static func damaged(_ change: (inout [UInt8]) -> Void) throws -> (entries: [Entry], error: InputError?, info: InputInfo) {
        var bytes = try bytes()
        change(&bytes)
        return try snapshot(try TestSupport.temporaryFile(bytes, name: "damaged.db"))
    }

    static func put(_ value: UInt64, at offset: Int, size: Int, in bytes: inout [UInt8]) {
        for i in 0..<size { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    /// Branch element `index` of page 2: its child page id.
    static func childOffset(_ index: Int) -> Int { 2 * page + 16 + index * 16 + 8 }

    /// What the walk asks the kernel for ahead of a branch's children: nearby children (a
    /// child, its overflow) in one stretch, far ones apart, nothing outside the tree.
    @Test func prefetchJoinsNearbyChildrenAndStaysInsideTheTree() {
        let gap = BoltFile.prefetchGap
        #expect(BoltFile.prefetchStretches([], pageCount: 100) == [])
        // Key order is not file order; ids 0 and 1 (the metas) and past the end are left out.
        #expect(BoltFile.prefetchStretches([12, 10, 0, 1, 14, 200], pageCount: 100) == [10..<(15 + gap)])
        #expect(BoltFile.prefetchStretches([10, 10 + gap + 1], pageCount: 100) == [10..<(12 + 2 * gap)])
        #expect(BoltFile.prefetchStretches([10, 10 + gap + 2], pageCount: 100)
                == [10..<(11 + gap), (10 + gap + 2)..<(13 + 2 * gap)])
        #expect(BoltFile.prefetchStretches([97, 3], pageCount: 100) == [3..<(4 + gap), 97..<100])
    }

    /// Every walk asks ahead for the children of each branch it enters: the seeds' `key`
    /// bucket is a branch (page 2) over leaves, and a walk over it, either way, asks for
    /// them when it starts.
    @Test func walksAskAheadForEveryBranchTheyEnter() throws {
        let path = TestSupport.path(Self.fixture)
        let descriptor = open(path, O_RDONLY)
        var st = stat()
        _ = fstat(descriptor, &st)
        let snapshot = try EtcdSnapshot(path: path, descriptor: descriptor, fileSize: Int(st.st_size))
        let before = snapshot.file.pagesAskedAhead
        var backward = snapshot.versions(), newestFirst = 0
        while try backward.next() != nil { newestFirst += 1 }
        let askedBackward = snapshot.file.pagesAskedAhead - before
        var forward = try snapshot.writes(after: 0), oldestFirst = 0
        while try forward.next() != nil { oldestFirst += 1 }
        #expect(newestFirst == oldestFirst && newestFirst > 0)
        // Page 2's children are leaves 3, 4, 6 and 8, near enough for one stretch, which
        // reaches `prefetchGap` pages past 8 but stops at the last of the file's 14 pages.
        #expect(snapshot.file.meta.pageCount == 14)
        #expect(askedBackward == 14 - 3)
        #expect(snapshot.file.pagesAskedAhead - before - askedBackward == 14 - 3)
    }

    @Test func aBrokenNewerMetaFallsBackToTheOlder() throws {
        let read = try Self.damaged { $0[16 + 48] ^= 1 }
        #expect(read.error == nil)
        #expect(read.entries.count == 11)
    }

    @Test func bothMetasBrokenNameTheirOffsets() throws {
        let read = try Self.damaged { bytes in
            bytes[16 + 48] ^= 1
            bytes[Self.page + 16] ^= 1  // meta 1's magic
        }
        #expect(read.error?.offset == 16)
        #expect(read.error?.message.contains("page 0 (byte 16): checksum mismatch") == true)
        #expect(read.error?.message.contains("page 1 (byte 4112): no bbolt magic") == true)
    }

    @Test func aCycleOfPagesStopsAtTheDepthLimit() throws {
        let read = try Self.damaged { Self.put(2, at: Self.childOffset(3), size: 8, in: &$0) }
        #expect(read.entries.isEmpty)
        #expect(read.error?.message.contains("more than 64 pages deep") == true)
    }

    @Test func aPageReachedTwiceIsOutOfOrder() throws {
        // Element 2 points to element 3's leaf: its keys come again after smaller ones.
        let read = try Self.damaged { Self.put(4, at: Self.childOffset(2), size: 8, in: &$0) }
        #expect(read.entries.count == 4)
        #expect(read.error?.message.contains("out of key order") == true)
        #expect(read.error?.offset == 4 * Self.page + 16 + 3 * 16)
    }

    @Test func anElementPointingPastItsPage() throws {
        // Element 0 of leaf page 3: its key position, far beyond the page.
        let read = try Self.damaged { Self.put(100_000, at: 3 * Self.page + 16 + 4, size: 4, in: &$0) }
        #expect(read.error?.message.contains("element 0 of page 3 points") == true)
        #expect(read.error?.offset == 3 * Self.page + 16)
    }

    @Test func tooManyOverflowPages() throws {
        let read = try Self.damaged { Self.put(500, at: 4 * Self.page + 12, size: 4, in: &$0) }
        #expect(read.error?.message.contains("page 4 claims 500 overflow pages") == true)
    }

    @Test func aPageThatIsNotWhereItSaysIs() throws {
        let read = try Self.damaged { Self.put(7, at: 3 * Self.page, size: 8, in: &$0) }
        #expect(read.error?.message.contains("page 3 says it is page 7") == true)
    }

    @Test func aValueThatIsNotAKeyValueNamesItsRevision() throws {
        // Element 2 of leaf page 3 (revision 6): the first byte of its value.
        let read = try Self.damaged { bytes in
            let element = 3 * Self.page + 16 + 2 * 16
            let pos = Int(bytes[element + 4]) | Int(bytes[element + 5]) << 8
            bytes[element + pos + 17] = 0x0F
        }
        #expect(read.error?.message.contains("the value of revision 6.0 (element 2 of page 3) is not an etcd KeyValue: "
                                             + "invalid wire type 7") == true)
    }

    /// Damage anywhere gives records or an input error: never a trap, never a hang.
    /// `SNAPSHOT_FUZZ_COUNT=20000` tries more (300 by default; 20000 passed, also under ASan).
    @Test func randomDamageNeverTraps() throws {
        let original = try Self.bytes()
        let count = Int(ProcessInfo.processInfo.environment["SNAPSHOT_FUZZ_COUNT"] ?? "") ?? 300
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let path = try TestSupport.temporaryFile([], name: "fuzz.db")
        var failures = 0
        for _ in 0..<count {
            var bytes = original
            for _ in 0..<(1 + random(4)) {
                // Mostly page headers and element headers, where damage steers the walk.
                let page = random(14) * Self.page
                let offset = random(3) == 0 ? random(original.count) : page + random(16 + 16 * 8)
                bytes[offset] = UInt8(random(256))
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            // Every other try at a revision: seeks take other paths through the pages.
            let revision: Int64? = random(2) == 0 ? nil : Int64(1 + random(12))
            if try TestSupport.records(at: path, format: .snapshot, revision: revision).error != nil { failures += 1 }
        }
        #expect(failures > 0)
    }

    @Test func aFileThatIsNoSnapshot() throws {
        let path = try TestSupport.temporaryFile("/config/x\n{}\n")
        let read = try TestSupport.records(at: path, format: .snapshot)
        #expect(read.error?.message.contains("too few for a bbolt file") == true)
        let longer = try TestSupport.temporaryFile(String(repeating: "/config/x\n{}\n", count: 10))
        #expect(try TestSupport.records(at: longer, format: .snapshot).error?.message.contains("no bbolt magic") == true)
    }
}
