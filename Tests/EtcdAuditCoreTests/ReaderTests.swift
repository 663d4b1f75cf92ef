@testable import EtcdAuditCore
import Foundation
import Testing

/// Each reader alone, on small inputs written here.
struct ReaderTests {
    static let port = "/config/v2.0/ports/p1"
    static let config = #"{"body": {"id": "p1"}, "version": 1}"#
    static let monitoring = "/monitoring/v2.0/ports/p1"

    func records(_ text: String, _ format: InputFormat, name: String = "input") throws -> (records: [RawRecord], error: InputError?) {
        let read = try TestSupport.records(at: try TestSupport.temporaryFile(text, name: name), format: format)
        return (read.records, read.error)
    }

    @Test func etcdctlValuesSpanLines() throws {
        let text = "\(Self.port)\n{\n  \"body\": {\"id\": \"p1\"},\n  \"version\": 1\n}\n\(Self.monitoring)\n{\"version\": 1}\n"
        let (records, error) = try records(text, .etcdctl)
        #expect(error == nil)
        #expect(records.map(\.key) == [Self.port, Self.monitoring])
        #expect(records[0].location.line == 1)
        #expect(records[1].location.line == 6)
        #expect(String(decoding: records[1].value, as: UTF8.self) == #"{"version": 1}"#)
    }

    @Test func etcdctlResynchronisesAfterAnInvalidValue() throws {
        // An unterminated string would swallow everything if the reader trusted brackets.
        let text = "\(Self.port)\n{\"body\": \"oops\n}\n\(Self.monitoring)\n{\"version\": 1, \"vmi\": \"FAIL\"}\n"
        let (records, _) = try records(text, .etcdctl)
        #expect(records.map(\.key) == [Self.port, Self.monitoring])
        #expect(records[1].location.line == 4)
    }

    @Test func etcdctlScalarAndForeignKeys() throws {
        let text = "foo\nbar\n/some/path\n/etc/passwd\n\(Self.port)\n\(Self.config)\n"
        let (records, _) = try records(text, .etcdctl)
        #expect(records.map(\.key) == ["foo", "/some/path", Self.port])
        #expect(String(decoding: records[1].value, as: UTF8.self) == "/etc/passwd")
    }

    @Test func markdownReadsFencedRecordsOnly() throws {
        let text = "# doc\n\n```\nnot a record\n```\n\n```json\n\(Self.port)\n\(Self.config)\n```\n"
        let (records, error) = try records(text, .markdown)
        #expect(error == nil)
        #expect(records.map(\.key) == [Self.port])
        #expect(records[0].location.line == 8)
        #expect(records[0].valueFirstLine == 9)
    }

    @Test func markdownFenceNeverClosedIsReportedAfterItsRecord() throws {
        let (records, error) = try records("```\n\(Self.port)\n\(Self.config)\n", .markdown)
        #expect(records.count == 1)
        #expect(error?.message.contains("never closed") == true)
    }

    @Test func etcdctlJSONWithStringRevisionsAndEmptyKVs() throws {
        let key = Data(Self.port.utf8).base64EncodedString(), value = Data(Self.config.utf8).base64EncodedString()
        let text = #"{"header":{"cluster_id":"7","revision":"9"},"kvs":[{"key":"\#(key)","create_revision":"3","mod_revision":"4","value":"\#(value)"}],"count":"1"}{"kvs":[]}"#
        let path = try TestSupport.temporaryFile(text, name: "dump.json")
        let reader = try InputOpener.open(path: path, format: nil) { _ in true }
        #expect(reader.format == .etcdctlJSON)
        var record = try #require(try reader.reader.next())
        record.decodeValue()
        #expect(record.key == Self.port)
        #expect(record.createRevision == 3 && record.modRevision == 4)
        #expect(String(decoding: record.value, as: UTF8.self) == Self.config)
        #expect(try reader.reader.next() == nil)
        #expect(reader.reader.info.revision == 9)
    }

    /// Revisions read straight from the buffer and those read as tokens agree: the edges of
    /// the direct path (18 digits, a sign, spaces) and what it leaves to the token path.
    @Test("a revision as written", arguments: [
        ("4", Int64(4)), ("-12", -12), (" 123456789012345678 ", 123456789012345678),
        ("9223372036854775807", .max), ("\"77\"", 77), ("1.5", nil), ("99999999999999999999", nil), ("1e3", nil),
    ] as [(String, Int64?)])
    func etcdctlJSONRevisions(written: String, expected: Int64?) throws {
        let key = Data(Self.port.utf8).base64EncodedString(), value = Data(Self.config.utf8).base64EncodedString()
        let text = #"{"kvs":[{"key":"\#(key)","mod_revision":\#(written),"create_revision":\#(written),"value":"\#(value)"}]}"#
        let (records, error) = try records(text, .etcdctlJSON)
        #expect(error == nil)
        #expect(records.first?.modRevision == expected && records.first?.createRevision == expected)
    }

