@testable import EtcdAuditCore
import Foundation
import Testing

/// The store keeps records as bytes (RecordCodec): what comes back must be what went in,
/// member for member, for every record of every sample and bad-input case.
struct RecordCodecTests {
    static func inputs() throws -> [String] {
        var paths: [String] = []
        // A folder that is missing or empty fails the test (it throws, or is named here).
        for folder in ["Samples/seeds", "Samples/fixtures", "Samples/broken", "Samples/other-types"] {
            let dir = TestSupport.path(folder)
            let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            if names.isEmpty { throw TestSupport.Discovery(description: "\(folder) holds no input") }
            paths += names.map { "\(dir)/\($0)" }
        }
        let cases = TestSupport.path("Tests/Cases")
        for name in try FileManager.default.contentsOfDirectory(atPath: cases).sorted() {
            let dir = "\(cases)/\(name)"
            paths += try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("input") }
                .sorted().map { "\(dir)/\($0)" }
        }
        return paths
    }

    /// Extraction as the audit does it, with the plan of every built-in rule.
    static let extractor: RecordExtractor = {
        var plan = ExtractionPlan()
        for rule in TestSupport.catalog.rules { plan.merge(rule.check.plan) }
        return RecordExtractor(plan: plan)
    }()

    @Test func everyRecordComesBackAsItWasPacked() throws {
        let catalog = TestSupport.catalog, extractor = Self.extractor
        let context = PackingContext(layouts: catalog.layouts)
        var checked = 0, kinds = Set<RecordKind>(), withProblems = 0
        for path in try Self.inputs() {
            // Every input opens (the unreadable parts of some are the point, and come back
            // as records with problems): one that does not is a failure, not a skip.
            let read: (records: [RawRecord], error: InputError?, info: InputInfo)
            do {
                read = try TestSupport.records(at: path, format: nil)
            } catch {
                Issue.record("\(path) cannot be opened: \(error)")
                continue
            }
            for raw in read.records {
                guard let parsed = ParallelExtraction.parse(raw, layouts: catalog.layouts, extractor: extractor) else { continue }
                let (kind, entry, problems) = PackedRecord(parsed, context: context).read(context: context)
                #expect(kind == parsed.match.kind)
                let back = ParsedRecord(match: parsed.match, meta: entry.meta, facts: entry.facts, problems: problems,
                                        valueDigest: entry.valueDigest, selected: entry.selected)
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

    @Test func aKeyIsLeftOutAndSpelledAgainByThePatternItMatched() throws {
        let layouts = TestSupport.catalog.layouts, context = PackingContext(layouts: layouts)
        for key in ["/jobs/all/create:heat_worker:port:p1:1:ab", "/config/v2.0/ports/p1", "/state/v2.0/ports/p1"] {
            let match = try #require(layouts.match(key), "\(key)")
            let meta = RecordMeta(key: key, location: SourceLocation(path: "x"), keyFields: match.fields)
            var writer = ByteWriter(context: context)
            writer.meta(meta, match: match)
            #expect(writer.bytes.count < key.utf8.count / 2, "\(key)")
            var reader = ByteReader(writer.bytes, context: context)
            let (kind, back) = reader.meta(type: match.type, id: match.id)
            #expect(kind == match.kind && back.key == key && String(reflecting: back.keyFields) == String(reflecting: match.fields))
        }
    }
}

extension RecordCodecTests {
    /// Through the store: each resource decodes to the records that went in, including the
    /// outputs it keeps once for the stack, job_state and state (which it must, on the
    /// seeds), in the order of a dump (stacks first) and of a snapshot's newest-first walk
    /// (states first).
    @Test(arguments: [false, true])
    func theStoreGivesBackEveryRecordItWasGiven(statesFirst: Bool) throws {
        let catalog = TestSupport.catalog, extractor = Self.extractor
        var store = RecordStore(layouts: catalog.layouts)
        var given: [String: ParsedRecord] = [:]
        var bytesGiven = 0
        var records: [RawRecord] = []
        for path in ["Samples/fixtures/seeds.etcdctl.json", "Samples/broken/heat-outputs.mismatch.md"] {
            records += try TestSupport.records(at: TestSupport.path(path), format: nil).records
        }
        for raw in statesFirst ? records.reversed() : records {
            guard let parsed = ParallelExtraction.parse(raw, layouts: catalog.layouts, extractor: extractor),
                  given[parsed.meta.key] == nil else { continue }
            given[parsed.meta.key] = parsed
            let packed = PackedRecord(parsed, context: store.context)
            bytesGiven += packed.bytes.count
            store.add(packed)
        }
        let stored = store.takeSorted()
        var found = 0
        for resource in (0..<stored.count).map({ stored.resource(at: $0) }) {
            for (kind, entry) in resource.records.allEntries {
                let key = entry.meta.key, parsed = given[key]!
                #expect(kind == parsed.match.kind, "\(key)")
                #expect(String(reflecting: entry.facts) == String(reflecting: parsed.facts), "\(key)")
                #expect(Array(entry.selected.bytes) == Array(parsed.selected.bytes), "\(key)")
                #expect(String(reflecting: resource.problems.filter { $0.meta.key == key }.map(\.problem))
                        == String(reflecting: parsed.problems), "\(key)")
                found += 1
            }
        }
        #expect(found == given.count)
        // The seeds' stack, job_state and state outputs are the same: kept once.
        #expect(stored.store.packedBytes < bytesGiven - 400)
    }
}

extension RecordCodecTests {
    /// Operators' layouts: a second pattern of a kind, and a placeholder named twice, which
    /// must take the same text each time (else the key is not of that shape): every key that
    /// matches comes back from its pattern byte for byte.
    @Test func keysOfOperatorsLayoutsAreSpelledBackExactly() throws {
        let port = ResourceType(plural: "ports", singular: "port")
        let layouts = try Layouts(patterns: [(.config, KeyPattern("/config/v2.0/{plural}/{id}")),
                                             (.config, KeyPattern("/cfg/{singular}/{id}/{plural}")),
                                             (.job, KeyPattern("/jobs/{id}/{action}/{id}:{action}:{singular}"))],
                                  types: [port])
        let context = PackingContext(layouts: layouts)
        for key in ["/config/v2.0/ports/p1", "/cfg/port/p1/ports", "/jobs/p1/create/p1:create:port", "/jobs/é/x/é:x:port"] {
            let match = try #require(layouts.match(key), "\(key)")
            var writer = ByteWriter(context: context)
            writer.meta(RecordMeta(key: key, location: SourceLocation(path: "x"), keyFields: match.fields), match: match)
            var reader = ByteReader(writer.bytes, context: context)
            #expect(reader.meta(type: match.type, id: match.id).1.key == key)
        }
        for key in ["/jobs/p1/create/p2:create:port", "/jobs/p1/create/p1:modify:port", "/cfg/port/p1/networks"] {
            #expect(layouts.match(key) == nil, "\(key)")
        }
    }

    /// A resource with thousands of jobs (a chain of thousands of segments) keeps every one,
    /// and a job read again replaces its earlier value.
    @Test func aResourceWithThousandsOfJobsKeepsThemAll() throws {
        let catalog = TestSupport.catalog
        var store = RecordStore(layouts: catalog.layouts)
        let id = "11111111-2222-3333-4444-555555555555"
        func job(_ n: Int, retries: Int = 0) -> RawRecord {
            let key = "/jobs/all/create:heat_worker:port:\(id):1:n\(n)"
            let value = #"["heat_worker", {"resource_id": "\#(id)", "version": 1, "description": "\#(String(repeating: "x", count: 200))"}, \#(retries)]"#
            return RawRecord(key: key, value: Array(value.utf8), location: SourceLocation(path: "x"))
        }
        func add(_ raw: RawRecord) {
            store.add(ParallelExtraction.parse(raw, layouts: catalog.layouts, extractor: Self.extractor)!)
        }
        for n in 0..<3000 { add(job(n)) }
        add(job(7, retries: 5))  // the same key again, with another value: the newest is kept
        let stored = store.takeSorted()
        #expect(stored.count == 1)
        let jobs = stored.resource(at: 0).jobs
        #expect(jobs.count == 3000)
        #expect(jobs.map(\.meta.key) == jobs.map(\.meta.key).sorted())
        let usual = jobs.first { $0.meta.key != job(7).key }!.valueDigest
        #expect(jobs.filter { $0.valueDigest != usual }.map(\.meta.key) == [job(7).key])
    }
}

extension RecordCodecTests {
    /// Resources whose index hashes are equal (forced here: every hash is 0) are still told
    /// apart by their ids, and come out in the same order with the same records.
    @Test func resourcesWithTheSameHashStayApart() throws {
        let catalog = TestSupport.catalog
        var plain = RecordStore(layouts: catalog.layouts)
        var colliding = RecordStore(layouts: catalog.layouts, indexHashMask: 0)
        let reads = try ["Samples/fixtures/seeds.etcdctl.json", "Samples/other-types/networks-subnets.md",
                          "Samples/broken/input.duplicate-key.md", "Samples/broken/heat-outputs.mismatch.md"]
            .flatMap { try TestSupport.records(at: TestSupport.path($0), format: nil).records }
        for raw in reads + reads {  // every key twice: every resource read through RereadKeys too
            guard let parsed = ParallelExtraction.parse(raw, layouts: catalog.layouts, extractor: Self.extractor) else { continue }
            plain.add(parsed)
            colliding.add(parsed)
        }
        let a = plain.takeSorted(), b = colliding.takeSorted()
        #expect(a.count == b.count && a.count > 3)
        #expect(Array(a.list) == Array(b.list))
        for i in 0..<a.count {
            #expect(String(reflecting: a.resource(at: i).allRecords) == String(reflecting: b.resource(at: i).allRecords))
        }
    }

    /// A resource marked because a key's 32-bit hash was met before (forced here: every
    /// hash is 0, so every resource is read through `RereadKeys`) gives the records, facts
    /// and problems the plain reading gives, when no key is read twice.
    @Test func aResourceMarkedByACollidingKeyHashReadsAsAnyOther() throws {
        let catalog = TestSupport.catalog
        var plain = RecordStore(layouts: catalog.layouts), marked = RecordStore(layouts: catalog.layouts)
        var keys: Set<String> = []
        for path in ["Samples/fixtures/seeds.etcdctl.json", "Samples/other-types/networks-subnets.md",
                     "Samples/broken/schema.invalid.md"] {
            for raw in try TestSupport.records(at: TestSupport.path(path), format: nil).records {
                guard let parsed = ParallelExtraction.parse(raw, layouts: catalog.layouts, extractor: Self.extractor) else { continue }
                #expect(keys.insert(parsed.meta.key).inserted, "\(parsed.meta.key) read twice")
                plain.add(parsed)
                var packed = PackedRecord(parsed, context: marked.context)
                packed.keyHash = 0
                marked.add(packed)
            }
        }
        let a = plain.takeSorted(), b = marked.takeSorted()
        #expect(a.count == b.count && a.count > 3)
        for i in 0..<a.count {
            let x = a.resource(at: i), y = b.resource(at: i)
            #expect(String(reflecting: x.records.allEntries.map { ($0.kind, $0.entry.meta, $0.entry.facts) })
                    == String(reflecting: y.records.allEntries.map { ($0.kind, $0.entry.meta, $0.entry.facts) }))
            #expect(String(reflecting: x.problems) == String(reflecting: y.problems))
        }
        // The sample breaks the schema: its records' own problems go through RereadKeys too.
        #expect((0..<a.count).reduce(0) { $0 + a.resource(at: $1).problems.count } > 0)
    }

    /// Ids sort by their bytes, as etcd sorts keys (and as the report order does), ASCII or
    /// not: NFC é (0xC3 0xA9) after NFD é (e, then U+0301).
    @Test func idsSortAsBytes() {
        let words = ["b", "a", "\u{E9}", "e\u{301}", "e\u{301}z", "Z", "", "ab", "a\u{0}", "ß", "ss"]
        var ids = ResourceIDs()
        for w in words { ids.append(w) }
        let sorted = words.indices.sorted { ids.precedes($0, $1) }.map { Array(words[$0].utf8) }
        #expect(sorted == words.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(sorted.firstIndex(of: Array("e\u{301}".utf8))! < sorted.firstIndex(of: Array("\u{E9}".utf8))!)
        #expect(words.indices.allSatisfy { ids.string($0) == words[$0] && ids.equals($0, words[$0]) })
    }
}

