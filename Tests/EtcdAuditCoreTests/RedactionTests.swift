@testable import EtcdAuditCore
import Foundation
import Testing

/// `--redact`: no value of the store survives in any report format.
struct RedactionTests {
    /// Every report format the tool writes.
    static let formats = ReportFormat.allCases.map(\.rawValue)

    /// The seeds, one broken store per rule (so every rule's message is met), the other
    /// resource types, and a generated store with planted faults.
    static func inputs() throws -> [String] {
        let directory = try TestSupport.temporaryDirectory()
        let generated = directory.appendingPathComponent("generated.jsonl").path
        try TestSupport.runChecked("/usr/bin/env", ["python3", TestSupport.path("scripts/generate-dump.py"),
                                                    "--resources", "300", "--fault-rate", "0.3", "--format", "jsonl",
                                                    "--seed", "17", "--out", generated])
        // A missing or empty folder fails the test rather than leaving it less to check.
        let samples = try ["Samples/seeds", "Samples/broken", "Samples/other-types"].flatMap { folder in
            let names = try FileManager.default.contentsOfDirectory(atPath: TestSupport.path(folder)).sorted()
            if names.isEmpty { throw TestSupport.Discovery(description: "\(folder) holds no sample") }
            return names.map { TestSupport.path("\(folder)/\($0)") }
        }
        return samples + [generated]
    }

