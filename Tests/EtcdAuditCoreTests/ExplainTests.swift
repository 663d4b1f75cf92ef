@testable import EtcdAuditCore
import Foundation
import Testing

/// `explain`: resources named every way, several at once, verdicts (fired, passed, could not
/// run), the write order, and the command line's exit statuses.
struct ExplainTests {
    static let update = "Samples/seeds/003_316c7d162925404b.txt"
    static let create = "Samples/seeds/000_1cd8ab2a63ae2a87.txt"
    static let updatePort = "23464cbc-d910-430a-93f7-3776ea07f992"
    static let createPort = "ddc14be4-3480-4e97-a978-817b18f9904c"

    /// `explain` on files given relative to the package root (or absolute).
    static func explain(_ names: [String], _ paths: [String], type: String? = nil, findingsOnly: Bool = false,
                        catalog: Catalog = TestSupport.catalog) throws -> Explanation {
        let queries = try names.map { try ResourceQuery($0, type: type, layouts: catalog.layouts) }
        let capture = ResourceCapture(ids: Set(queries.map(\.id)), layouts: catalog.layouts)
        let result = TestSupport.relativize(Auditor(catalog: catalog).audit(
            paths.map { AuditInput.file($0.hasPrefix("/") ? $0 : TestSupport.path($0)) }, capture: capture))
        var explanation = try Explanation(result: result, capture: capture, queries: queries, findingsOnly: findingsOnly)
        // Records are placed by the capture, not the result: their paths too, relative.
        let prefix = TestSupport.root.path + "/"
        for r in explanation.resources.indices {
            for i in explanation.resources[r].records.indices {
                var record = explanation.resources[r].records[i]
                if record.location.path.hasPrefix(prefix) { record.location.path.removeFirst(prefix.count) }
                record.problems = record.problems.map { $0.replacingOccurrences(of: prefix, with: "") }
                explanation.resources[r].records[i] = record
            }
        }
        return explanation
    }

    /// A markdown document of `records` (key, JSON value text), as the seeds are written.
    static func markdown(_ records: [(String, String)]) throws -> String {
        try TestSupport.temporaryFile(records.map { "```\n\($0.0)\n\($0.1)\n```\n" }.joined(separator: "\n"), name: "store.md")
    }

    @Test("every spelling names the same port",
          arguments: ["port:\(updatePort)", "ports/\(updatePort)", "port/\(updatePort)", "ports:\(updatePort)", updatePort,
                      "/state/v2.0/ports/\(updatePort)", "/jobs/all/modify:heat_worker:port:\(updatePort):3:qfz6n"])
    func spellings(name: String) throws {
        let explanation = try Self.explain([name], [Self.update])
        #expect(explanation.resources.map(\.id) == [Self.updatePort])
        #expect(explanation.resources.first?.type.singular == "port")
        #expect(explanation.resources.first?.records.count == 6)
    }

    @Test func theUpdateSeedsPortHasItsSixRecordsAndFourFindings() throws {
        let port = try #require(try Self.explain([Self.updatePort], [Self.update]).resources.first)
        #expect(port.records.map(\.kind) == [.config, .job, .stack, .jobState, .state, .monitoring])
        let fired = port.verdicts.filter { $0.outcome == .fired }
        #expect(fired.map(\.rule) == ["heat-outputs.mac-mismatch", "monitoring.failed", "refs.duplicate"])
        #expect(fired.flatMap(\.findings).count == 4)
        // A markdown document has no revisions: the write-order rule has nothing to compare;
        // the store holds no networks or subnets for the rules about references.
        let notRun = port.verdicts.filter { $0.outcome == .notRun }
        #expect(notRun.map(\.rule) == ["order.out-of-sequence", "refs.network-exists", "refs.subnet-exists"])
        #expect(notRun.first?.reason?.contains("no mod_revision") == true)
        #expect(notRun.last?.reason == "the store holds no subnet")
        #expect(port.verdicts.count == TestSupport.catalog.rules.filter { $0.applies(to: port.type) }.count)
        #expect(port.writeOrder.isEmpty)
        // The state's heat outputs, decoded from their string, are the stack's.
        let state = try #require(port.records.first { $0.kind == .state })
        #expect(state.heatOutputs?.encoded == true)
        #expect(state.heatOutputs?.outputs.map(\.key) == port.records.first { $0.kind == .stack }?.heatOutputs?.outputs.map(\.key))
        #expect(state.heatOutputs?.outputs.first { $0.key == "mac_address" }?.value == .array([.string("fa:16:3e:f7:60:7f")]))
        #expect(state.members.contains { $0.path.description == "/state/worker_state" && $0.value == .string("MODIFY_COMPLETED") })
        let config = try #require(port.records.first)
        #expect(config.members.contains { $0.pointer == "/body/mac_address" && $0.value == .string("fa:16:3e:84:84:13") })
        let job = try #require(port.records.first { $0.kind == .job })
        #expect(job.members.contains { $0.path.description == "/1/params[param=version]/value" && $0.pointer == "/1/params/10/value" })
        #expect(port.records.allSatisfy { $0.problems.isEmpty && $0.value != nil })
    }

