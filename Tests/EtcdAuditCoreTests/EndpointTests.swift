@testable import EtcdAuditCore
import Foundation
import Testing

/// `check --endpoint` against a real etcd 3.4 that each test starts (EtcdServer) and
/// stops. Serialized: several etcds and a few thousand puts at once crowd a small CI box.
@Suite(.serialized)
struct EndpointTests {
    /// The seed records in the order they were first written (their create_revision), so
    /// a fresh store holds them at revisions 2...12, exactly as the fixture does.
    static func seeds() throws -> [(key: String, value: Data)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestSupport.path("Samples/fixtures/seeds.etcdctl.json")))
        let kvs = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["kvs"] as? [[String: Any]] ?? []
        return kvs.sorted { ($0["create_revision"] as? Int ?? 0) < ($1["create_revision"] as? Int ?? 0) }.map { kv in
            (String(decoding: Data(base64Encoded: kv["key"] as? String ?? "") ?? Data(), as: UTF8.self),
             Data(base64Encoded: kv["value"] as? String ?? "") ?? Data())
        }
    }

    /// A generated store of 2000 resources (about 12,000 keys), made once. Values are byte
    /// arrays: LeakSanitizer does not see Data's storage through the enum it is packed in,
    /// and would report a static that lives to the end as leaked.
    static let generated: Result<[(key: String, value: [UInt8])], Error> = Result {
        let out = try TestSupport.temporaryFile("", name: "generated.jsonl")
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: out).deletingLastPathComponent().path) }
        guard let python = TestSupport.which("python3") else { throw EtcdServer.Failure("python3 is not installed") }
        let made = try TestSupport.run(python, ["scripts/generate-dump.py", "--resources", "2000", "--format", "jsonl",
                                                "--out", out])
        guard made.code == 0 else { throw EtcdServer.Failure("generate-dump.py: \(made.err)") }
        return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map { line in
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return (record["key"] as? String ?? "", Array((record["value"] as? String ?? "").utf8))
        }
    }

    /// Seeds with etcdctl put, then the generated store; returns the revision after the seeds.
    @discardableResult
    static func load(_ server: EtcdServer, generated: Bool = true) throws -> Int64 {
        for seed in try seeds() { try server.put(seed.key, seed.value) }
        let afterSeeds = try server.revision()
        if generated { try server.putMany(try Self.generated.get()) }
        return afterSeeds
    }

    /// Runs etcd-audit with a JSON report; its exit code, stderr and the parsed report.
    static func audit(_ arguments: [String], environment: [String: String] = [:]) throws
        -> (code: Int32, err: String, report: [String: Any])
    {
        let output = try TestSupport.temporaryFile("", name: "report.json")
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: output).deletingLastPathComponent().path) }
        let result = try CommandLineTests().run(["check", "--report", "json", "--output", output] + arguments,
                                                environment: environment)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output)))
        return (result.code, result.err, report as? [String: Any] ?? [:])
    }

    /// Each finding as sorted JSON without its locations (a file offset in one input, a
    /// page offset in the other; a pointer found in a file, not in pages, which cannot be
    /// read again) but with the keys of its related locations: what must agree between inputs.
    static func findings(_ report: [String: Any]) throws -> [String] {
        try (report["findings"] as? [[String: Any]] ?? []).map { finding in
            var finding = finding
            finding["location"] = nil
            finding["related"] = (finding["related"] as? [[String: Any]] ?? []).compactMap { $0["key"] }
            return String(decoding: try JSONSerialization.data(withJSONObject: finding, options: .sortedKeys), as: UTF8.self)
        }.sorted()
    }

    /// What only one side holds, for short failure messages (the lists run to thousands).
    static func differences(_ a: [String], _ b: [String]) -> [String] {
        Array(Set(a).symmetricDifference(b)).sorted() + (a.count == b.count ? [] : ["counts \(a.count) and \(b.count)"])
    }

    static func input(_ report: [String: Any]) -> [String: Any] {
        (report["inputs"] as? [[String: Any]])?.first ?? [:]
    }

    static func summary(_ report: [String: Any], _ member: String) -> Int? {
        (report["summary"] as? [String: Any])?[member] as? Int
    }

    @Test func endpointAgreesWithAnEtcdctlDump() throws {
        let server = try EtcdServer.start()
        defer { server.stop() }
        try Self.load(server)
        let dumpPath = server.dir.appendingPathComponent("dump.json").path  // removed with the server
        try server.etcdctl(["get", "--prefix", "", "-w", "json"], stdoutFile: dumpPath)
        let snapshotPath = server.dir.appendingPathComponent("store.db").path
        try server.etcdctl(["snapshot", "save", snapshotPath])
        let revision = try server.revision()

        let dump = try Self.audit([dumpPath])
        let live = try Self.audit(["--endpoint", server.clientURL])
        let smallPages = try Self.audit(["--endpoint", server.clientURL, "--page-size", "7", "--jobs", "1"])
        // The same store read from its snapshot file, with no server.
        let snapshot = try Self.audit([snapshotPath])
        #expect(snapshot.code == dump.code)
        #expect(try Self.differences(Self.findings(snapshot.report), Self.findings(dump.report)) == [])
        #expect(Self.summary(snapshot.report, "resources") == Self.summary(dump.report, "resources"))
        #expect((Self.input(snapshot.report)["revision"] as? NSNumber)?.int64Value == revision)
        #expect(Self.summary(dump.report, "records") == 12197 + 11)
        #expect(try Self.findings(dump.report).count > 7)  // the seeds' 7 and the generated store's
        for other in [live, smallPages] {
            #expect(other.code == dump.code)
            #expect(try Self.differences(Self.findings(other.report), Self.findings(dump.report)) == [])
            for member in ["resources", "records", "skipped_keys"] {
                #expect(Self.summary(other.report, member) == Self.summary(dump.report, member))
            }
            let input = Self.input(other.report)
            #expect(input["format"] as? String == "endpoint")
            #expect(input["path"] as? String == server.clientURL)
            #expect((input["revision"] as? NSNumber)?.int64Value == revision)
            #expect(input["cluster_id"] as? String == Self.input(dump.report)["cluster_id"] as? String)
        }
        #expect(try server.revision() == revision)  // the audits wrote nothing
    }

    @Test func pinnedRevisionHidesWritesBetweenPages() throws {
        let server = try EtcdServer.start()
        defer { server.stop() }
        try Self.load(server)
        let auditor = Auditor(catalog: TestSupport.catalog)
        var options = EndpointOptions(urls: [server.clientURL], pageSize: 50)
        let before = auditor.audit([.endpoint(options)], jobs: 2)
        #expect(before.inputs[0].error == nil)

        // All three keys sort after the first page (/config/... keys): unpinned, the later
        // pages would show the new bad record and the broken one, and miss the deleted one.
        let keys = try Self.generated.get().map(\.key).sorted()
        let added = "/state/v2.0/ports/ffffffff-0000-4000-8000-000000000000"
        let broken = keys.last { $0.hasPrefix("/state/") }!
        let deleted = keys.last { $0.hasPrefix("/monitoring/") }!
        let writes = WriteLog()
        options.pageRead = { pages in
            guard pages == 1 else { return }
            writes.record {
                try server.put(added, Data("{\"status\": ".utf8))
                try server.put(broken, Data("{not json".utf8))
                try server.etcdctl(["del", deleted])
            }
        }
        let during = auditor.audit([.endpoint(options)], jobs: 2)
        try writes.check()
        #expect(during.inputs[0].error == nil)
        #expect(during.inputs[0].revision == before.inputs[0].revision)
        #expect(during.inputs[0].records == before.inputs[0].records)
        #expect(Self.differences(TestSupport.pairs(during), TestSupport.pairs(before)) == [])
        #expect(Self.differences(during.findings.map(\.message), before.findings.map(\.message)) == [])

        // The writes did happen: an audit started now sees them.
        let after = auditor.audit([.endpoint(EndpointOptions(urls: [server.clientURL], pageSize: 50))], jobs: 2)
        #expect(after.inputs[0].revision == before.inputs[0].revision.map { $0 + 3 })
        #expect(after.findings.contains { $0.rule == "input.invalid-json" && $0.keys.first == added })
        #expect(after.findings.contains { $0.rule == "input.invalid-json" && $0.keys.first == broken })
        #expect(after.inputs[0].records == before.inputs[0].records)  // one added, one deleted
    }

    @Test func olderRevisionsAreReadAndCompactedOnesRefused() throws {
        let server = try EtcdServer.start()
        defer { server.stop() }
        let seedsRevision = try Self.load(server, generated: false)
        #expect(seedsRevision == 12)
        let monitoring = try Self.seeds().first { $0.key.hasPrefix("/monitoring/") }!.key
        try server.put(monitoring, Data("{broken".utf8))

        let fixture = try Self.audit(["Samples/fixtures/seeds.etcdctl.json"])
        let old = try Self.audit(["--endpoint", server.clientURL, "--revision", "12", "--page-size", "4"])
        #expect(old.code == 1)
        #expect(try Self.differences(Self.findings(old.report), Self.findings(fixture.report)) == [])
        #expect((Self.input(old.report)["revision"] as? NSNumber)?.int64Value == 12)
        let current = try Self.audit(["--endpoint", server.clientURL])
        #expect(try Self.findings(current.report) != Self.findings(fixture.report))

        try server.etcdctl(["compact", String(try server.revision())])
        let compacted = try Self.audit(["--endpoint", server.clientURL, "--revision", "12"])
        #expect(compacted.code == 2)
        #expect(compacted.err.contains(server.clientURL))
        #expect(compacted.err.contains("revision 12 has been compacted"))
        #expect(compacted.err.contains("--revision"))
        #expect((Self.input(compacted.report)["error"] as? String)?.contains("compacted") == true)
        let future = try Self.audit(["--endpoint", server.clientURL, "--revision", "1000"])
        #expect(future.code == 2)
        #expect(future.err.contains("newer than the store"))
        #expect(try Self.audit(["--endpoint", server.clientURL]).code == 1)  // the current revision still reads
    }

    @Test func tlsWithClientCertificates() throws {
        let server = try EtcdServer.start(tls: true)
        defer { server.stop() }
        for seed in try Self.seeds() { try server.put(seed.key, seed.value) }
        let certificates = try #require(server.certificates)

        let live = try Self.audit(["--endpoint", server.clientURL] + server.tlsArguments)
        #expect(live.code == 1)
        #expect(try Self.findings(live.report).count == 7)
        #expect(Self.input(live.report)["path"] as? String == server.clientURL)
        // Pages cannot be read again: a pointer only where the path needs no lookup.
        let pointers = (live.report["findings"] as? [[String: Any]] ?? []).map { finding in
            "\(finding["rule"] ?? "") \((finding["location"] as? [String: Any])?["pointer"] ?? "none")"
        }
        #expect(pointers.contains("monitoring.failed /vmi"))
        #expect(pointers.contains("heat-outputs.mac-mismatch none"))
        // Without a scheme, TLS files mean https, as in etcdctl.
        let bare = server.clientURL.replacingOccurrences(of: "https://", with: "")
        #expect(try Self.audit(["--endpoint", bare] + server.tlsArguments).code == 1)

        let noClientCertificate = try Self.audit(["--endpoint", server.clientURL, "--cacert", certificates.ca])
        #expect(noClientCertificate.code == 2)
        #expect(noClientCertificate.err.contains(server.clientURL) && noClientCertificate.err.contains("--cert"))
        let untrusted = try Self.audit(["--endpoint", server.clientURL, "--cert", certificates.clientCert,
                                        "--key", certificates.clientKey])
        #expect(untrusted.code == 2)
        #expect(untrusted.err.contains(server.clientURL) && untrusted.err.contains("--cacert"))

        // The same files from etcdctl's variables; they count for https too, and an option
        // beats its variable (ETCDCTL_CACERT names a certificate that signed nothing here).
        let variables = ["ETCDCTL_CACERT": certificates.ca, "ETCDCTL_CERT": certificates.clientCert,
                         "ETCDCTL_KEY": certificates.clientKey]
        let fromEnvironment = try Self.audit(["--endpoint", bare], environment: variables)
        #expect(fromEnvironment.code == 1)
        #expect(try Self.findings(fromEnvironment.report) == Self.findings(live.report))
        #expect(Self.input(fromEnvironment.report)["path"] as? String == server.clientURL)
        var wrongCA = variables
        wrongCA["ETCDCTL_CACERT"] = certificates.clientCert
        #expect(try Self.audit(["--endpoint", bare], environment: wrongCA).code == 2)
        #expect(try Self.audit(["--endpoint", bare, "--cacert", certificates.ca], environment: wrongCA).code == 1)
        let caOnly = try Self.audit(["--endpoint", server.clientURL], environment: ["ETCDCTL_CACERT": certificates.ca])
        #expect(caOnly.code == 2 && caOnly.err.contains("--cert"))
    }

    @Test func usernameAndPassword() throws {
        let server = try EtcdServer.start()
        defer { server.stop() }
        for seed in try Self.seeds() { try server.put(seed.key, seed.value) }
        try server.etcdctl(["user", "add", "root:pw"])
        // A password with a colon and spaces: a password file keeps the whole line.
        let auditPassword = "s3cret: with space "
        try server.etcdctl(["user", "add", "audit", "--new-user-password", auditPassword])
        try server.etcdctl(["user", "grant-role", "audit", "root"])
        try server.etcdctl(["auth", "enable"])
        let url = server.clientURL
        func passwordFile(_ text: String) throws -> String { try TestSupport.temporaryFile(text, name: "password") }

        let live = try Self.audit(["--endpoint", url, "--user", "root:pw", "--page-size", "3"])
        #expect(live.code == 1)
        #expect(try Self.findings(live.report).count == 7)
        // A password in the arguments works, and says where else to put it.
        #expect(live.err.contains("warning: --user NAME:PASSWORD shows the password to every user")
                && live.err.contains("--password-file") && live.err.contains("ETCDCTL_PASSWORD"))
        #expect(try Self.audit(["--endpoint", url, "--user", "root:pw", "--quiet"]).err == "")

        // The ways that keep the password out of ps; none warns. The command line beats the
        // environment (ETCDCTL_USER's wrong password does not apply to --user audit).
        let wrongEnvironment = ["ETCDCTL_USER": "root:nottheone"]
        let ways: [(arguments: [String], environment: [String: String])] = [
            (["--user", "audit", "--password-file", try passwordFile(auditPassword + "\n")], wrongEnvironment),
            (["--user", "audit", "--password-file", try passwordFile(auditPassword + "\r\n")], ["ETCDCTL_PASSWORD": "nottheone"]),
            (["--password-file", try passwordFile("pw")], ["ETCDCTL_USER": "root", "ETCDCTL_PASSWORD": "nottheone"]),
            ([], ["ETCDCTL_USER": "audit", "ETCDCTL_PASSWORD": auditPassword]),
            ([], ["ETCDCTL_USER": "root:pw"]),
            (["--user", "audit"], ["ETCDCTL_USER": "root:nottheone", "ETCDCTL_PASSWORD": auditPassword]),
            (["--user", "root:pw", "--quiet"], ["ETCDCTL_USER": "audit", "ETCDCTL_PASSWORD": "nottheone"]),
        ]
        for way in ways {
            let audit = try Self.audit(["--endpoint", url, "--page-size", "5"] + way.arguments, environment: way.environment)
            #expect(audit.code == 1, "\(way)")
            #expect(try Self.findings(audit.report) == Self.findings(live.report), "\(way)")
            #expect(audit.err == "", "\(way)")
        }

        let anonymous = try Self.audit(["--endpoint", url], environment: ["ETCDCTL_PASSWORD": "pw"])
        #expect(anonymous.code == 2)
        #expect(anonymous.err.contains(url) && anonymous.err.contains("--user NAME with --password-file FILE")
                && anonymous.err.contains("ETCDCTL_USER and ETCDCTL_PASSWORD"))

        // A wrong password is an input error (exit 2) that names the user and where the
        // password came from, never the password.
        let refusals: [(arguments: [String], environment: [String: String], from: String)] = [
            (["--user", "root:nottheone"], [:], "(from --user)"),
            (["--user", "audit", "--password-file", try passwordFile("nottheone\n")], ["ETCDCTL_PASSWORD": auditPassword],
             "(from --user and --password-file)"),
            ([], ["ETCDCTL_USER": "audit", "ETCDCTL_PASSWORD": "nottheone"], "(from ETCDCTL_USER and ETCDCTL_PASSWORD)"),
            ([], ["ETCDCTL_USER": "root:nottheone"], "(from ETCDCTL_USER)"),
        ]
        for refusal in refusals {
            let wrong = try Self.audit(["--endpoint", url, "--quiet"] + refusal.arguments, environment: refusal.environment)
            let user = refusal.arguments.contains("audit") || refusal.environment["ETCDCTL_USER"] == "audit" ? "audit" : "root"
            #expect(wrong.code == 2, "\(refusal)")
            #expect(wrong.err.contains("\(url): etcd refused user \(user) (") && wrong.err.contains(refusal.from), "\(refusal)")
            #expect(!wrong.err.contains("nottheone"), "\(refusal)")
            #expect((Self.input(wrong.report)["error"] as? String)?.contains("refused user \(user)") == true)
        }
    }

    @Test func theFirstMemberThatAnswersIsRead() throws {
        let server = try EtcdServer.start()
        defer { server.stop() }
        for seed in try Self.seeds() { try server.put(seed.key, seed.value) }
        // Port 9 (discard) on loopback: nothing listens there.
        let down = "http://127.0.0.1:9"
        let live = try Self.audit(["--endpoint", down, "--endpoint", server.clientURL])
        #expect(live.code == 1)
        #expect(Self.input(live.report)["path"] as? String == server.clientURL)
        let none = try Self.audit(["--endpoint", "\(down),http://127.0.0.1:7"])
        #expect(none.code == 2)
        #expect(none.err.contains("no member answered") && none.err.contains(down))
    }
}

/// Runs the writes a page hook makes (on the audit's thread) and keeps their error for
/// the test to check afterwards: a hook cannot throw.
final class WriteLog: @unchecked Sendable {  // written by the hook, read after the audit returns
    private var error: Error?
    private(set) var ran = false

    func record(_ writes: () throws -> Void) {
        ran = true
        do { try writes() } catch { self.error = error }
    }

    func check() throws {
        if let error { throw error }
        #expect(ran, "the page hook never ran: did the audit read only one page?")
    }
}