extension RecordCodecTests {
    /// Ids, MACs, hex and words take their compact forms and come back as they were; what
    /// only looks like one (capitals, a wrong separator, odd length) stays text. The store's
    /// own strings (key fields, problems) keep words by number and the rest as text; the
    /// selected values take every form.
    @Test func compactStringsComeBackExactly() throws {
        let context = PackingContext(layouts: TestSupport.catalog.layouts)
        let strings = [
            "cd613e30-d8f1-4adf-91b7-584a2265b1f5", "CD613E30-D8F1-4ADF-91B7-584A2265B1F5", "cd613e30-d8f1-4adf-91b7_584a2265b1f5",
            "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "cd613e30-d8f1-4adf-91b7-584a2265b1f",
            "fa:16:3e:c7:dd:01", "FA:16:3E:C7:DD:01", "fa-16-3e-c7-dd-01", "00:00:00:00:00:00",
            "e4b06ce60741c7a87ce42c8218072e8c", "e4b06ce60741c7a87ce42c8218072e8", "0123456789012345", "e4b06ce60741c7a87ce42c8218072e8C",
            "modify", "heat_worker", "UPDATE_COMPLETE", "x", "", "é word", String(repeating: "w", count: 65), "virtual_machine_interface_allowed_address_pairs",
            "cd613e30-d8f1-4adf-91b7-584a2265b1f5", "fa:16:3e:c7:dd:01",  // repeats
            "caf\u{e9}", "cafe\u{301}",  // equal as `String`s, two words by their bytes
        ]
        var writer = ByteWriter(context: context)
        for s in strings { writer.string(s) }
        writer.outputs([HeatOutput(key: "id", digest: JSONDigest(high: 1, low: 2))])
        writer.string("fa:16:3e:c7:dd:01")
        var reader = ByteReader(writer.bytes, context: context)
        #expect(strings.map { _ in Array(reader.string().utf8) } == strings.map { Array($0.utf8) })
        let output = reader.outputs().first
        #expect(output?.key == "id" && output?.digest == JSONDigest(high: 1, low: 2))
        #expect(reader.string() == "fa:16:3e:c7:dd:01")
        #expect(reader.atEnd)
        // A word is its number in the store.
        var word = ByteWriter(context: context)
        word.string("virtual_machine_interface_allowed_address_pairs")
        #expect(word.bytes.count <= 3)

        let each = ValueSelection(steps: [.each])
        let list = Array(JSONValue.array(strings.map(JSONValue.string)).text.utf8)
        let selected = try JSONDocument.parse(list) { PathSelection.select([each], in: $0, resourceID: "r") }.get().value
        #expect(selected.plainValues(each, resourceID: "r")?.map { Array(($0.stringValue ?? "-").utf8) } == strings.map { Array($0.utf8) })
        // A selected UUID is 17 bytes, and 2 when repeated (after the slot's header of 2 to 4).
        let uuid = ValueSelection(steps: [.member("u"), .each])
        let sizes = try [#"{"u": ["\#(strings[0])"]}"#, #"{"u": ["\#(strings[0])", "\#(strings[0])"]}"#].map { document in
            try JSONDocument.parse(Array(document.utf8)) { PathSelection.select([uuid], in: $0, resourceID: "r") }.get().value.bytes.count
        }
        #expect(sizes[0] <= 17 + 4 && sizes[1] - sizes[0] == 2)
    }
}