    /// What a report must not hold: every string value of 4 characters or more and every
    /// number of 5 digits or more in the records' values (heat outputs decoded too), less
    /// the keys and resource ids that reports keep and the words the catalog holds.
    static func storeValues(_ paths: [String]) throws -> (values: Set<String>, ids: Set<String>) {
        var values: Set<String> = [], kept: Set<String> = [], ids: Set<String> = []
        for path in paths {
            for record in try TestSupport.records(at: path, format: nil).records {
                kept.insert(record.key)
                for segment in record.key.split(separator: "/") { kept.insert(String(segment)) }
                // Job keys hold names (`port:ID:3`) that are values too: every run of parts.
                for segment in record.key.split(separator: "/") {
                    let parts = segment.split(separator: ":")
                    for start in parts.indices {
                        for end in start..<parts.count { kept.insert(parts[start...end].joined(separator: ":")) }
                    }
                }
                if let match = TestSupport.catalog.layouts.match(record.key) { ids.insert(match.id) }
                let text = String(decoding: record.value, as: UTF8.self)
                if let json = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) {
                    walk(json, into: &values)
                } else {
                    // Not JSON (input.invalid-json): its quoted strings and long numbers.
                    walk(text, into: &values)
                    for number in text.split(whereSeparator: { !$0.isNumber }) where number.count >= 5 {
                        values.insert(String(number))
                    }
                }
            }
        }
        let catalogText = try String(contentsOfFile: TestSupport.path("Rules/rules.yaml"), encoding: .utf8)
            + String(contentsOfFile: TestSupport.path("Rules/layouts.yaml"), encoding: .utf8)
        return (values.filter { !kept.contains($0) && !ids.contains($0) && !catalogText.contains($0) }, ids)
    }

    private static func walk(_ json: Any, into values: inout Set<String>) {
        switch json {
        case let text as String:
            if text.count >= 4 { values.insert(text) }
            // A JSON-encoded string (state.heat_outputs): what it decodes to, too.
            if let inner = try? JSONSerialization.jsonObject(with: Data(text.utf8)), !(inner is String) {
                walk(inner, into: &values)
            }
        case let number as NSNumber:
            let digits = number.stringValue
            if digits.filter(\.isNumber).count >= 5 { values.insert(digits) }
        case let array as [Any]: for item in array { walk(item, into: &values) }
        case let object as [String: Any]: for (_, item) in object { walk(item, into: &values) }
        default: break
        }
    }

    /// Writes every report format of `check ARGUMENTS` and returns each one's text with
    /// the digests taken out (a digest's hex could spell a short value by chance).
    static func reports(_ arguments: [String]) throws -> [String: String] {
        let directory = try TestSupport.temporaryDirectory()
        var command = ["check", "--per-file", "--no-config", "--fail-on", "never"] + arguments
        for format in formats { command += ["--report", format, "--output", directory.appendingPathComponent(format).path] }
        let run = try TestSupport.run(CommandLineTests.binary, command)
        #expect(run.code == 0, "\(run.err)")
        var out: [String: String] = [:]
        for format in formats {
            let text = try String(contentsOf: directory.appendingPathComponent(format), encoding: .utf8)
            out[format] = text.replacingOccurrences(of: #"«[a-z]+:[0-9a-f]+»"#, with: "«»", options: .regularExpression)
        }
        return out
    }

    /// The values of `values` found in each report, as whole words (not inside a longer
    /// word or number).
    static func leaks(_ values: Set<String>, in reports: [String: String]) -> [String] {
        var found: [String] = []
        for (format, text) in reports.sorted(by: { $0.key < $1.key }) {
            // The JSON formats escape "/" or quotes; look at the unescaped text as well.
            let plain = text.replacingOccurrences(of: "\\/", with: "/").replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&amp;", with: "&")
            // A word index first: a value found as a whole word starts with a whole word.
            let words = Set(plain.split(whereSeparator: { !isWordy($0) }))
            for value in values.sorted() {
                guard let first = value.split(whereSeparator: { !isWordy($0) }).first, words.contains(first) else { continue }
                if containsWord(plain, value) { found.append("\(format): \(value)") }
            }
        }
        return found
    }

    private static func isWordy(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    private static func containsWord(_ text: String, _ value: String) -> Bool {
        var searchRange = text.startIndex..<text.endIndex
        while let range = text.range(of: value, range: searchRange) {
            let before = range.lowerBound > text.startIndex ? text[text.index(before: range.lowerBound)] : " "
            let after = range.upperBound < text.endIndex ? text[range.upperBound] : " "
            if !(isWordy(value.first!) && isWordy(before)) && !(isWordy(value.last!) && isWordy(after)) { return true }
            searchRange = range.upperBound..<text.endIndex
        }
        return false
    }

    @Test func noStoreValueInAnyRedactedReport() throws {
        let inputs = try Self.inputs()
        let (values, _) = try Self.storeValues(inputs)
        #expect(values.count > 1000, "the stores give too few values to prove anything: \(values.count)")
        // Without --redact the reports do carry the store's values: the search finds them.
        let plainLeaks = Self.leaks(values, in: try Self.reports(inputs))
        #expect(plainLeaks.count > 100, "the check finds no value in unredacted reports: \(plainLeaks.count)")
        let leaks = Self.leaks(values, in: try Self.reports(["--redact"] + inputs))
        #expect(leaks.isEmpty, "\(leaks.count) values in redacted reports: \(leaks.prefix(40).joined(separator: "\n"))")
    }

    @Test func redactIdsAlsoHidesResourceIDs() throws {
        let inputs = try Self.inputs()
        var (values, ids) = try Self.storeValues(inputs)
        let longIDs = ids.filter { $0.count >= 4 }
        #expect(!Self.leaks(longIDs, in: try Self.reports(["--redact"] + inputs)).isEmpty, "--redact keeps ids")
        values.formUnion(longIDs)
        let leaks = Self.leaks(values, in: try Self.reports(["--redact", "ids"] + inputs))
        #expect(leaks.isEmpty, "\(leaks.count) values or ids in reports: \(leaks.prefix(40).joined(separator: "\n"))")
    }

    @Test func oneValueOneDigestAcrossRunsAndFields() throws {
        #expect(Redaction.digest("fa:16:3e:00:00:01") == Redaction.digest("fa:16:3e:00:00:01"))
        #expect(Redaction.digest("fa:16:3e:00:00:01") != Redaction.digest("fa:16:3e:00:00:02"))
        // A value in a message becomes the same digest as in `actual`; a shorter value
        // never cuts into a longer one, nor into a longer word.
        let message = Redaction.replace(in: "ip 10.0.0.1 is 1 of 1x",
                                        ["10.0.0.1": Redaction.digest("10.0.0.1"), "1": Redaction.digest("1")])
        #expect(message == "ip \(Redaction.digest("10.0.0.1")) is \(Redaction.digest("1")) of 1x")
        #expect(Redaction.redactJanssonExcerpts("invalid token near 'tenant-1' (line 2)")
                == "invalid token near '\(Redaction.digest("tenant-1"))' (line 2)")
    }

    @Test func aRedactedReportIsTheNextRedactedBaseline() throws {
        let seed = TestSupport.path("Samples/broken/unique.mac-address.md")
        let directory = try TestSupport.temporaryDirectory()
        let first = directory.appendingPathComponent("night1.json").path
        _ = try TestSupport.run(CommandLineTests.binary, ["check", "--no-config", "--redact", seed, "--report", "json",
                                                          "--output", first])
        let second = try TestSupport.run(CommandLineTests.binary, ["check", "--no-config", "--redact", seed,
                                                                   "--baseline", first, "--report", "json"])
        #expect(second.code == 0, "\(second.err)")
        let report = try JSONSerialization.jsonObject(with: Data(second.out.utf8)) as? [String: Any]
        let baseline = (report?["summary"] as? [String: Any])?["baseline"] as? [String: Any]
        #expect(baseline?["new"] as? Int == 0)
        #expect(baseline?["resolved"] as? Int == 0)
        #expect((baseline?["existing"] as? Int ?? 0) > 0)
    }
}