    @Test func theTextShowsEachRecordsWholeValueFoldedToFit() throws {
        let port = try #require(try Self.explain([Self.updatePort], [Self.update]).resources.first)
        let text = ExplainTextReport.resource(port)
        // Members no rule reads are there too, in the record's own order.
        #expect(text.contains("\n          \"name\": \"load_balancer-user-port\",\n"))
        // A param that fits stays on its line; the state's string is shown decoded below it.
        #expect(text.contains("\n            {\"resources\": [], \"type\": \"value\", \"value\": 3, \"param\": \"version\"},\n"))
        #expect(text.contains("/state/heat_outputs, decoded from its string: 7 outputs"))
        // A stack's own list is in its value, not listed twice.
        #expect(!text.contains("/output: 7 outputs"))
        #expect(!text.contains("/1/params[param=version]/value = 3"))
    }

    /// A value of thousands of characters: no line of the text quotes it whole (values are
    /// cut, a message loses its middle); the JSON report keeps it.
    @Test func aHugeValueMakesNoHugeLine() throws {
        let huge = String(repeating: "f", count: 5000)
        let text = try String(contentsOfFile: TestSupport.path(Self.update), encoding: .utf8)
            .replacingOccurrences(of: "fa:16:3e:84:84:13", with: huge)
        let store = try TestSupport.temporaryFile(text, name: "huge.md")
        let port = try #require(try Self.explain([Self.updatePort], [store]).resources.first)
        #expect(port.verdicts.contains { $0.outcome == .fired && $0.findings.contains { $0.message.contains(huge) } })
        #expect(ExplainTextReport.resource(port).split(separator: "\n").allSatisfy { $0.count < 1200 })
    }