extension RecordCodecTests {
    /// etcd keys are bytes: ids `String` calls equal (NFC and NFD) are two resources, in
    /// the same order on every run, and each keeps its own spelling.
    @Test func idsThatStringCallsEqualAreTwoResources() {
        let catalog = TestSupport.catalog
        for mask: UInt64 in [.max, 0] {
            var store = RecordStore(layouts: catalog.layouts, indexHashMask: mask)
            for id in ["caf\u{e9}", "cafe\u{301}", "caf\u{e9}"] {
                let value = #"{"version": 1, "body": {"id": "\#(id)", "name": "x"}}"#
                let raw = RawRecord(key: "/config/v2.0/ports/\(id)", value: Array(value.utf8), location: SourceLocation(path: "x"))
                store.add(ParallelExtraction.parse(raw, layouts: catalog.layouts, extractor: Self.extractor)!)
            }
            let stored = store.takeSorted()
            #expect(stored.count == 2)
            #expect(stored.list.map { Array($0.id.utf8) } == [Array("cafe\u{301}".utf8), Array("caf\u{e9}".utf8)])
            #expect((0..<stored.count).map { Array(stored.resource(at: $0).config!.meta.key.utf8) }
                        == [Array("/config/v2.0/ports/cafe\u{301}".utf8), Array("/config/v2.0/ports/caf\u{e9}".utf8)])
        }
    }
}

