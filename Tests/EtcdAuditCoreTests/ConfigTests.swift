@testable import EtcdAuditCore
import Foundation
import Testing

/// `.etcd-audit.yaml`: every field read, every mistake named by file, line and field,
/// and the file found from the working directory up.
struct ConfigTests {
    func parse(_ text: String) throws(ConfigError) -> AuditConfig {
        try AuditConfig.parse(text, path: "repo/.etcd-audit.yaml", directory: "/repo")
    }

    func error(_ text: String) -> ConfigError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsEveryField() throws {
        let config = try parse("""
            rules: [rules, /etc/etcd-audit/rules]
            only: [unique.vmi, monitoring.failed]
            skip: resource.in-flight
            severity: {monitoring.failed: error, refs.duplicate: info}
            fail_on: warning
            per_file: true
            include: ["fixtures/**/*.md"]
            exclude: ["fixtures/wip/*"]
            reports:
              - {format: junit, output: build/audit.xml}
              - format: text
            waivers:
              - rule: heat-outputs.*
                resource: ports/23464cbc-*
                path: "**/003_*.txt"
                reason: the update seed is kept as it was recorded
                expires: 2027-01-31
            """)
        #expect(config.rules == ["/repo/rules", "/etc/etcd-audit/rules"])
        #expect(config.only == ["unique.vmi", "monitoring.failed"])
        #expect(config.skip == ["resource.in-flight"])
        #expect(config.severities == ["monitoring.failed=error", "refs.duplicate=info"])
        #expect(config.failOn == .warning)
        #expect(config.perFile == true)
        #expect(config.include == ["fixtures/**/*.md"])
        #expect(config.exclude == ["fixtures/wip/*"])
        #expect(config.reports == [ReportDefault(format: .junit, output: "/repo/build/audit.xml"), ReportDefault(format: .text)])
        let waiver = try #require(config.waivers.first)
        #expect(waiver.rule.pattern == "heat-outputs.*")
        #expect(waiver.resource?.text == "ports/23464cbc-*")
        #expect(waiver.path?.pattern == "**/003_*.txt")
        #expect(waiver.expires == "2027-01-31")
        #expect(waiver.line == 13)
    }

    @Test func anEmptyFileChangesNothing() throws {
        let config = try parse("")
        #expect(config.rules == nil && config.failOn == nil && config.reports == nil && config.waivers.isEmpty)
    }

    @Test func mistakesNameFileLineAndField() {
        let cases: [(text: String, line: Int?, field: String?, says: String)] = [
            ("fail_on: warning\nfial_on: error\n", 2, "fial_on", "unknown field"),
            ("waivers:\n  - rule: unique.vmi\n    resource: port/*\n", 2, "waivers[0].reason", "is required"),
            ("waivers:\n  - rule: unique.vmi\n    reason: ''\n", 3, "waivers[0].reason", "must not be empty"),
            ("waivers:\n  - {reason: x}\n", 2, "waivers[0].rule", "is required"),
            ("waivers:\n  - {rule: a, reason: b}\n  - {rule: a, reason: b, resorce: port/x}\n", 3,
             "waivers[1].resorce", "unknown field"),
            ("waivers:\n  - {rule: a, reason: b, expires: 2027-02-30}\n", 2, "waivers[0].expires", "YYYY-MM-DD"),
            ("waivers:\n  - {rule: a, reason: b, expires: next week}\n", 2, "waivers[0].expires", "YYYY-MM-DD"),
            ("waivers:\n  - {rule: a, reason: b, resource: 23464cbc}\n", 2, "waivers[0].resource", "TYPE/ID"),
            ("waivers:\n  - {rule: \"heat-[\", reason: b}\n", 2, "waivers[0].rule", "never closed"),
            ("waivers:\n  - {rule: a, reason: b, path: \"x/[z-a]\"}\n", 2, "waivers[0].path", "backwards"),
            ("waivers: {rule: a}\n", 1, "waivers", "must be a list"),
            ("severity:\n  unique.vmi: fatal\n", 2, "severity.unique.vmi", "error, warning or info"),
            ("fail_on: always\n", 1, "fail_on", "never"),
            ("per_file: perhaps\n", 1, "per_file", "true or false"),
            ("reports:\n  - {format: yaml}\n", 2, "reports[0].format", "unknown report format"),
            ("reports:\n  - {output: x.json}\n", 2, "reports[0].format", "is required"),
            ("reports:\n  - {format: json}\n  - {format: text}\n", 2, "reports", "standard output"),
            ("only: {a: b}\n", 1, "only", "list of texts"),
            ("- rules\n", 1, nil, "mapping at the top level"),
        ]
        for c in cases {
            let found = error(c.text)
            #expect(found?.line == c.line, "\(c.text)")
            #expect(found?.field == c.field, "\(c.text)")
            #expect(found?.message.contains(c.says) == true, "\(c.text): \(String(describing: found))")
            #expect(found?.description.hasPrefix("repo/.etcd-audit.yaml") == true)
        }
        #expect(error("rules: [\n")?.message.contains("not valid YAML") == true)
    }

    @Test func ruleIDsAreCheckedAgainstTheCatalog() throws {
        let known: Set<String> = ["unique.vmi", "monitoring.failed"]
        try parse("only: [unique.vmi]\nseverity: {monitoring.failed: error}\n").checkRuleIDs(known: known)
        #expect(throws: ConfigError.self) { try parse("skip: [unique.vmj]\n").checkRuleIDs(known: known) }
        do {
            try parse("severity: {monitoring.fail: error}\n").checkRuleIDs(known: known)
            Issue.record("an unknown rule in severity passed")
        } catch {
            #expect(error.field == "severity.monitoring.fail")
            #expect(error.line == 1)
        }
    }

    @Test func theFileIsFoundInTheWorkingDirectoryOrAbove() throws {
        let top = try TestSupport.temporaryDirectory()
        let deep = top.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        #expect(AuditConfig.discover(from: deep.path) == nil)
        try "fail_on: info\n".write(to: top.appendingPathComponent(AuditConfig.fileName), atomically: true, encoding: .utf8)
        #expect(AuditConfig.discover(from: deep.path) == "../../.etcd-audit.yaml")
        #expect(AuditConfig.discover(from: top.path) == ".etcd-audit.yaml")
        let config = try AuditConfig.load(path: "../../.etcd-audit.yaml", workingDirectory: deep.path)
        #expect(config.failOn == .info)
        #expect(config.directory == top.standardizedFileURL.path)
        // A folder of that name is not a configuration.
        try FileManager.default.createDirectory(at: deep.appendingPathComponent(AuditConfig.fileName),
                                                withIntermediateDirectories: true)
        #expect(AuditConfig.discover(from: deep.path) == "../../.etcd-audit.yaml")
        #expect(throws: ConfigError.self) { try AuditConfig.load(path: "missing.yaml", workingDirectory: deep.path) }
    }
}
