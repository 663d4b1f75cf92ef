@testable import EtcdAuditCore
import Foundation
import Testing

/// The snapshot reader's keys met, kept as 64-bit hashes: keys whose hashes agree are told
/// apart by their bytes, read again from where they were met, so a collision never drops a
/// record, and a key met again is still dropped.
struct MetKeysTests {
    /// Every key hashes alike (0 too, the value that marks an empty slot).
    @Test(arguments: [0, 42] as [UInt64])
    func keysThatShareAHashAreToldApartByTheirBytes(constant: UInt64) throws {
        var met = MetKeys(hash: { _ in constant })
        var keys: [[UInt8]] = []
        var reads = 0
        func insert(_ text: String) -> Bool {
            let key = Array(text.utf8)
            keys.append(key)
            return key.withUnsafeBytes { bytes in
                met.insert(bytes, at: keys.count - 1) { place in
                    reads += 1
                    return keys[place]
                }
            }
        }
        #expect(insert("/state/v2.0/ports/a"))
        #expect(reads == 0)
        #expect(insert("/state/v2.0/ports/b"))  // a collision: a, read again, differs
        #expect(reads == 1)
        #expect(insert("/state/v2.0/ports/a") == false)
        #expect(insert("/state/v2.0/ports/b") == false)
        #expect(insert("/state/v2.0/ports/ab"))
        #expect(met.count == 3)
        // Past the first growth (1,024 slots at three quarters), every key still in place.
        for index in 0..<900 { #expect(insert("/k/\(index)")) }
        #expect(insert("/k/7") == false && insert("/state/v2.0/ports/a") == false)
        #expect(met.count == 903)
    }

    /// Places are kept as offset / 16 while every one is a multiple of 16 that fits, and
    /// as they are once one is not (an inline bucket's element, a file past 64 GiB): either
    /// way, through growth, the place read again is the place given.
    @Test(arguments: [[16, 4096, 16 << 32 - 16], [32, 16 << 32, 48], [64, 17, 4096]])
    func theKeyIsReadAgainAtThePlaceItWasMet(odd: [Int]) throws {
        var met = MetKeys(hash: { $0.starts(with: Array("/k/".utf8)) ? 9 : MetKeys.xxh3($0) })
        var keyAt: [Int: [UInt8]] = [:]
        var asked: [Int] = []
        func insert(_ text: String, at place: Int) -> Bool {
            let key = Array(text.utf8)
            if keyAt[place] == nil { keyAt[place] = key }
            return key.withUnsafeBytes { bytes in
                met.insert(bytes, at: place) { place in
                    asked.append(place)
                    return keyAt[place] ?? []
                }
            }
        }
        // Three keys that share one hash, at the odd places, then enough others to grow twice.
        for (i, place) in odd.enumerated() { #expect(insert("/k/" + String(repeating: "x", count: i), at: place)) }
        for i in 0..<2000 { #expect(insert(String(i), at: 1 << 20 + 16 * i)) }
        asked = []
        #expect(insert("/k/xx", at: 0) == false)
        #expect(asked == odd)
        #expect(met.count == 2003)
    }

    /// The seeds' snapshot read with every etcd key hashing alike: the same records as
    /// etcd's own listing.
    @Test func aSnapshotReadWithOneHashForEveryKeyLosesNoRecord() throws {
        let path = TestSupport.path(SnapshotReaderTests.fixture)
        let etcd = try SnapshotReaderTests.etcdAnswer(TestSupport.path("Samples/fixtures/seeds.etcdctl.json"))
        #expect(try Self.read(path) { _ in 7 }.entries == etcd.entries)
        #expect(try Self.read(path, hash: MetKeys.xxh3).entries == etcd.entries)
    }

    /// A live etcd's history (overwrites, deletions, a compaction) with a 4-bit hash:
    /// thousands of collisions among keys met again and keys met once, and still exactly
    /// etcd's range: every key once, as of its newest version, deleted keys left out. (The
    /// fixtures hold no key written twice; this is where older versions are met.)
    @Test(.enabled(if: SnapshotReaderTests.etcdBinary != nil, "no `etcd` binary on PATH (Debian: etcd-server)"))
    func aLiveHistoryWithAPoorHashEqualsItsRange() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-audit-met-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try TestSupport.runChecked("/usr/bin/env", ["python3", TestSupport.path("scripts/make-etcd-snapshot.py"),
                                                    "--keys", "600", "--out", dir])
        let etcd = try SnapshotReaderTests.etcdAnswer(dir + "/range.json")
        let poor = try Self.read(dir + "/snapshot.db") { MetKeys.xxh3($0) & 0xF }
        #expect(poor.entries.count == etcd.entries.count)
        #expect(poor.entries == etcd.entries)
        #expect(poor.versions > poor.entries.count)
    }

    /// The records a `SnapshotReader` with `hash` yields, and how many versions it walked.
    static func read(_ path: String, hash: @escaping MetKeys.Hash) throws
        -> (entries: [SnapshotReaderTests.Entry], versions: Int)
    {
        let descriptor = open(path, O_RDONLY)
        #expect(descriptor >= 0)
        var walked = 0
        let reader = SnapshotReader(path: path, descriptor: descriptor) { key in
            walked += 1
            return hash(key)
        }
        var entries: [SnapshotReaderTests.Entry] = []
        while let record = try reader.next() {
            entries.append(.init(key: Array(record.key.utf8), value: record.value, create: record.createRevision,
                                 mod: record.modRevision))
        }
        return (entries.sorted(), walked)
    }
}
