import Foundation
import XMLCoder

/// JUnit XML (SPEC §4): one testsuite per rule, one testcase per resource the rule
/// checks, a `failure` per finding at or above `--fail-on`; findings below it go to the
/// testcase's `system-out`, as do waived findings (with the waiver's reason), so the report
/// fails exactly when the exit code does. Findings below `--show` that do not fail the run
/// are left out of `system-out` (a failure is never hidden). Valid against the Jenkins xUnit schema: no `file`
/// on testcases (unless `junitFileAttributes` asks for GitLab's `file` and `line`), times
/// with at most three decimals, no control characters.
struct JUnitReporter: Reporter {
    struct TestSuites: Encodable, DynamicNodeEncoding {
        var name = "etcd-audit"
        var tests: Int
        var failures: Int
        var errors = 0
        var time = "0"
        var testsuite: [TestSuite]

        static func nodeEncoding(for key: CodingKey) -> XMLEncoder.NodeEncoding {
            key.stringValue == "testsuite" ? .element : .attribute
        }
    }

    struct TestSuite: Encodable, DynamicNodeEncoding {
        var name: String
        var tests: Int
        var failures: Int
        var errors = 0
        var skipped = 0
        var time = "0"
        var testcase: [TestCase]

        static func nodeEncoding(for key: CodingKey) -> XMLEncoder.NodeEncoding {
            key.stringValue == "testcase" ? .element : .attribute
        }
    }

    struct TestCase: Encodable, DynamicNodeEncoding {
        var name: String
        var classname: String
        /// Where the testcase's first finding stands (only with `junitFileAttributes`).
        var file: String?
        var line: Int?
        var time = "0"
        var failure: [Failure]
        var systemOut: String?

        enum CodingKeys: String, CodingKey {
            case name, classname, file, line, time, failure
            case systemOut = "system-out"
        }

        static func nodeEncoding(for key: CodingKey) -> XMLEncoder.NodeEncoding {
            switch key.stringValue {
            case "failure", "system-out": return .element
            default: return .attribute
            }
        }
    }

    struct Failure: Encodable, DynamicNodeEncoding {
        var type: String
        var message: String
        var value: String

        enum CodingKeys: String, CodingKey {
            case type, message
            case value = ""
        }

        static func nodeEncoding(for key: CodingKey) -> XMLEncoder.NodeEncoding {
            key.stringValue.isEmpty ? .element : .attribute
        }
    }

    /// The resources of each store: one list and no file name, or with `--per-file` each
    /// file's (the same resource id in two files is two testcases, named with the file).
    private struct Store {
        var path: String?
        var resources: ResourceList
    }

    func render(_ result: AuditResult, options: ReportOptions) throws -> String {
        let byRule = Dictionary(grouping: result.findings, by: \.rule)
        let stores = result.files?.map { Store(path: $0.path, resources: $0.resources) }
            ?? [Store(path: nil, resources: result.resources)]
        var suites: [TestSuite] = []
        for rule in result.rules.sorted(by: { $0.id < $1.id }) {
            let findings = byRule[rule.id] ?? []
            let byResource = Dictionary(grouping: findings) {
                StoreResource(path: result.isPerFile ? $0.location.path : nil,
                              resource: ResourceRef(type: $0.resourceType, id: $0.resourceID))
            }
            var cases: [TestCase] = []
            for store in stores {
                cases += Self.testcases(rule, store, result: result, findings: byResource, options: options)
            }
            // `failures` counts failing testcases (as JUnit consumers do), not failure elements:
            // one resource can fail a rule more than once.
            suites.append(TestSuite(name: Self.escaped(rule.id), tests: cases.count,
                                    failures: cases.filter { !$0.failure.isEmpty }.count, testcase: cases))
        }
        let root = TestSuites(tests: suites.reduce(0) { $0 + $1.tests },
                              failures: suites.reduce(0) { $0 + $1.failures }, testsuite: suites)
        let encoder = XMLEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        // Every text is escaped already (`escaped`): XMLCoder's own escaping, five
        // Foundation replacements per value, took three quarters of a report of thousands
        // of findings.
        encoder.charactersEscapedInAttributes = []
        encoder.charactersEscapedInElements = []
        let header = XMLHeader(version: 1.0, encoding: "UTF-8")
        let data = try encoder.encode(root, withRootKey: "testsuites", header: header)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// One testcase per resource of the store the rule checks, with its findings.
    private static func testcases(_ rule: Rule, _ store: Store, result: AuditResult,
                                  findings: [StoreResource: [Finding]], options: ReportOptions) -> [TestCase] {
        let placement = CodeHostPlacement(workingDirectory: options.workingDirectory)
        var cases: [TestCase] = []
        for var resource in store.resources {
            // Findings carry the digest of their resource's id under `--redact ids`.
            if options.redactedIDs { resource.id = Redaction.digest(resource.id, tag: "id") }
            guard let type = result.resourceTypes[resource.type], rule.applies(to: type) else { continue }
            let mine = findings[StoreResource(path: store.path, resource: resource)] ?? []
            let failing = mine.filter { options.fails($0) }
            let passing = mine.filter { !options.fails($0) && options.shows($0) }
            let place = options.junitFileAttributes ? mine.first?.location : nil
            let name = "\(type.plural)/\(resource.id)"
            cases.append(TestCase(
                name: escaped(ReportText.clean(store.path.map { "\($0): \(name)" } ?? name)), classname: escaped(rule.id),
                file: place.map { escaped(ReportText.clean(placement.path($0.path))) }, line: place?.line,
                failure: failing.map { Failure(type: escaped($0.severity.rawValue), message: escaped(ReportText.clean($0.message)),
                                               value: escaped(ReportText.clean(detail($0)))) },
                systemOut: passing.isEmpty ? nil
                    : escaped(ReportText.clean(passing.map { "\(label($0)): \($0.message)\n\(detail($0))" }
                        .joined(separator: "\n\n")))))
        }
        return cases
    }

    private struct StoreResource: Hashable {
        var path: String?
        var resource: ResourceRef
    }

    /// A text as XMLCoder escapes it by default, in attributes and elements alike (`&`,
    /// `<`, `>`, `'`, `"`), in one pass over the bytes.
    static func escaped(_ text: String) -> String {
        ReportText.replacingBytes(text) { byte in byte == 0x27 ? Array("&apos;".utf8) : ReportText.markupEntity(byte) }
    }

    /// "warning", or "warning, waived: reason, until 2027-01-31".
    private static func label(_ finding: Finding) -> String {
        finding.severity.rawValue + (CodeHostPlacement.waiverNote(finding).map { ", \($0)" } ?? "")
    }

    private static func detail(_ finding: Finding) -> String {
        var lines = ["keys: " + finding.keys.joined(separator: ", "), "location: " + finding.location.display]
        if let offset = finding.location.offset, finding.location.line != nil { lines.append("offset: \(offset)") }
        if let expected = finding.expected { lines.append("expected: " + expected) }
        if let actual = finding.actual { lines.append("actual: " + actual) }
        return lines.joined(separator: "\n")
    }
}