    /// etcdctl's own shape of a key-value is read in one pass over the buffered bytes, any
    /// other shape as tokens: each gives the same record, located at its `{`.
    @Test("a key-value shaped", arguments: [
        #"{"key":"K","create_revision":3,"mod_revision":4,"version":1,"value":"V"}"#,
        #"{"key":"K","create_revision":"3","mod_revision":"4","version":"1","value":"V"}"#,
        #"{ "key": "K", "create_revision": 3, "mod_revision": 4, "version": 1, "value": "V" }"#,
        #"{"key":"K","create_revision":3,"mod_revision":4,"version":1,"value":"V","lease":7}"#,
        #"{"value":"V","version":1,"mod_revision":4,"create_revision":3,"key":"K"}"#,
        #"{"key":"K","create_revision":3,"mod_revision":4,"value":"V"}"#,
        #"{"key":"K","create_revision":3,"mod_revision":4,"version":1.0,"value":"V"}"#,
        #"{"key":"K","create_revision":3,"mod_revision":4,"version":1,"value":"ESCAPED"}"#,
    ])
    func etcdctlJSONKeyValueShapes(shape: String) throws {
        let key = Data(Self.port.utf8).base64EncodedString(), value = Data(Self.config.utf8).base64EncodedString()
        // The value's first character written as a \u escape.
        let escaped = String(format: "\\u%04x", value.utf8.first!) + value.dropFirst()
        let kv = shape.replacingOccurrences(of: "\"K\"", with: "\"\(key)\"")
            .replacingOccurrences(of: "\"V\"", with: "\"\(value)\"").replacingOccurrences(of: "ESCAPED", with: escaped)
        let text = #"{"header":{"revision":9},"kvs":[\#(kv), \#(kv)]}"#
        let (records, error) = try records(text, .etcdctlJSON)
        #expect(error == nil)
        #expect(records.count == 2)
        let first = text.utf8.count - (kv.utf8.count * 2 + 4)
        for (record, offset) in zip(records, [first, first + kv.utf8.count + 2]) {
            var decoded = record
            decoded.decodeValue()
            #expect(decoded.key == Self.port)
            #expect(String(decoding: decoded.value, as: UTF8.self) == Self.config)
            #expect(decoded.createRevision == 3 && decoded.modRevision == 4)
            #expect(decoded.location.offset == offset)
        }
    }