extension RecordCodecTests {
    /// Selected texts are kept short (the resource's id, words, UUIDs, MACs, repeats, a text
    /// around the id) and read back byte for byte, choices included, whatever their order.
    @Test func selectedTextsComeBackAsTheyWereWritten() throws {
        let id = "aaaaaaaa-0000-4000-8000-000000000001"
        let texts = [id, "port:\(id):2", "create:heat_worker:port:\(id):2:abcde", "port_\(id)", "\(id):2", ":2",
                     "\(id)\(id)", String(id.dropLast()), "x\(id.dropFirst())", "", "port:\(id):2", "plainword",
                     "fa:16:3e:00:00:01", "ffffffff-0000-4000-8000-000000000009", "port_\(id)", "caf\u{e9}:\(id)"]
        let document: JSONValue = .object([
            JSONMember("texts", .array(texts.map(JSONValue.string))),
            JSONMember("named", .object([JSONMember("\(id):k", .string("\(id):v")), JSONMember("k2", .string(":2"))])),
        ])
        let bytes = Array(document.text.utf8)
        for selection in [ValueSelection(steps: [.member("texts"), .each]), ValueSelection(steps: [.member("named"), .each])] {
            let selected = try JSONDocument.parse(bytes) { PathSelection.select([selection], in: $0, resourceID: id) }.get().value
            let expected = PathSelection.select(selection, in: document)
            let back = try #require(selected.values(selection, resourceID: id))
            #expect(back.map { Array(show($0.value).utf8) } == expected.map { Array(show($0.value).utf8) })
            // Choices: an element's index, a member's name (which holds the id here).
            #expect(back.map { $0.choices.map { Array(show($0).utf8) } }
                        == expected.map { $0.path.steps.map { step -> [UInt8] in
                            switch step {
                            case .member(let name): return Array(name.utf8)
                            case .index(let i): return Array(String(i).utf8)
                            default: return []
                            }
                        } }.map { Array($0.dropFirst()) })
            #expect(selected.plainValues(selection, resourceID: id)?.map { Array(show($0).utf8) }
                        == expected.map { Array(show($0.value).utf8) })
        }
        // A text around the id costs its two sides, not the id again.
        let one = try JSONDocument.parse(Array(#"["create:heat_worker:port:\#(id):2:abcde"]"#.utf8)) {
            PathSelection.select([ValueSelection(steps: [.index(0)])], in: $0, resourceID: id)
        }.get().value
        #expect(one.bytes.count < "create:heat_worker:port:\(id):2:abcde".utf8.count - id.utf8.count + 10)
        // A short id is not looked for inside texts (it would split most of them); both
        // texts still come back as they were.
        let short = try JSONDocument.parse(Array(#"["a1b:1", "1"]"#.utf8)) {
            PathSelection.select([ValueSelection(steps: [.each])], in: $0, resourceID: "1")
        }.get().value
        #expect(short.plainValues(ValueSelection(steps: [.each]), resourceID: "1")?.map { Array(show($0).utf8) } == [Array("a1b:1".utf8), Array("1".utf8)])
    }
}

