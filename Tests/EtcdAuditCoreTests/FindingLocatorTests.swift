@testable import EtcdAuditCore
import Foundation
import Testing

/// The locator: member paths found in JSON text, and findings placed on the member's line
/// in every input format (a pointer where the format has no lines), with the record's
/// location kept whenever the input cannot be read again or changed since the audit.
struct FindingLocatorTests {
    static let monitoringKey = "/monitoring/v2.0/ports/aaaaaaaa-0000-4000-8000-000000000001"

    // MARK: the scanner

    /// The offset of the first occurrence of `needle` in `text` (bytes).
    func offset(of needle: String, in text: String, after: String? = nil) -> Int {
        var from = text.startIndex
        if let after { from = text.range(of: after)!.upperBound }
        return text.utf8.distance(from: text.startIndex, to: text.range(of: needle, range: from..<text.endIndex)!.lowerBound)
    }

    @Test func membersIndicesAndElementsByTheirMembers() {
        let text = #"{"a": {"b": [10]}, "a": {"b": 1}}"#
        let t = LocatorText(Array(text.utf8))
        // A repeated name: the last one, as jansson reads it.
        #expect(JSONPositionScanner.locate(MemberPath("a", "b"), in: t)
                == MemberPosition(pointer: "/a/b", offset: offset(of: #""b": 1"#, in: text), complete: true))
        let doc = #"{"b": [10, {"k": "x", "n": 2}, {"k": "y"}, {"k": "x", "n": 2}]}"#
        let d = LocatorText(Array(doc.utf8))
        let second = JSONPositionScanner.locate(MemberPath("b").element(matching: [.init("k", "x"), .init("n", "2")], occurrence: 2), in: d)
        #expect(second == MemberPosition(pointer: "/b/3", offset: offset(of: #"{"k": "x""#, in: doc, after: #""y"}"#), complete: true))
        #expect(JSONPositionScanner.locate(MemberPath("b").element(where: "k", is: "y").member("k"), in: d).pointer == "/b/2/k")
        #expect(JSONPositionScanner.locate(MemberPath("b").index(0), in: d).offset == offset(of: "10", in: doc))
    }

    /// RFC 6901: `~` and `/` in a name are escaped in the pointer, and only they.
    @Test func pointersEscapeTildeAndSlashInNames() {
        let text = #"{"a/b~c": {"binding:vif_type": 1}}"#
        let found = JSONPositionScanner.locate(MemberPath("a/b~c", "binding:vif_type"), in: LocatorText(Array(text.utf8)))
        #expect(found.pointer == "/a~1b~0c/binding:vif_type")
        #expect(MemberPath.escape("plain_name") == "plain_name" && MemberPath.escape("~/") == "~0~1")
    }

    /// A string's end found by memchr and a count of backslashes is where a walk byte by
    /// byte, skipping each escape, finds it: on runs of quotes and backslashes, cut anywhere.
    @Test func aStringEndsWhereAByteByByteWalkSaysItDoes() {
        func walked(_ b: [UInt8], _ start: Int) -> Int? {
            var i = start + 1
            while i < b.count {
                if b[i] == UInt8(ascii: "\\") { i += 2; continue }
                if b[i] == UInt8(ascii: "\"") { return i + 1 }
                i += 1
            }
            return nil
        }
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"\"a\"#.utf8)
        for _ in 0..<5000 {
            let text = (0..<Int.random(in: 1...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            for start in text.indices { #expect(JSONPositionScanner.stringEnd(text, start) == walked(text, start)) }
        }
    }

    @Test func anAbsentMemberGivesTheClosestParent() {
        let doc = #"{"state": {"worker_state": "X"}}"#
        let found = JSONPositionScanner.locate(MemberPath("state", "error", "detail"), in: LocatorText(Array(doc.utf8)))
        #expect(found == MemberPosition(pointer: "/state", offset: offset(of: #""state""#, in: doc), complete: false))
        let none = JSONPositionScanner.locate(MemberPath("b").element(where: "k", is: "z"), in: LocatorText(Array(#"{"b": [{"k": "y"}]}"#.utf8)))
        #expect(none.pointer == "/b" && !none.complete)
    }

    @Test func insideAStringHoldingJSONPositionsMapBackThroughTheEscapes() {
        let doc = #"{"s": "[{\"k\": \"\u00e9\\\"\"}, {\"k\": \"y\"}]"}"#
        let found = JSONPositionScanner.locate(MemberPath("s").appending(.decoded).element(where: "k", is: "y").member("k"),
                                               in: LocatorText(Array(doc.utf8)))
        // The pointer ends at the string; the offset is the member's inside it, as written.
        #expect(found == MemberPosition(pointer: "/s", offset: offset(of: #"\"k\": \"y"#, in: doc), complete: true))
        #expect(JSONPositionScanner.locate(MemberPath("s").appending(.decoded).element(where: "k", is: "é\""), in: LocatorText(Array(doc.utf8))).offset
                == offset(of: #"{\"k\""#, in: doc))
    }

    @Test func brokenTextNeverCrashesTheWalk() {
        let doc = Array(#"{"a": [{"k": "x\"y", "v": [1, {"w": "\ud83d\ude00"}]}], "s": "[{\"k\": 1}]"}"#.utf8)
        let paths = [MemberPath("a").element(where: "k", is: "x\"y").member("v").index(1).member("w"),
                     MemberPath("s").appending(.decoded).index(0).member("k")]
        for end in 0...doc.count {
            for path in paths {
                for text in [Array(doc[..<end]), Array(doc[..<end]) + Array(#"]}}"}"#.utf8)] {
                    let found = JSONPositionScanner.locate(path, in: LocatorText(text))
                    #expect(found.offset >= 0 && found.offset <= text.count)
                }
            }
        }
        #expect(JSONPositionScanner.locate(paths[0], in: LocatorText(doc)).complete)
    }

    @Test func columnsCountCharacters() {
        let text = Array("ab\n\u{e9}\u{e9}x".utf8)
        #expect(lineAndColumn(of: text.count - 1, in: text, firstLine: 10) == (11, 3))
        #expect(lineAndColumn(of: 0, in: text, firstLine: 1) == (1, 1))
    }

    // MARK: every format

    /// The monitoring.failed findings of an audit of `path`.
    func failed(_ path: String, jobs: Int = 1) -> [Finding] {
        Auditor(catalog: TestSupport.catalog).audit(paths: [path], jobs: jobs).findings.filter { $0.rule == "monitoring.failed" }
    }

    /// The lines of a file.
    func lines(_ path: String) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The text of a file (its `lines`) from a finding's line and column on.
    func text(at location: EtcdAuditCore.SourceLocation, in lines: [Substring]) throws -> String {
        let line = try #require(location.line.map { lines[$0 - 1] })
        return String(String.UnicodeScalarView(line.unicodeScalars.dropFirst(try #require(location.column) - 1)))
    }

    @Test func markdownAndEtcdctlFindingsStandOnTheMember() throws {
        let markdown = try TestSupport.temporaryFile("# t\n\n```\n\(Self.monitoringKey)\n{\n    \"version\": 1,\n    \"note\": \"\u{e9}\",\n    \"vmi\": \"FAIL\"\n}\n```\n", name: "m.md")
        let etcdctl = try TestSupport.temporaryFile("\(Self.monitoringKey)\n{\"version\": 1,\n \"vmi\": \"FAIL\"}\n", name: "e.txt")
        for path in [markdown, etcdctl] {
            let finding = try #require(failed(path).first)
            #expect(finding.location.pointer == "/vmi")
            #expect(try text(at: finding.location, in: lines(path)).hasPrefix(#""vmi": "FAIL""#), "\(path)")
        }
    }

    @Test func jsonLinesObjectAndStringValues() throws {
        let object = #"{"key": "\#(Self.monitoringKey)", "value": {"note": "é", "version": 1, "vmi": "FAIL"}, "mod_revision": 7}"#
        let string = #"{"key": "\#(Self.monitoringKey)", "value": "{\"note\": \"\u00e9\\\"\", \"version\": 1, \"vmi\": \"FAIL\"}"}"#
        for (line, member) in [(object, #""vmi": "FAIL""#), (string, #"\"vmi\": \"FAIL\""#)] {
            let path = try TestSupport.temporaryFile("\n" + line + "\n", name: "d.jsonl")
            let finding = try #require(failed(path).first)
            #expect(finding.location.line == 2)
            #expect(finding.location.pointer == "/vmi")
            #expect(try text(at: finding.location, in: lines(path)).hasPrefix(member))
        }
    }

    @Test func linelessFormatsGivePointerAndRevision() throws {
        let value = Data(#"{"version": 1, "vmi": "FAIL"}"#.utf8).base64EncodedString()
        let key = Data(Self.monitoringKey.utf8).base64EncodedString()
        let etcdctlJSON = try TestSupport.temporaryFile(#"{"header": {"revision": 9}, "kvs": [{"key": "\#(key)", "value": "\#(value)", "mod_revision": 7}]}"#,
                                                        name: "d.json")
        let v2 = try TestSupport.temporaryFile(#"{"action": "get", "node": {"dir": true, "nodes": [{"key": "\#(Self.monitoringKey)", "value": "{\"version\": 1, \"vmi\": \"FAIL\"}", "modifiedIndex": 7, "createdIndex": 7}]}}"#,
                                               name: "v2.json")
        for path in [etcdctlJSON, v2] {
            let finding = try #require(failed(path).first)
            #expect(finding.location.pointer == "/vmi")
            #expect(finding.location.modRevision == 7)
            #expect(finding.location.line == nil && finding.location.column == nil)
        }
        let snapshot = Auditor(catalog: TestSupport.catalog).audit(paths: [TestSupport.path("Samples/fixtures/seeds.snapshot.db")])
        let pointers = Set(snapshot.findings.map { "\($0.rule) \($0.location.pointer ?? "-")" })
        #expect(pointers.isSuperset(of: ["monitoring.failed /vmi", "refs.duplicate /1/params/1/resources/1",
                                         "heat-outputs.mac-mismatch /output/3/output_value"]))
        #expect(snapshot.findings.allSatisfy { $0.location.modRevision != nil && $0.location.line == nil })
    }

    /// Many records, one finding each, plain and gzip: one pass over each file (a plain
    /// one in runs on three threads too, which place every finding where one thread does).
    @Test(arguments: ["markdown", "etcdctl"])
    func everyFindingOfALargeFileIsPlacedAlsoWhenGzipped(format: String) throws {
        var dump = ""
        for i in 0..<400 {
            let key = "/monitoring/v2.0/ports/aaaaaaaa-0000-4000-8000-\(String(format: "%012d", i))"
            let padding = String(repeating: "x", count: i * 37 % 2000)
            let value = "{\n  \"version\": 1,\n  \"pad\": \"\(padding)\",\n  \"vmi\": \"FAIL\"\n}"
            dump += format == "markdown" ? "```\n\(key)\n\(value)\n```\n\n" : "\(key)\n\(value)\n"
        }
        let plain = try TestSupport.temporaryFile(dump, name: "many.\(format == "markdown" ? "md" : "txt")")
        try TestSupport.runChecked("/bin/gzip", ["-k", plain])
        let plainLines = try lines(plain)
        var placed: [[Finding]] = []
        for (path, jobs) in [(plain, 1), (plain, 3), (plain + ".gz", 1)] {
            let findings = failed(path, jobs: jobs)
            #expect(findings.count == 400)
            for finding in findings {
                #expect(finding.location.pointer == "/vmi")
                #expect(try text(at: finding.location, in: plainLines).hasPrefix(#""vmi": "FAIL""#), "\(path)")
                // On its own record's line: the line before it holds that record's padding.
                let i = try #require(Int(finding.resourceID.suffix(12)))
                let line = try #require(finding.location.line)
                #expect(plainLines[line - 2] == "  \"pad\": \"\(String(repeating: "x", count: i * 37 % 2000))\",", "\(path)")
            }
            placed.append(findings)
        }
        #expect(placed[1] == placed[0])
    }

    // MARK: when the bytes cannot be read again

    /// A finding as the rules make it: at the record's key, naming its member.
    func unlocated(_ path: String, line: Int?, offset: Int?, member: MemberPath) -> Finding {
        Finding(rule: "monitoring.failed", severity: .warning, resourceType: "port", resourceID: "p", message: "m",
                keys: [Self.monitoringKey], location: EtcdAuditCore.SourceLocation(path: path, line: line, offset: offset, modRevision: 3),
                member: member)
    }

    @Test func aChangedOrMissingFileKeepsTheRecordsLocation() throws {
        let original = "```\n\(Self.monitoringKey)\n{\"version\": 1, \"vmi\": \"FAIL\"}\n```\n"
        let path = try TestSupport.temporaryFile(original, name: "changed.md")
        let inputs = [InputSummary(path: path, format: "markdown", bytes: 0, records: 1, problems: [])]
        let locator = FindingLocator(inputs: inputs) { _ in true }
        let selector = MemberPath("vmi").element(where: "a", is: "b")
        let before = locator.locate([unlocated(path, line: 2, offset: 4, member: MemberPath("vmi"))])
        #expect(before.first?.location.column == 16)
        for changed in ["", "```\n/other/key\n{\"vmi\": 1}\n```\n", String(original.prefix(10)), "\u{0}\u{ff}garbage"] {
            try Data(changed.utf8).write(to: URL(fileURLWithPath: path))
            // A locator of its own: one keeps its inputs open between calls (the findings stream).
            let locator = FindingLocator(inputs: inputs) { _ in true }
            for member in [MemberPath("vmi"), selector] {
                let after = try #require(locator.locate([unlocated(path, line: 2, offset: 4, member: member)]).first)
                #expect(after.location == EtcdAuditCore.SourceLocation(path: path, line: 2, offset: 4, pointer: member.pointer, modRevision: 3))
            }
        }
        try FileManager.default.removeItem(atPath: path)
        let gone = try #require(FindingLocator(inputs: inputs) { _ in true }.locate([unlocated(path, line: 2, offset: 4, member: MemberPath("vmi"))]).first)
        #expect(gone.location == EtcdAuditCore.SourceLocation(path: path, line: 2, offset: 4, pointer: "/vmi", modRevision: 3))
    }

    @Test func stdinAndEndpointsGetAPointerOnlyWithoutSelectors() {
        let inputs = [InputSummary(path: "-", format: "markdown", bytes: 0, records: 1, problems: []),
                      InputSummary(path: "http://127.0.0.1:2379", format: "endpoint", bytes: 0, records: 1, problems: [])]
        let locator = FindingLocator(inputs: inputs) { _ in true }
        for path in ["-", "http://127.0.0.1:2379"] {
            let plain = locator.locate([unlocated(path, line: 2, offset: 4, member: MemberPath("state", "heat_outputs"))])
            #expect(plain.first?.location == EtcdAuditCore.SourceLocation(path: path, line: 2, offset: 4, pointer: "/state/heat_outputs", modRevision: 3))
            let selected = locator.locate([unlocated(path, line: nil, offset: 4, member: .jobParam("uuid"))])
            #expect(selected.first?.location == EtcdAuditCore.SourceLocation(path: path, offset: 4, modRevision: 3))
        }
    }

    @Test func recordsFromMemoryGetPointers() throws {
        let example = try #require(TestSupport.catalog.rules.first { $0.id == "refs.duplicate" }?.examples.fires.first)
        let runner = ExampleRunner(catalog: TestSupport.catalog)
        let result = Auditor(catalog: TestSupport.catalog).audit(records: try runner.records(for: example))
        let finding = try #require(result.findings.first { $0.rule == "refs.duplicate" })
        #expect(finding.location.pointer == "/1/params/0/resources/1")
        #expect(finding.location.column == nil)
    }
}