    /// A dump cut off just after a key-value says so at the key-value's closing brace,
    /// whether the one-pass reader or the tokens read it (the one-pass reader's first
    /// version pointed at the opening brace). The key-value, read whole, is handed on first:
    /// the cut after it loses nothing but what was never written.
    @Test(arguments: [#"{"key":"K","create_revision":2,"mod_revision":3,"version":1,"value":"e30="}"#,
                      #"{ "key": "K", "value": "e30=" }"#])
    func etcdctlJSONCutOffAfterAKeyValuePointsAtItsEnd(kv: String) throws {
        let key = Data(Self.port.utf8).base64EncodedString()
        let text = #"{"kvs":["# + kv.replacingOccurrences(of: "\"K\"", with: "\"\(key)\"")
        let (records, error) = try records(text, .etcdctlJSON)
        #expect(records.map(\.key) == [Self.port])
        #expect(error?.offset == text.utf8.count - 1, "\(error?.description ?? "no error")")
    }

    @Test func etcdctlJSONCutOffIsAnInputErrorWithOffset() throws {
        let key = Data(Self.port.utf8).base64EncodedString()
        let (records, error) = try records(#"{"kvs":[{"key":"\#(key)","value":"e30="},{"key":"\#(key)","val"#, .etcdctlJSON)
        #expect(records.count == 1)
        #expect(error?.offset != nil)
    }

    @Test func etcdctlJSONBadBase64IsAValueError() throws {
        let key = Data(Self.port.utf8).base64EncodedString()
        let (records, error) = try records(#"{"kvs":[{"key":"\#(key)","value":"!!!"}]}"#, .etcdctlJSON)
        #expect(error == nil)
        #expect(records.first?.valueError?.contains("base64") == true)
    }

    @Test func jsonlStringValuesAreTheValueText() throws {
        let text = """
            {"key": "\(Self.port)", "value": "{\\"body\\": {}, \\"version\\": 1}", "mod_revision": 5}
            not json at all
            {"key": "\(Self.monitoring)", "value": {"version": 1}}

            """
        let (records, _) = try records(text, .jsonl)
        #expect(records.map(\.key) == [Self.port, Self.monitoring])
        #expect(records[0].modRevision == 5)
        #expect(String(decoding: records[0].value, as: UTF8.self) == #"{"body": {}, "version": 1}"#)
        #expect(records[1].location.line == 3)
    }

    @Test func gzipInputsAreInflated() throws {
        let plain = try TestSupport.temporaryFile("\(Self.port)\n\(Self.config)\n", name: "dump.txt")
        try TestSupport.runChecked("/bin/gzip", ["-k", plain])
        let result = Auditor(catalog: TestSupport.catalog).audit(paths: [plain + ".gz"])
        #expect(result.inputs.first?.format == "etcdctl")
        #expect(result.recordsRead == 1)
        #expect(result.inputs.first?.error == nil)
    }

    @Test func truncatedGzipIsAnInputError() throws {
        let plain = try TestSupport.temporaryFile(String(repeating: "\(Self.port)\n\(Self.config)\n", count: 200), name: "big.txt")
        try TestSupport.runChecked("/bin/gzip", ["-k", plain])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
        let cut = try TestSupport.temporaryFile(Array(bytes.prefix(bytes.count / 2)), name: "cut.txt.gz")
        let result = Auditor(catalog: TestSupport.catalog).audit(paths: [cut])
        #expect(result.inputs.first?.error?.contains("gzip") == true)
        #expect(result.hasInputErrors)
    }

    @Test func formatDetection() throws {
        for (text, format) in [("/config/x\n{}", InputFormat.etcdctl), ("# title\n```\n", .markdown),
                               (#"{"header":{}}"#, .etcdctlJSON), (#"{"key":"/a","value":1}"#, .jsonl),
                               ("\n\n  {\"kvs\": []}", .etcdctlJSON), (#"{"action":"get","node":{}}"#, .etcdV2),
                               (#"{"errorCode":100}"#, .etcdV2)] {
            let path = try TestSupport.temporaryFile(text)
            #expect(try InputOpener.open(path: path, format: nil) { _ in true }.format == format, "\(text)")
        }
    }

    @Test func snapshotsAreDetectedByTheirMagic() throws {
        let path = TestSupport.path("Samples/fixtures/seeds.snapshot.db")
        #expect(try InputOpener.open(path: path, format: nil) { _ in true }.format == .snapshot)
    }

    func detected(_ bytes: [UInt8]) throws -> Detection {
        try InputOpener.open(path: try TestSupport.temporaryFile(bytes, name: "bytes"), format: nil) { _ in true }.detected
    }

    @Test func bytesNoTextHoldsAreBinaryData() throws {
        var generator = SeededGenerator(seed: 18)
        #expect(try detected((0..<4096).map { _ in UInt8.random(in: 1...255, using: &generator) })
                == .binary(evidence: "it is not UTF-8 text"))
        #expect(try detected(Array("# notes\n".utf8) + [0, 1, 2]) == .binary(evidence: "it holds NUL bytes"))
        #expect(try detected(Array("# caf".utf8) + [0xE9, 0x0A]) == .binary(evidence: "it is not UTF-8 text"))
        // The head detection reads ends inside a character (headSize is even): the rest follows.
        #expect(InputFormat.textHeadSize % 2 == 0)
        #expect(try detected(Array(("a" + String(repeating: "é", count: InputFormat.textHeadSize)).utf8)) == .format(.markdown))
    }

    /// A snapshot whose first meta page is damaged is still a snapshot: the snapshot reader
    /// reads it from meta page 1, with or without `--format snapshot`.
    @Test func aSnapshotWithADamagedFirstMetaPageIsStillASnapshot() throws {
        let original = try SnapshotReaderTests.bytes()
        var magicBroken = original
        magicBroken[16] ^= 1
        var pageZeroGone = original
        pageZeroGone.replaceSubrange(0..<SnapshotReaderTests.page, with: repeatElement(0, count: SnapshotReaderTests.page))
        for bytes in [magicBroken, pageZeroGone] {
            #expect(try detected(bytes) == .format(.snapshot))
            let path = try TestSupport.temporaryFile(bytes, name: "damaged.db")
            for format in [InputFormat.snapshot, nil] {
                let read = try TestSupport.records(at: path, format: format)
                #expect(read.error == nil && read.records.count == 11)
            }
        }
    }

    @Test func missingFileIsAnInputError() {
        let result = Auditor(catalog: TestSupport.catalog).audit(paths: ["/nonexistent/dump.txt"])
        #expect(result.inputs.first?.error?.contains("cannot open") == true)
    }
}

/// One value of 50 MB, in each format that can hold it: read, parsed and audited whole.
struct LargeValueTests {
    static let blob = String(repeating: "0123456789abcdef", count: 50 * 65536)  // 50 MiB
    static let value = #"{"body": {"id": "p1", "blob": ""# + blob + #""}, "version": 1}"#

    @Test("a 50 MB value", arguments: ["etcdctl", "etcdctl-json", "jsonl", "markdown"])
    func fiftyMegabyteValue(format: String) throws {
        let key = "/config/v2.0/ports/p1"
        let text: String
        switch format {
        case "etcdctl": text = "\(key)\n\(Self.value)\n"
        case "markdown": text = "```\n\(key)\n\(Self.value)\n```\n"
        case "jsonl": text = #"{"key": "\#(key)", "value": \#(Self.value)}"# + "\n"
        default:
            let k = Data(key.utf8).base64EncodedString(), v = Data(Self.value.utf8).base64EncodedString()
            text = #"{"kvs": [{"key": "\#(k)", "mod_revision": 2, "value": "\#(v)"}]}"#
        }
        let path = try TestSupport.temporaryFile(text, name: "big")
        let result = Auditor(catalog: TestSupport.catalog).audit(paths: [path], format: InputFormat(rawValue: format), jobs: 2)
        #expect(result.recordsRead == 1)
        #expect(result.findings.isEmpty, "\(result.findings.map(\.message))")
        #expect(result.inputs.first?.error == nil)
        try FileManager.default.removeItem(atPath: path)
    }
}

extension ReaderTests {
    /// The decoder of etcdctl's keys and values against a plain one, bit by bit, on what
    /// Foundation encodes (padded and not) and on strings of the alphabet, `=` and bytes
    /// outside it at every length up to 14: the same bytes, or nil on the same inputs.
    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Base64 decoded bit by bit: what `Base64.decode` must agree with.
    private func plain(_ input: [UInt8]) -> [UInt8]? {
        var body = input[...]
        while body.last == UInt8(ascii: "="), input.count - body.count < 2 { body.removeLast() }
        guard body.count % 4 != 1 else { return nil }
        var bits: [Bool] = []
        for c in body {
            guard let value = Self.base64Alphabet.firstIndex(of: c) else { return nil }
            bits += (0..<6).reversed().map { value >> $0 & 1 == 1 }
        }
        return stride(from: 0, to: bits.count / 8 * 8, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
    }

    @Test func base64DecodesAsAPlainDecoderDoes() {
        let alphabet = Self.base64Alphabet
        var generator = SeededGenerator(seed: 16)  // the same inputs every run: a failure replays
        var inputs: [[UInt8]] = []
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Array(Data(bytes).base64EncodedString().utf8)
            inputs += [encoded, Array(encoded.prefix { $0 != UInt8(ascii: "=") })]
            #expect(Base64.decode(encoded) == bytes)
        }
        let letters = alphabet + Array("=!- \n\u{0}".utf8) + [0x80, 0xFF]
        for length in 0...14 {
            for _ in 0..<300 {
                inputs.append((0..<length).map { _ in letters.randomElement(using: &generator)! })
            }
        }
        let disagreeing = inputs.filter { Base64.decode($0) != plain($0) }
        #expect(disagreeing.isEmpty, "\(disagreeing.prefix(3).map { String(decoding: $0, as: UTF8.self) })")
    }

    /// Long values go thirty-two characters at a time (AVX2), then sixteen (SSSE3; CBase64):
    /// every byte value at every place of a block must be told apart as the plain decoder
    /// does (places 0-31 in the first AVX2 block, or SSSE3's after it stops; 32-47 SSSE3's).
    @Test func base64DecodesLongValuesAsAPlainDecoderDoes() {
        var generator = SeededGenerator(seed: 17)
        for length in stride(from: 0, through: 300, by: 7) {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Array(Data(bytes).base64EncodedString().utf8)
            #expect(Base64.decode(encoded) == bytes)
            #expect(Base64.decode(Array(encoded.prefix { $0 != UInt8(ascii: "=") })) == bytes)
        }
        let valid = (0..<64).map { _ in Self.base64Alphabet.randomElement(using: &generator)! }
        var disagreeing: [String] = []
        for place in 0..<48 {
            for byte in 0...255 {
                var input = valid
                input[place] = UInt8(byte)
                if Base64.decode(input) != plain(input) { disagreeing.append("byte \(byte) at \(place)") }
            }
        }
        let disagreements = disagreeing.count
        #expect(disagreements == 0, "\(disagreeing.prefix(5))")
    }
}
