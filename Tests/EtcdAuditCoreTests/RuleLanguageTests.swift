import EtcdAuditCore
import Foundation
import Testing

/// The rule language (the `declared` kind) on real records: paths, operators, conditions
/// and messages. Each test names what must fire, how often, where and with what words.
struct RuleLanguageTests {
    // MARK: paths

    @Test func goodPathsParseIntoTheirSteps() throws {
        let mac = try RulePath("config.body.mac_address")
        #expect(mac.recordKind == .config && mac.steps == [.member("body"), .member("mac_address")] && mac.fact == nil)
        let param = try RulePath("job[1].params[param=uuid].value")
        #expect(param.recordKind == .job && param.steps == [.index(1), .member("params"), .select(member: "param", value: "uuid"), .member("value")])
        let each = try RulePath("jobs[*].version")
        #expect(each.recordKind == .job && each.steps == [.member("version")], "jobs[*] is the job")
        let decoded = try RulePath("state.state.heat_outputs|json[output_key=id].output_value")
        #expect(decoded.steps == [.member("state"), .member("heat_outputs"), .decode, .select(member: "output_key", value: "id"),
                                  .member("output_value")])
        #expect(try RulePath("monitoring[*]").steps == [.each])
        #expect(try RulePath("job.$key.version").fact == .key("version"))
        #expect(try RulePath("state.$mod_revision").fact == .modRevision)
        #expect(try RulePath("config.$create_revision").fact == .createRevision)
        #expect(try RulePath("resource.in_flight").root == .resource("in_flight"))
        #expect(try RulePath("records[*]").root == .records)
        #expect(try RulePath("stack").steps == [] && (try RulePath("stack")).recordKind == .stack)
    }

    @Test func badPathsSayWhatIsWrong() {
        let cases: [(String, String)] = [
            ("", "must start with a record kind or resource"),
            ("confg.body.id", "confg is not a record kind the layouts declare (known: config, job, stack, job_state, state, monitoring, jobs[*], records[*], resource)"),
            ("jobs.version", "write jobs[*] (each job) or job"),
            ("resource.name", "resource has id, in_flight, plural, type"),
            ("config.$key", "$key needs a field of the key"),
            ("config.$etag", "$etag is not known"),
            ("state.$mod_revision.x", "nothing may follow $mod_revision"),
            ("config.body.fixed_ips[0", "\"[\" is never closed"),
            ("config.body.fixed_ips[-1]", "[-1] must be [*], [N] or [member=value]"),
            ("config.body.fixed_ips[=x]", "[=x] must be [*], [N] or [member=value]"),
            ("config.body..id", "a member name must follow \".\""),
            ("config|yaml", "unexpected text at \"|yaml\""),
            ("records.x", "write records[*] (each record, by its kind)"),
            ("records[*].body", "write records[*] (each record, by its kind)"),
        ]
        for (text, gist) in cases {
            do {
                let path = try RulePath(text)
                Issue.record("\(text) parsed as \(path.steps)")
            } catch {
                #expect(error.message.contains(gist), "\(text): \(error.message)")
            }
        }
    }

    // MARK: operators

    /// Every operator once failing and once holding, on the same healthy port: the table
    /// must cover `Operator.allCases`, so a new operator needs its cases here.
    static let operatorCases: [(op: String, fires: (path: String, operand: String), passes: (path: String, operand: String))] = [
        ("equals", ("config.body.tenant_id", "tenant-9"), ("config.body.tenant_id", "tenant-1")),
        ("not_equals", ("config.body.tenant_id", "tenant-1"), ("config.body.tenant_id", "tenant-9")),
        ("one_of", ("config.body.tenant_id", "[a, b]"), ("config.body.tenant_id", "[a, tenant-1]")),
        ("not_one_of", ("config.body.tenant_id", "[a, tenant-1]"), ("config.body.tenant_id", "[a, b]")),
        ("matches", ("config.body.tenant_id", "'^x'"), ("config.body.tenant_id", "'^tenant-[0-9]$'")),
        ("not_matches", ("config.body.tenant_id", "'^ten'"), ("config.body.tenant_id", "'^x'")),
        ("contains", ("config.body.name", "zzz"), ("config.body.name", "ample")),
        ("not_contains", ("config.body.name", "ample"), ("config.body.name", "zzz")),
        ("starts_with", ("config.body.name", "port"), ("config.body.name", "example")),
        ("ends_with", ("config.body.name", "example"), ("config.body.name", "-port")),
        ("includes", ("stack.output[output_key=mac_address].output_value", "'fa:16:3e:00:00:09'"),
         ("stack.output[output_key=mac_address].output_value", "'fa:16:3e:00:00:01'")),
        ("present", ("config.body.nothing", "true"), ("config.body.tenant_id", "true")),
        ("absent", ("config.body.tenant_id", "true"), ("config.body.nothing", "true")),
        ("blank", ("config.body.tenant_id", "true"), ("config.body.device_owner", "true")),
        ("not_blank", ("config.body.device_owner", "true"), ("config.body.tenant_id", "true")),
        ("less_than", ("config.version", "1"), ("config.version", "2")),
        ("at_most", ("config.version", "0"), ("config.version", "1")),
        ("greater_than", ("config.version", "1"), ("config.version", "0")),
        ("at_least", ("config.version", "2"), ("config.version", "1")),
        ("length_at_most", ("config.body.fixed_ips", "1"), ("config.body.fixed_ips", "2")),
        ("length_at_least", ("config.body.fixed_ips", "3"), ("config.body.fixed_ips", "2")),
        ("is", ("config.version", "string"), ("config.version", "number")),
        ("distinct", ("config.body.fixed_ips", "{by: [subnet_id]}"), ("config.body.fixed_ips", "{by: [subnet_id, ip_address]}")),
    ]

    @Test func everyOperatorFiresAndPasses() throws {
        #expect(Set(Self.operatorCases.map(\.op)) == Set(Operator.allCases.map(\.rawValue)), "an operator without cases")
        var rules: [(String, String)] = []
        for c in Self.operatorCases {
            rules.append(("op.\(c.op).fires", "check: {path: \"\(c.fires.path)\", \(c.op): \(c.fires.operand)}"))
            rules.append(("op.\(c.op).passes", "check: {path: \"\(c.passes.path)\", \(c.op): \(c.passes.operand)}"))
        }
        let catalog = try Lang.catalog(Lang.rules(rules))
        let found = try Lang.findings(catalog, Lang.records(), rule: "op.*")
        for c in Self.operatorCases {
            let fired = found.filter { $0.rule == "op.\(c.op).fires" }
            #expect(fired.count == 1, "\(c.op) should fire once: \(fired.map(\.message))")
            let kind = c.fires.path.hasPrefix("stack") ? "stack" : "config"
            #expect(fired.allSatisfy { $0.keys.first == Lang.key(kind) }, "\(c.op) points at \(fired.map(\.keys))")
            #expect(!found.contains { $0.rule == "op.\(c.op).passes" }, "\(c.op) should pass")
        }
        func message(_ op: String) -> String? { found.first { $0.rule == "op.\(op).fires" }?.message }
        #expect(message("equals") == "config.body.tenant_id is tenant-1, expected tenant-9")
        #expect(message("one_of") == "config.body.tenant_id is tenant-1, expected one of a, b")
        #expect(message("at_least") == "config.version is 1, expected >= 2")
        #expect(message("present") == "config.body.nothing is absent")
        #expect(message("distinct") == "config.body.fixed_ips is subnet-1, expected no repeats")
        // The member at fault: the second element repeats the first's subnet.
        #expect(found.first { $0.rule == "op.distinct.fires" }?.location.pointer == "/body/fixed_ips/1")
        #expect(found.first { $0.rule == "op.equals.fires" }?.location.pointer == "/body/tenant_id")
        // An absent value points where it belongs in its record.
        #expect(found.first { $0.rule == "op.present.fires" }?.location.pointer == "/body")
    }

    /// A comparison with nothing to compare passes: the path, or the operand's path, has
    /// no value.
    @Test func comparisonsPassWithoutValues() throws {
        let found = try Lang.run("""
            check:
              - {path: config.body.nothing, equals: x}
              - {path: config.body.tenant_id, equals: {path: stack.nothing}}
              - {path: config.body.tenant_id, equals: {path: stack.tenant_id}}
            """, on: Lang.records(change: ["stack": #"{"tenant_id": "tenant-9"}"#]))
        #expect(found.map(\.message) == ["config.body.tenant_id is tenant-1, expected tenant-9"])
        // The record compared with is related.
        #expect(found.first?.keys == [Lang.key("config"), Lang.key("stack")])
    }

    @Test func containsReadsStringsListsAndObjects() throws {
        let found = try Lang.run("""
            check:
              - {path: "stack.output[output_key=mac_address].output_value", contains: "fa:16:3e:00:00:01"}
              - {path: "stack.output[output_key=mac_address].output_value", contains: "fa:16:3e:00:00:09"}
              - {path: config.body, contains: mac_address}
              - {path: config.body, contains: mtu}
              - {path: config.body.name, contains: ample}
            """)
        #expect(found.map(\.message).sorted() == [
            "config.body is " + "{\"id\":\"\(Lang.port)\",\"name\":\"example-port\",\"tenant_id\":\"tenant-1\",\"network_id\":\"network-1\","
                + "\"mac_address\":\"fa:16:3e:00:00:01\",\"status\":\"ACTIVE\",\"device_owner\":\"\",\"fixed_ips\":[{\"subnet_id\":\"subnet-1\","
                + "\"ip_address\":\"10.0.0.1\"},{\"subnet_id\":\"subnet-1\",\"ip_address\":\"10.0.1.1\"}]}, expected containing mtu",
            "stack.output[output_key=mac_address].output_value is [\"fa:16:3e:00:00:01\"], expected containing fa:16:3e:00:00:09",
        ])
        #expect(found.compactMap(\.location.pointer).sorted() == ["/body", "/output/1/output_value"])
    }

    @Test func ignoreCaseIncludesAndEachRecord() throws {
        let found = try Lang.findings(try Lang.catalog(Lang.rules([
            ("lang.case", "check: {path: config.body.mac_address, equals: 'FA:16:3E:00:00:01', ignore_case: true}"),
            ("lang.case-matters", "check: {path: config.body.mac_address, equals: 'FA:16:3E:00:00:01'}"),
            // An output holding a number as text includes that number.
            ("lang.includes-json", "check: {path: \"stack.output[output_key=id].output_value\", includes: 42}"),
            ("lang.records", "check: {path: \"records[*]\", one_of: [config, job, stack, job_state, state]}"),
        ])), Lang.records(change: ["stack": #"{"output": [{"output_key": "id", "output_value": "42"}]}"#]), rule: "lang.*")
        #expect(found.map(\.rule).sorted() == ["lang.case-matters", "lang.records"])
        let records = found.first { $0.rule == "lang.records" }
        #expect(records?.keys.first == Lang.key("monitoring") && records?.location.pointer == "")
        #expect(records?.message == "records[*] is monitoring, expected one of config, job, stack, job_state, state")
        // ignore_case must be a boolean.
        let error = Lang.loadError(Lang.rules([("lang.bad", "check: {path: config.body.id, equals: x, ignore_case: yes please}")]))
        #expect(error?.contains("rule lang.bad: field check.ignore_case: must be true or false") == true, "\(error ?? "loaded")")
    }

    // MARK: when, all, any, not

    @Test func whenSaysWhetherTheRuleApplies() throws {
        let check = "check: {path: config.body.tenant_id, equals: tenant-9}"
        #expect(try Lang.run("when: {path: config.body.status, equals: ACTIVE}\n" + check).count == 1)
        #expect(try Lang.run("when: {path: config.body.status, equals: DOWN}\n" + check).isEmpty)
        // A test of a path without value is false as a condition, but absent.
        #expect(try Lang.run("when: {path: config.body.nothing, not_equals: x}\n" + check).isEmpty)
        #expect(try Lang.run("when: {path: config.body.nothing, absent: true}\n" + check).count == 1)
        #expect(try Lang.run("when: {not: {path: config.body.nothing, equals: x}}\n" + check).count == 1)
        // An operand without value makes the condition false too.
        #expect(try Lang.run("when: {path: config.body.status, not_equals: {path: stack.nothing}}\n" + check).isEmpty)
        // A test's own when.
        let found = try Lang.run("""
            check:
              - {path: config.body.tenant_id, equals: tenant-9, when: {path: config.version, equals: 2}}
              - {path: config.body.name, equals: other, when: {path: config.version, equals: 1}}
            """)
        #expect(found.map(\.message) == ["config.body.name is example-port, expected other"])
    }

    @Test func allAnyAndNot() throws {
        // A list is all: each failed test is a finding.
        let all = try Lang.run("check:\n  all: [{path: config.body.tenant_id, equals: x}, {path: config.body.name, equals: y}]")
        #expect(all.count == 2)
        #expect(try Lang.run("check: [{path: config.body.tenant_id, equals: x}, {path: config.body.name, equals: y}]").count == 2)
        // any: one finding when none holds, comparing what it read; none when one holds.
        let none = try Lang.run("check:\n  any: [{path: config.body.tenant_id, equals: x}, {path: stack.tenant_id, equals: y}]")
        #expect(none.map(\.message) == ["config.body.tenant_id is tenant-1, expected x"])
        #expect(none.first?.keys == [Lang.key("config"), Lang.key("stack")])
        #expect(try Lang.run("check:\n  any: [{path: config.body.tenant_id, equals: x}, {path: stack.tenant_id, equals: tenant-1}]").isEmpty)
        // not: fires when the inner condition holds.
        let not = try Lang.run("check:\n  not: {path: config.body.status, one_of: [ACTIVE, DOWN]}")
        #expect(not.map(\.message) == ["config.body.status is ACTIVE, expected not (config.body.status one_of [ACTIVE, DOWN])"])
        #expect(not.first?.location.pointer == "/body/status")
        #expect(try Lang.run("check:\n  not: {path: config.body.status, equals: DOWN}").isEmpty)
    }

    // MARK: messages

    @Test func templatesFillTheirPlaceholders() throws {
        let found = try Lang.run("""
            check:
              path: monitoring[*]
              not_equals: FAIL
              message: "{path}|{expected}|{actual}|{value}|{json}|{member}|{config.body.name}|{resource.type}:{resource.id}"
            """, on: Lang.records(change: ["monitoring": #"{"version": 1, "vmi": "FAIL", "link": "OK"}"#]))
        #expect(found.map(\.message) == ["monitoring[*]|not FAIL|FAIL|FAIL|\"FAIL\"|vmi|example-port|port:\(Lang.port)"])
        #expect(found.first?.expected == "not FAIL" && found.first?.actual == "FAIL")
        #expect(found.first?.location.pointer == "/vmi")
        // expected/actual templates replace the finding's texts; null leaves one out.
        let texts = try Lang.run("""
            check: {path: "monitoring[*]", not_equals: FAIL}
            expected: null
            actual: "{member} on {resource.id}"
            message: "{actual} fails"
            """, on: Lang.records(change: ["monitoring": #"{"version": 1, "vmi": "FAIL", "link": "OK"}"#]))
        #expect(texts.map(\.message) == ["vmi on \(Lang.port) fails"])
        #expect(texts.first?.expected == nil && texts.first?.actual == "vmi on \(Lang.port)")
        // A template naming a path without value cannot be said: the default message is.
        let fallback = try Lang.run("check: {path: config.body.tenant_id, equals: x, message: \"{stack.nothing} differs\"}")
        #expect(fallback.map(\.message) == ["config.body.tenant_id is tenant-1, expected x"])
        // A template operand builds the expected text from paths.
        let operand = try Lang.run("check: {path: stack.stack_id, equals: {template: \"{resource.type}-{resource.id}\"}}")
        #expect(operand.map(\.message) == ["stack.stack_id is port_\(Lang.port), expected port-\(Lang.port)"])
    }

    @Test func distinctNamesWhatRepeatsInEachList() throws {
        let output = #"[{"output_key": "id", "output_value": "vmi-1"}, {"output_key": "id", "output_value": "vmi-2"}, {"output_key": "mac_address", "output_value": ["fa"]}]"#
        let store = Lang.records(change: ["stack": #"{"output": \#(output)}"#, "job_state": #"{"heat_outputs": \#(output)}"#])
        let found = try Lang.findings(try Lang.catalog(Lang.rules([
            ("lang.list", "check: {path: stack.output, distinct: {by: [output_key]}, message: \"{repeated} / {repeats}\"}"),
            ("lang.in", "check: {path: config.body, distinct: {by: [subnet_id], in: fixed_ips}}"),
            ("lang.through", "check: {path: \"job_state.heat_outputs[*].output_key\", distinct: true}"),
            ("lang.member", "check: {path: \"stack.output[output_key=mac_address]\", equals: 1, message: \"{value.output_key} holds {value.output_value}\"}"),
        ])), store, rule: "lang.*")
        func mine(_ rule: String) -> [Finding] { found.filter { $0.rule == rule } }
        #expect(mine("lang.list").map(\.message) == ["id / id (2 times)"])
        #expect(mine("lang.list").map(\.location.pointer) == ["/output/1"])
        #expect(mine("lang.in").map(\.location.pointer) == ["/body/fixed_ips/1"])
        // The repeat's element, in its list.
        #expect(mine("lang.through").map(\.location.pointer) == ["/heat_outputs/1"])
        #expect(mine("lang.through").first?.keys.first == Lang.key("job_state"))
        #expect(mine("lang.member").map(\.message) == ["mac_address holds [\"fa\"]"])
    }

    // MARK: params

    static let paramRule = Lang.rules([("lang.tenant", """
        params: {tenant: tenant-9}
        check: {path: config.body.tenant_id, equals: {param: tenant}}
        """)])

    @Test func paramsAreSubstitutedAndAnOperatorMayChangeThem() throws {
        let declared = try Lang.catalog(Self.paramRule)
        #expect(try Lang.findings(declared, Lang.records(), rule: "lang.tenant").map(\.message)
                == ["config.body.tenant_id is tenant-1, expected tenant-9"])
        // A second file changes the param, as an operator's --rules does.
        let changed = try Lang.catalog(Self.paramRule, "rules:\n  - id: lang.tenant\n    params: {tenant: tenant-1}\n")
        #expect(try Lang.findings(changed, Lang.records(), rule: "lang.tenant").isEmpty)
        #expect(changed.rules.first { $0.id == "lang.tenant" }?.source.hasSuffix("rules1.yaml") == true)
        // Every param must be used, and an operator may change only the params the rule has.
        let unused = Lang.loadError(Self.paramRule + "  - id: lang.tenant2\n    severity: info\n    summary: s\n    params: {x: 1}\n"
                                    + "    check: {path: config.version, equals: 1}\n")
        #expect(unused?.contains("rule lang.tenant2: field params.x: is not used by the declaration (name it as {param: x})") == true,
                "\(unused ?? "loaded")")
        let notAParam = Lang.loadError(Self.paramRule, "rules:\n  - id: lang.tenant\n    params: {tenants: [a]}\n")
        #expect(notAParam?.contains("rules1.yaml: rule lang.tenant: field params.tenants: is not a param of this rule (it has: tenant)") == true,
                "\(notAParam ?? "loaded")")
    }

    // MARK: lookup

    @Test func lookupTakesTheEntryOfTheFirstKeyWithAValue() throws {
        let rule = """
            params: {status_for: {create: PENDING_CREATE, modify: PENDING_UPDATE}}
            check: {path: config.body.status, equals: {lookup: {param: status_for}, key: ["job[1].nothing", "job[1].action"]}}
            """
        let found = try Lang.run(rule)
        #expect(found.map(\.message) == ["config.body.status is ACTIVE, expected PENDING_CREATE"])
        #expect(found.first?.keys == [Lang.key("config"), Lang.key("job")])
        let pending = Lang.records(change: ["config": #"{"body": {"status": "PENDING_CREATE"}, "version": 1}"#])
        #expect(try Lang.run(rule, on: pending).isEmpty)
        // A key the map lacks: nothing to compare with.
        #expect(try Lang.run(rule, on: Lang.records(change: ["job": Lang.job(action: "delete")])).isEmpty)
    }
}