    @Test func fittedJSONKeepsWhatFitsOnALineAndCutsLongStrings() {
        let value = JSONValue.object([
            JSONMember("short", .array([.integer(1), .integer(2)])),
            JSONMember("long", .array([.string(String(repeating: "a", count: 15)), .string(String(repeating: "b", count: 15))])),
            JSONMember("blob", .string(String(repeating: "x", count: 50))),
            JSONMember("empty", .object([])),
        ])
        #expect(FittedJSON.lines(value, width: 40, stringWidth: 20) == [
            "{",
            "  \"short\": [1, 2],",
            "  \"long\": [",
            "    \"aaaaaaaaaaaaaaa\",",
            "    \"bbbbbbbbbbbbbbb\"",
            "  ],",
            "  \"blob\": \"xxxxxxxxxxxxxxxxxxxx\"… (50 characters),",
            "  \"empty\": {}",
            "}",
        ])
        #expect(FittedJSON.lines(.array([.null, .bool(true)])) == ["[null, true]"])
    }

    @Test func severalResourcesInTheOrderGiven() throws {
        let both = [Self.create, Self.update]
        let explanation = try Self.explain([Self.updatePort, "ports/\(Self.createPort)", Self.updatePort], both)
        #expect(explanation.resources.map(\.id) == [Self.updatePort, Self.createPort])
        // Audited together, the two share a VMI: each one's verdict says so.
        for resource in explanation.resources {
            #expect(resource.verdicts.first { $0.rule == "unique.vmi" }?.outcome == .fired)
        }
        #expect(try Self.explain([Self.updatePort], [Self.update]).resources[0].verdicts
            .first { $0.rule == "unique.vmi" }?.outcome == .passed)
    }

    @Test func findingsOnlyKeepsTheFiredRulesAndTheCounts() throws {
        let all = try Self.explain([Self.updatePort], [Self.update]).resources[0]
        let fired = try Self.explain([Self.updatePort], [Self.update], findingsOnly: true).resources[0]
        #expect(fired.verdicts.map(\.rule) == all.verdicts.filter { $0.outcome == .fired }.map(\.rule))
        #expect(fired.verdicts.count == 3)
        #expect(fired.counts.passed == all.counts.passed && fired.counts.notRun == 3 && fired.counts.findings == 4)
        #expect(fired.records.count == 6)
    }

    @Test func aBareIdHeldBySeveralTypesNeedsTheType() throws {
        let file = try Self.markdown([
            ("/config/v2.0/ports/shared-1", #"{"body": {"id": "shared-1"}, "version": 1}"#),
            ("/config/v2.0/networks/shared-1", #"{"body": {"id": "shared-1"}, "version": 2}"#),
        ])
        #expect {
            try Self.explain(["shared-1"], [file])
        } throws: { error in
            "\(error)".contains("several types (networks, ports)") && "\(error)".contains("--type")
        }
        let network = try Self.explain(["shared-1"], [file], type: "networks").resources
        #expect(network.map(\.type.singular) == ["network"])
        #expect(network.first?.records.first?.members.first { $0.pointer == "/version" }?.value == .integer(2))
        #expect(try Self.explain(["shared-1"], [file], type: "port").resources.map(\.type.singular) == ["port"])
        #expect(try Self.explain(["network:shared-1"], [file]).resources.map(\.type.singular) == ["network"])
        #expect(throws: ExplainError.self) { try Self.explain(["ports/shared-1"], [file], type: "network") }
        #expect(throws: ExplainError.self) { try Self.explain(["shared-1"], [file], type: "widgets") }
    }

    @Test func anUnknownIdSaysSoAndSuggestsCloseOnes() throws {
        #expect {
            try Self.explain(["23464cbc"], [Self.update])
        } throws: { error in
            "\(error)" == "no resource 23464cbc in the store; did you mean port:\(Self.updatePort)?"
        }
        // One character off, and a port asked for as a network.
        let typo = "23464cbc-d910-430a-93f7-3776ea07f993"
        #expect { try Self.explain([typo], [Self.update]) } throws: { "\($0)".contains("did you mean port:\(Self.updatePort)") }
        #expect {
            try Self.explain(["networks/\(Self.updatePort)"], [Self.update])
        } throws: { "\($0)".hasPrefix("no network \(Self.updatePort)") && "\($0)".contains("port:\(Self.updatePort)") }
        #expect { try Self.explain(["nothing-like-it"], [Self.update]) } throws: { "\($0)" == "no resource nothing-like-it in the store" }
        #expect(throws: ExplainError.self) { try Self.explain(["widgets/x"], [Self.update]) }
        #expect(throws: ExplainError.self) { try Self.explain(["/registry/pods/x"], [Self.update]) }
    }

    @Test func aSnapshotShowsTheWritesInRevisionOrder() throws {
        let port = try Self.explain([Self.updatePort], ["Samples/fixtures/seeds.snapshot.db"]).resources[0]
        #expect(port.writeOrder.map(\.modRevision) == [7, 8, 9, 10, 11, 12])
        #expect(port.writeOrder.map(\.kind) == [.config, .job, .stack, .jobState, .state, .monitoring])
        #expect(port.writeOrder.allSatisfy { $0.after.isEmpty })
        #expect(port.records.map(\.modRevision) == [7, 8, 9, 10, 11, 12])
        // With revisions, the write-order rule runs (and passes: the state came last).
        #expect(port.verdicts.first { $0.rule == "order.out-of-sequence" }?.outcome == .passed)
        #expect(port.records.first { $0.kind == .state }?.location.display == "Samples/fixtures/seeds.snapshot.db@16432")
    }

    @Test func aWriteOutOfPipelineOrderIsMarked() throws {
        let port = TestSupport.catalog.layouts.types[0]
        #expect(port.plural == "ports")
        let lines = [
            #"{"key": "/config/v2.0/ports/p1", "value": {"body": {"id": "p1"}, "version": 2}, "mod_revision": 5}"#,
            #"{"key": "/state/v2.0/ports/p1", "value": {"state": {}, "version": 2}, "mod_revision": 3}"#,
            #"{"key": "/monitoring/v2.0/ports/p1", "value": {"version": 2}, "mod_revision": 4}"#,
        ]
        let file = try TestSupport.temporaryFile(lines.joined(separator: "\n") + "\n", name: "p1.jsonl")
        let resource = try Self.explain(["ports/p1"], [file]).resources[0]
        #expect(resource.writeOrder.map(\.kind) == [.state, .monitoring, .config])
        #expect(resource.writeOrder.last?.after == [.state, .monitoring])
        #expect(resource.verdicts.first { $0.rule == "order.out-of-sequence" }?.outcome == .fired)
        let text = ExplainTextReport.render(try Self.explain(["ports/p1"], [file]))
        #expect(text.contains("5  config      /config/v2.0/ports/p1  (after state, monitoring)"))
    }

    @Test func aMissingRecordIsWhyARuleCouldNotRun() throws {
        let seed = try String(contentsOfFile: TestSupport.path(Self.update), encoding: .utf8)
        // The update seed without its stack record.
        let start = try #require(seed.range(of: "```\n/esi-worker/heat_stacks"))
        let end = try #require(seed.range(of: "```\n", range: seed.index(after: start.upperBound)..<seed.endIndex))
        let file = try TestSupport.temporaryFile(String(seed[..<start.lowerBound] + seed[end.upperBound...]), name: "no-stack.md")
        let port = try Self.explain([Self.updatePort], [file]).resources[0]
        #expect(port.records.count == 5)
        let verdicts = Dictionary(uniqueKeysWithValues: port.verdicts.map { ($0.rule, $0) })
        for rule in ["tenant.mismatch", "heat-outputs.mac-mismatch", "unique.vmi"] {
            #expect(verdicts[rule]?.outcome == .notRun, "\(rule)")
            #expect(verdicts[rule]?.reason == "no stack record", "\(rule)")
        }
        #expect(verdicts["record.missing"]?.outcome == .fired)  // MODIFY_COMPLETED without a stack
        #expect(verdicts["status.mismatch"]?.outcome == .passed)  // job_state and state still agree
        // An unreadable record is not there for the rules that read it.
        let broken = seed.replacingOccurrences(of: "\"vmi\": \"FAIL\"", with: "\"vmi\": FAIL")
        let brokenFile = try TestSupport.temporaryFile(broken, name: "bad-monitoring.md")
        let bad = try Self.explain([Self.updatePort], [brokenFile]).resources[0]
        #expect(bad.verdicts.first { $0.rule == "monitoring.failed" }?.reason == "the monitoring record is not valid JSON")
        let monitoring = try #require(bad.records.last)
        #expect(monitoring.value == nil && monitoring.valueText?.contains("FAIL") == true)
        #expect(monitoring.problems.first?.hasPrefix("value is not valid JSON") == true)
    }

    /// The declared needs must be true of every resource a rule fires on: a rule whose
    /// needs were unmet would be told "could not run" where it fired.
    @Test("needs hold wherever the rule fires", arguments: TestSupport.catalog.rules.map(\.id))
    func needsHoldWhereTheRuleFires(rule id: String) throws {
        let catalog = TestSupport.catalog
        let rule = try #require(catalog.rules.first { $0.id == id })
        let runner = ExampleRunner(catalog: catalog)
        var fired = 0
        for example in rule.examples.fires {
            let records = try runner.records(for: example)
            let capture = ResourceCapture(ids: Set(records.compactMap { catalog.layouts.match($0.key)?.id }),
                                          layouts: catalog.layouts)
            let result = Auditor(catalog: catalog).audit(records: records, capture: capture)
            for finding in result.findings where finding.rule == id {
                let resource = try #require(capture.resources.first { $0.ref == ResourceRef(type: finding.resourceType, id: finding.resourceID) })
                #expect(RecordNeed.firstMissing(rule.check.needs, in: resource) == nil, "\(example.name)")
                fired += 1
            }
        }
        #expect(fired > 0)
    }

    // The command line.

    func run(_ arguments: [String], stdin: String? = nil) throws -> (code: Int32, out: String, err: String) {
        try TestSupport.run(CommandLineTests.binary, ["explain"] + arguments, stdin: stdin.map { Data($0.utf8) })
    }

    @Test func aSnapshotExplainedAtAnEarlierRevision() throws {
        let snapshot = "Samples/fixtures/seeds.snapshot.db"
        // Revision 9: the config, job and stack were written, not yet the job state, state, monitoring.
        let then = try run(["ports/\(Self.updatePort)", snapshot, "--revision", "9", "--report", "json"])
        #expect(then.code == 0)
        let document = try JSONSerialization.jsonObject(with: Data(then.out.utf8)) as! [String: Any]
        let resource = (document["resources"] as! [[String: Any]])[0]
        #expect((resource["records"] as! [Any]).count == 3)
        let outside = try run(["ports/\(Self.updatePort)", snapshot, "--revision", "99"])
        #expect(outside.code == 2 && outside.err.contains("newer than the store"))
    }

    @Test func theCommandLineShowsAResourceAndExitsZeroWithFindings() throws {
        let shown = try run(["ports/\(Self.updatePort)", Self.update])
        #expect(shown.code == 0)
        #expect(shown.out.hasPrefix("port \(Self.updatePort)\n  6 records; "))
        #expect(shown.out.contains("  fired          refs.duplicate (warning, 2 findings)\n"))
        // Standard input is read once: the records are taken as they go by.
        let seed = try String(contentsOfFile: TestSupport.path(Self.update), encoding: .utf8)
        let piped = try run([Self.updatePort, "-", "--findings-only"], stdin: seed)
        #expect(piped.code == 0)
        #expect(piped.out.contains("read at -:367 (no revisions)"))
        #expect(!piped.out.contains("passed  "))
        #expect(piped.out.contains("/state/heat_outputs, decoded from its string: 7 outputs"))
    }

    @Test func theCommandLineTakesSeveralIdsAndWritesJSON() throws {
        let dir = try TestSupport.temporaryDirectory()
        let path = dir.appendingPathComponent("explain.json").path
        let result = try run(["--id", Self.createPort, "--id", "port:\(Self.updatePort)", "Samples/seeds", "--report", "json",
                              "--output", path])
        #expect(result.code == 0 && result.out.isEmpty)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(report["schema_version"] as? Int == 1)
        let resources = try #require(report["resources"] as? [[String: Any]])
        #expect(resources.compactMap { $0["id"] as? String } == [Self.createPort, Self.updatePort])
        let rules = try #require(resources.last?["rules"] as? [[String: Any]])
        #expect(rules.filter { $0["verdict"] as? String == "fired" }.compactMap { $0["rule"] as? String }
                == ["heat-outputs.mac-mismatch", "monitoring.failed", "refs.duplicate", "unique.vmi"])
    }

    @Test func theCommandLineRefusesWhatItCannotShow() throws {
        let unknown = try run(["nope", Self.update])
        #expect(unknown.code == 2 && unknown.out.isEmpty)
        #expect(unknown.err.contains("no resource nope in the store"))
        let swapped = try run([Self.update, Self.updatePort])
        #expect(swapped.code == 2)
        #expect(swapped.err.contains("is a file, not a resource: the resource comes first"))
        #expect(try run(["ports/\(Self.updatePort)"]).code == 2)  // no input
        #expect(try run([Self.updatePort, Self.update, "--report", "sarif"]).code == 2)
        // An input that cannot be read to its end: what was read is shown, and the status is 2.
        let cut = try String(contentsOfFile: TestSupport.path("Samples/fixtures/seeds.etcdctl.json"), encoding: .utf8)
        let file = try TestSupport.temporaryFile(String(cut.prefix(cut.count * 3 / 4)), name: "cut.json")
        let partial = try run([Self.createPort, file])
        #expect(partial.code == 2)
        #expect(partial.out.contains("input error"))
    }

    @Test func theConfigurationsRulesAndWaiversApply() throws {
        let config = try TestSupport.temporaryFile("""
            skip: [refs.duplicate]
            waivers:
              - {rule: monitoring.failed, resource: "ports/\(Self.updatePort)", reason: the vmi probe is being replaced}
            """, name: ".etcd-audit.yaml")
        let shown = try run([Self.updatePort, Self.update, "--config", config, "--findings-only"])
        #expect(shown.code == 0)
        #expect(shown.out.contains("waived: the vmi probe is being replaced"))
        #expect(!shown.out.contains("refs.duplicate"))
        #expect(shown.out.contains("29 rules apply: 2 fired (2 findings)"))
    }
}
