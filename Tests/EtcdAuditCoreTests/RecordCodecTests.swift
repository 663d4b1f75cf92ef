@testable import EtcdAuditCore
import Foundation
import Testing

/// The store keeps records as bytes (RecordCodec): what comes back must be what went in,
/// member for member, for every record of every sample and bad-input case.
struct RecordCodecTests {
    static func inputs() throws -> [String] {
        var paths: [String] = []
        for folder in ["Samples/seeds", "Samples/fixtures", "Samples/broken", "Samples/other-types"] {
            let dir = TestSupport.path(folder)
            paths += try FileManager.default.contentsOfDirectory(atPath: dir).sorted().map { "\(dir)/\($0)" }
        }
        let cases = TestSupport.path("Tests/Cases")
        for name in try FileManager.default.contentsOfDirectory(atPath: cases).sorted() {
            let dir = "\(cases)/\(name)"
            paths += try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("input") }
                .sorted().map { "\(dir)/\($0)" }
        }
        return paths
    }

    @Test func everyRecordComesBackAsItWasPacked() throws {
        let catalog = TestSupport.catalog
        var plan = ExtractionPlan()
        for rule in catalog.rules { plan.merge(rule.check.plan) }
        let extractor = RecordExtractor(plan: plan)
        let context = PackingContext(layouts: catalog.layouts)
        var checked = 0, kinds = Set<RecordKind>(), withProblems = 0
        for path in try Self.inputs() {
            guard let read = try? TestSupport.records(at: path, format: nil) else { continue }
            for raw in read.records {
                guard let parsed = ParallelExtraction.parse(raw, layouts: catalog.layouts, extractor: extractor) else { continue }
                let back = PackedRecord(parsed, context: context).unpacked(context: context)
                #expect(String(reflecting: back) == String(reflecting: parsed), "\(path): \(parsed.meta.key)")
                checked += 1
                kinds.insert(parsed.match.kind)
                if !parsed.problems.isEmpty { withProblems += 1 }
            }
        }
        // The inputs hold every kind of record, and records with problems of their own.
        #expect(checked > 300)
        #expect(kinds.count == RecordKind.allCases.count)
        #expect(withProblems > 20)
    }

    @Test func keysTheLayoutSpellsOutAreLeftOutAndMadeAgain() {
        let context = PackingContext(layouts: TestSupport.catalog.layouts)
        let type = TestSupport.catalog.layouts.types.first { $0.singular == "port" }!
        let fields: SmallMap<String> = ["action": "create", "handler": "heat_worker", "version": "1", "nonce": "ab"]
        for (key, kind, spelled) in [("/jobs/all/create:heat_worker:port:p1:1:ab", RecordKind.job, true),
                                     ("/jobs/all/create:heat_worker:port:p1:1:ab", RecordKind.config, false),
                                     ("/config/v2.0/ports/p1", RecordKind.config, true)] {
            let meta = RecordMeta(key: key, location: SourceLocation(path: "x"), keyFields: kind == .job ? fields : [:])
            var writer = ByteWriter(context: context)
            writer.meta(meta, owner: KeyOwner(kind: kind, type: type, id: "p1"))
            #expect((writer.bytes.count < key.utf8.count) == spelled, "\(key) as \(kind)")
            var reader = ByteReader(writer.bytes, context: context)
            #expect(reader.meta(owner: KeyOwner(kind: kind, type: type, id: "p1")).key == key)
        }
    }
}
