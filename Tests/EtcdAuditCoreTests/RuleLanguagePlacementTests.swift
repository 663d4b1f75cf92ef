import EtcdAuditCore
import Foundation
import Testing

/// The rule language: where findings point (`at:`, selections, decoded strings), rules
/// bound to the job, and the declarations across resources (`unique:`, `refers_to:`).
struct RuleLanguagePlacementTests {
    // MARK: at

    @Test func atPointsTheFindingElsewhere() throws {
        let found = try Lang.run("""
            check: {path: stack.tenant_id, equals: {path: config.body.tenant_id}}
            at: config.body.tenant_id
            """, on: Lang.records(change: ["stack": #"{"tenant_id": "tenant-9"}"#]))
        #expect(found.count == 1)
        #expect(found.first?.keys == [Lang.key("config"), Lang.key("stack")], "at's record first, then the value tested")
        #expect(found.first?.location.pointer == "/body/tenant_id")
        #expect(found.first?.related.first?.location.pointer == "/tenant_id")
        // A test's own at wins; with no value there, the member where it belongs.
        let own = try Lang.run("""
            check: {path: stack.tenant_id, equals: tenant-1, at: config.body.owner}
            at: config.body.tenant_id
            """, on: Lang.records(change: ["stack": #"{"tenant_id": "tenant-9"}"#]))
        #expect(own.first?.location.pointer == "/body")
        #expect(own.first?.keys.first == Lang.key("config"))
        // present: the absent value's finding goes where at says.
        let missing = try Lang.run("check: {path: job_state, present: true}\nat: state.state.worker_state",
                                   on: Lang.records(change: ["job_state": nil]))
        #expect(missing.map(\.message) == ["job_state is absent"])
        #expect(missing.first?.keys.first == Lang.key("state") && missing.first?.location.pointer == "/state/worker_state")
    }

    // MARK: selections, [*], |json

    @Test func selectionsEachAndDecodePointAtTheMember() throws {
        let store = Lang.records(change: [
            "config": #"{"body": {"fixed_ips": [{"subnet_id": "subnet-1"}, {"subnet_id": "subnet-x"}], "status": "ACTIVE"}, "version": 1}"#,
            "state": #"{"state": {"heat_outputs": "[{\"output_key\": \"mac_address\", \"output_value\": 1}, {\"output_key\": \"id\", \"output_value\": \"vmi-9\"}]"}, "version": 1}"#,
        ])
        let found = try Lang.findings(try Lang.catalog(Lang.rules([
            ("lang.each", "check: {path: \"config.body.fixed_ips[*].subnet_id\", starts_with: subnet-1}"),
            ("lang.select", "check: {path: \"stack.output[output_key=mac_address].output_value\", length_at_least: 2}"),
            ("lang.decode", "check: {path: \"state.state.heat_outputs|json[output_key=id].output_value\", equals: {path: \"stack.output[output_key=id].output_value\"}}"),
            ("lang.object", "check: {path: \"monitoring[*]\", one_of: [OK, 1]}"),
        ])), store, rule: "lang.*")
        func one(_ rule: String) -> Finding? {
            let mine = found.filter { $0.rule == rule }
            #expect(mine.count == 1, "\(rule): \(mine.map(\.message))")
            return mine.first
        }
        #expect(one("lang.each")?.location.pointer == "/body/fixed_ips/1/subnet_id")
        #expect(one("lang.each")?.message == "config.body.fixed_ips[*].subnet_id is subnet-x, expected starting with subnet-1")
        #expect(one("lang.select")?.location.pointer == "/output/1/output_value")
        let decode = one("lang.decode")
        #expect(decode?.message == "state.state.heat_outputs|json[output_key=id].output_value is vmi-9, expected vmi-a")
        #expect(decode?.keys == [Lang.key("state"), Lang.key("stack")])
        #expect(decode?.location.pointer?.hasPrefix("/state/heat_outputs") == true, "\(decode?.location.pointer ?? "none")")
        // The object's members: version (1) and vmi, link (OK) all pass.
        #expect(found.filter { $0.rule == "lang.object" }.isEmpty)
        let object = try Lang.run("check: {path: \"monitoring[*]\", equals: OK}")
        #expect(object.map(\.location.pointer) == ["/version"])
    }

    // MARK: the job

    static let twoJobs = Lang.records() + [(Lang.key("job", version: 2, action: "modify"), Lang.job(version: 2, action: "modify"))]

    @Test func aRuleNamingTheJobIsCheckedPerJob() throws {
        let ahead = try Lang.run("""
            check: {path: job.$key.version, at_most: {path: config.version}, at: "job[1].version"}
            """, on: Self.twoJobs)
        #expect(ahead.map(\.message) == ["job.$key.version is 2, expected <= 1"])
        #expect(ahead.first?.keys.first == Lang.key("job", version: 2, action: "modify"))
        #expect(ahead.first?.location.pointer == "/1/version")
        // jobs[*] is the same as job.
        #expect(try Lang.run("check: {path: \"jobs[*][1].version\", at_most: {path: config.version}}", on: Self.twoJobs).count == 1)
        // A test that does not name the job is checked once, the others once per job.
        let mixed = try Lang.run("""
            check:
              - {path: config.body.tenant_id, equals: x}
              - {path: "job[1].action", equals: create}
            """, on: Self.twoJobs)
        #expect(mixed.map(\.message).sorted() == ["config.body.tenant_id is tenant-1, expected x", "job[1].action is modify, expected create"])
        // No job: nothing to check for the job's tests.
        #expect(try Lang.run("check: {path: \"job[1].action\", equals: x}", on: Lang.records(change: ["job": nil])).isEmpty)
        // A when that names the job binds the whole rule to each job.
        let when = try Lang.run("""
            when: {path: "job[1].action", equals: modify}
            check: [{path: config.body.tenant_id, equals: x}]
            """, on: Self.twoJobs)
        #expect(when.count == 1)
    }

    // MARK: unique

    static func twoPorts(macB: String, ipB: String = "10.0.0.2") -> [(String, String)] {
        Lang.records() + Lang.records(Lang.portB, mac: macB, ip: ipB)
    }

    @Test func uniqueComparesAcrossResources() throws {
        let catalog = try Lang.catalog(Lang.rules([
            ("lang.mac", "unique: {path: config.body.mac_address, ignore_case: true, name: body.mac_address}"),
            ("lang.mac-exact", "unique: config.body.mac_address"),
            ("lang.ip", "unique: {path: \"config.body.fixed_ips[*]\", by: [subnet_id, ip_address]}"),
            ("lang.ip-only", "unique: {path: \"config.body.fixed_ips[*]\", by: [ip_address]}"),
        ]))
        let upper = try Lang.findings(catalog, Self.twoPorts(macB: "FA:16:3E:00:00:01"), rule: "lang.*")
        #expect(upper.filter { $0.rule == "lang.mac" }.map(\.resourceID).sorted() == [Lang.port, Lang.portB])
        #expect(upper.filter { $0.rule == "lang.mac" }.allSatisfy { $0.keys.first == Lang.key("config", $0.resourceID) })
        #expect(!upper.contains { $0.rule == "lang.mac-exact" }, "case matters without ignore_case")
        #expect(!upper.contains { $0.rule.hasPrefix("lang.ip") })
        let same = try Lang.findings(catalog, Self.twoPorts(macB: "fa:16:3e:00:00:01", ipB: "10.0.0.1"), rule: "lang.*")
        #expect(same.filter { $0.rule == "lang.mac-exact" }.count == 2)
        let ip = same.filter { $0.rule == "lang.ip" }
        #expect(ip.count == 2 && ip.allSatisfy { $0.location.pointer == "/body/fixed_ips/0" }, "\(ip.map(\.location))")
        #expect(ip.first?.message.contains("subnet-1 10.0.0.1") == true, "\(ip.first?.message ?? "")")
        // by [ip_address] alone: 10.0.0.1 is shared, but each port's 10.0.1.x is its own.
        #expect(same.filter { $0.rule == "lang.ip-only" }.count == 2)
        // Two different values: nothing.
        #expect(try Lang.findings(catalog, Self.twoPorts(macB: "fa:16:3e:00:00:02"), rule: "lang.*").isEmpty)
    }

    // MARK: refers_to

    static let network = (Lang.key("networks", "network-1"), #"{"body": {"id": "network-1"}, "version": 1}"#)
    static let otherNetwork = (Lang.key("networks", "network-2"), #"{"body": {"id": "network-2"}, "version": 1}"#)

    @Test func refersToFiresOnlyWhenTheStoreHoldsTheType() throws {
        let rule = "refers_to: {type: network, id: config.body.network_id}"
        #expect(try Lang.run(rule).isEmpty, "a store of ports says nothing about networks")
        #expect(try Lang.run(rule, on: Lang.records() + [Self.network]).isEmpty)
        let found = try Lang.run(rule, on: Lang.records() + [Self.otherNetwork])
        #expect(found.map(\.message) == ["config.body.network_id names network network-1, which is not in the store"])
        #expect(found.first?.location.pointer == "/body/network_id" && found.first?.actual == "network-1")
        // Through a selection of each element.
        let subnets = try Lang.run("refers_to: {type: network, id: \"job[1].params[param=virtual_network].resources[*].resource_id\"}",
                                   on: Lang.records() + [Self.otherNetwork])
        #expect(subnets.first?.location.pointer == "/1/params/0/resources/0/resource_id" && subnets.count == 1)
    }
}