extension RecordCodecTests {
    /// A text that holds the resource's id as often as it is long (300,000 times here) is
    /// written and read back whole: each piece after an id is taken in turn, and the
    /// recursion that once read it overflowed the stack on a parsing thread.
    @Test func aTextHoldingTheIdThousandsOfTimesComesBack() throws {
        let id = "aaaaaaaa-0000-4000-8000-000000000001"
        let text = String(repeating: ":" + id, count: 300_000) + ":end"
        let selection = ValueSelection(steps: [.member("t")])
        let document = Array(JSONValue.object([JSONMember("t", .string(text))]).text.utf8)
        let selected = try JSONDocument.parse(document) { PathSelection.select([selection], in: $0, resourceID: id) }.get().value
        // One tag and one empty piece per id: far shorter than the text.
        #expect(selected.bytes.count < 4 * 300_000 + 16)
        let back = try #require(selected.plainValues(selection, resourceID: id)?.first?.stringValue)
        #expect(back.utf8.count == text.utf8.count && back.sameBytes(text))
    }
}

extension RecordCodecTests {
    /// Most selections leave their choices unwritten (none, or 0, 1, 2, ... for `[*]`, or
    /// 1, 2, ... for `[k=v]`); an element that gives no value or two turns the slot to
    /// written choices, the values before it included. Each shape comes back with the
    /// choices the walk made, as does a hex id kept as half its bytes.
    @Test func selectionChoicesComeBackWhateverTheirForm() throws {
        let tenant = "e4b06ce60741c7a87ce42c8218072e8c"
        let document = #"""
            {"list": [{"k": "a", "v": 1}, {"k": "b"}, {"k": "a", "v": 3}, {"k": "c", "v": 4}],
             "nested": [[1, 2], [], [3]], "map": {"x": 1, "y": 2},
             "tenants": ["\#(tenant)", "\#(tenant.uppercased())", "0123456789abcdef0", "0123456789abcdef", "abc"]}
            """#
        func selection(_ steps: ValueStep...) -> ValueSelection { ValueSelection(steps: steps) }
        let cases: [(ValueSelection, [(choices: String, value: String)])] = [
            (selection(.member("list"), .each, .member("k")), [("0", "a"), ("1", "b"), ("2", "a"), ("3", "c")]),
            (selection(.member("list"), .each, .member("v")), [("0", "1"), ("2", "3"), ("3", "4")]),
            (selection(.member("list"), .select(member: "k", value: "a"), .member("v")), [("1", "1"), ("2", "3")]),
            (selection(.member("list"), .select(member: "k", value: "b"), .member("v")), []),
            (selection(.member("nested"), .each, .each), [("0,0", "1"), ("0,1", "2"), ("2,0", "3")]),
            (selection(.member("map"), .each), [("x", "1"), ("y", "2")]),
            (selection(.member("list"), .index(1), .member("k")), [("", "b")]),
            (selection(.member("tenants"), .each),
             [("0", tenant), ("1", tenant.uppercased()), ("2", "0123456789abcdef0"), ("3", "0123456789abcdef"), ("4", "abc")]),
        ]
        let packed = try JSONDocument.parse(Array(document.utf8)) {
            PathSelection.select(cases.map(\.0), in: $0, resourceID: "port-1")
        }.get().value
        for (selection, expected) in cases {
            let back = try #require(packed.values(selection, resourceID: "port-1"), "\(selection.name)")
            #expect(back.map { ($0.choices.map(show).joined(separator: ","), show($0.value)) }.map { "\($0.0)=\($0.1)" }
                        == expected.map { "\($0.choices)=\($0.value)" }, "\(selection.name)")
            #expect(packed.plainValues(selection, resourceID: "port-1")?.map(show) == expected.map(\.value))
        }
        // The tenant id as 16 bytes, not 32 (nor its uppercase spelling, which would not come back).
        let tenants = try JSONDocument.parse(Array(#"["\#(tenant)"]"#.utf8)) {
            PathSelection.select([selection(.each)], in: $0, resourceID: "port-1")
        }.get().value
        #expect(tenants.bytes.count < 16 + 6)
    }
}

extension RecordCodecTests {
    /// A selection the store leaves out because it keeps a shorter one (`.list` for
    /// `.list[*].k`) reads back the same values and choices as when kept itself: members by
    /// their bytes (two spellings of é are two members), elements by position, `[k=v]` by
    /// occurrence.
    @Test func selectionsFoundAgainInsideAnotherComeBackTheSame() throws {
        let document = #"""
            {"list": [{"k": "a", "v": 1}, {"k": "b"}, {"k": "a", "v": [3, {"x": null}]}, "text"],
             "map": {"caf\u00e9": 1, "cafe\u0301": 2}, "n": 7}
            """#
        func selection(_ steps: ValueStep...) -> ValueSelection { ValueSelection(steps: steps) }
        let kept = [selection(.member("list")), selection(.member("map"))]
        let derived = [
            selection(.member("list"), .each, .member("k")), selection(.member("list"), .each),
            selection(.member("list"), .select(member: "k", value: "a"), .member("v"), .each),
            selection(.member("list"), .index(2), .member("v"), .index(1), .member("x")),
            selection(.member("map"), .member("caf\u{e9}")), selection(.member("map"), .member("cafe\u{301}")),
            selection(.member("map"), .each), selection(.member("list"), .index(9)),
        ]
        #expect(derived.allSatisfy { s in kept.contains { s.isDerivable(from: $0) } })
        #expect(!selection(.member("n"), .type).isDerivable(from: selection(.member("n"))))
        let bytes = Array(document.utf8)
        let direct = try JSONDocument.parse(bytes) { PathSelection.select(kept + derived, in: $0, resourceID: "r") }.get().value
        let shared = try JSONDocument.parse(bytes) { PathSelection.select(kept, in: $0, resourceID: "r") }.get().value
        func shown(_ values: [SelectedValue]?) -> [String]? {
            values?.map { $0.choices.map(\.text).joined(separator: ",") + "=" + $0.value.text }
        }
        for s in derived {
            let expected = try #require(shown(direct.values(s, resourceID: "r")))
            #expect(shown(shared.values(s, resourceID: "r")) == expected, "\(s.name)")
            #expect(shared.plainValues(s, resourceID: "r")?.map(\.text) == direct.plainValues(s, resourceID: "r")?.map(\.text))
        }
        #expect(shown(shared.values(selection(.member("map"), .member("cafe\u{301}")), resourceID: "r")) == ["=2"])
        // Nothing derives what the store does not keep: a read the plan did not declare.
        #expect(shared.values(selection(.member("n")), resourceID: "r") == nil)
    }
}

extension RecordCodecTests {
    /// What the probe lets the store leave out is what `distinct` passes on: for each shape
    /// of values and each way of comparing, "cannot repeat" holds only where `noRepeats`
    /// does, and the common shapes (no list, lists of one element, texts that differ) are
    /// decided, so the store keeps nothing for them.
    @Test func theStoreLeavesOutOnlyValuesThatCannotRepeat() throws {
        let shapes: [(values: String, decided: Bool)] = [
            ("[]", true), ("[[]]", true), (#"[[], [{"a": "x"}], []]"#, true), (#"["x", "y", "z"]"#, true),
            (#"["x"]"#, true), ("[7]", true), (#"[[], "x", "x"]"#, true),
            (#"["x", "y", "x"]"#, false), (#"[[{"a": "x"}, {"a": "y"}]]"#, false), (#"[1, "1"]"#, false),
            (#"[{"l": []}, {"l": ["q"]}]"#, false), (#"["caf\u00e9", "cafe\u0301"]"#, true),
        ]
        let specs: [JSONValue?] = [nil, .object([JSONMember("by", .array([.string("a")]))])]
        let path = try RulePath("config.v[*]")
        // A list in a member (`in`) is left to the evaluator, which finds members as Swift
        // compares names.
        let inMember = Test(path: path, op: .distinct, operand: .literal(.object([JSONMember("in", .string("l"))])))
        #expect(RepeatTests([DistinctSpec(inMember)]) == nil)
        let values = ValueSelection(steps: [.member("v"), .each])
        for spec in specs {
            let test = Test(path: path, op: .distinct, operand: spec.map { .literal($0) } ?? .literal(.bool(true)))
            let tests = try #require(RepeatTests([DistinctSpec(test)]))
            for shape in shapes {
                // The walk's probe decides when the store keeps none of the values.
                let (decided, plain) = try JSONDocument.parse(Array(#"{"v": \#(shape.values)}"#.utf8)) { root in
                    let selected = PathSelection.select([KeptSelection(selection: values, keep: .unlessNoRepeats(tests))],
                                                        in: root, resourceID: "r")
                    return (selected.values(values, resourceID: "r")?.isEmpty == true, root["v"]!.value.arrayValue!)
                }.get().value
                if decided { #expect(Evaluation.noRepeats(test, PlainValues(plain)), "\(shape.values) by \(spec.map(show) ?? "value")") }
                if spec == nil { #expect(decided == shape.decided, "\(shape.values)") }
            }
        }
    }

    /// The built-in catalog's `refs.duplicate` reads a job's resources lists only to find a
    /// repeat, and its params' names only to word that finding: a job whose lists cannot
    /// repeat keeps neither; one that names a network twice keeps both.
    @Test func aJobKeepsItsResourcesListsOnlyWhenOneRepeats() throws {
        let extractor = RecordExtractor(plan: try Catalog.builtIn().plan)
        let selections = try #require(extractor.selections[Int(RecordKind.job.code)]?.kept)
        let resources = ValueSelection(steps: [.index(1), .member("params"), .each, .member("resources")])
        let names = ValueSelection(steps: [.index(1), .member("params"), .each, .member("param")])
        func kept(_ job: String) throws -> (resources: Int, names: Int) {
            let selected = try JSONDocument.parse(Array(job.utf8)) {
                PathSelection.select(selections, in: $0, resourceID: Lang.port)
            }.get().value
            return (try #require(selected.values(resources, resourceID: Lang.port)).count,
                    try #require(selected.values(names, resourceID: Lang.port)).count)
        }
        #expect(selections.contains { $0.selection == resources } && selections.contains { $0.selection == names })
        let healthy = try kept(Lang.job())
        #expect(healthy.resources == 0 && healthy.names == 0)
        let twice = Lang.job().replacingOccurrences(
            of: #""resources": [{"resource_type": "network", "resource_id": "network-1"}]"#,
            with: #""resources": [{"resource_type": "network", "resource_id": "network-1"}, {"resource_type": "network", "resource_id": "network-1"}]"#)
        #expect(twice != Lang.job())
        let repeated = try kept(twice)
        #expect(repeated.resources == 2 && repeated.names == 2)
    }
}
