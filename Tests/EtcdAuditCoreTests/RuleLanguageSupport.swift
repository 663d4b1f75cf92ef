import EtcdAuditCore
import Foundation
import Testing

/// A small healthy port written out as a markdown dump (the seeds' format), and rule files
/// loaded the way `--rules DIR` loads them: the rule language tests audit real text with
/// real catalogs.
enum Lang {
    static let port = "aaaaaaaa-0000-4000-8000-000000000001"
    static let portB = "bbbbbbbb-0000-4000-8000-000000000002"

    static func key(_ kind: String, _ id: String = port, version: Int = 1, action: String = "create") -> String {
        switch kind {
        case "config": return "/config/v2.0/ports/\(id)"
        case "job": return "/jobs/all/\(action):heat_worker:port:\(id):\(version):n\(version)"
        case "stack": return "/esi-worker/heat_stacks/v2.0/ports/\(id)"
        case "job_state": return "/esi-worker/job_state/v2.0/ports/\(id)"
        case "state": return "/state/v2.0/ports/\(id)"
        case "monitoring": return "/monitoring/v2.0/ports/\(id)"
        default: return "/config/v2.0/\(kind)/\(id)"  // another type's config: "networks"
        }
    }

    static func job(_ id: String = port, version: Int = 1, action: String = "create", network: String = "network-1") -> String {
        #"""
        ["heat_worker", {"resource_id": "\#(id)", "handler": "heat_worker", "action": "\#(action)", "version": \#(version),
          "resource_type": "port", "job_name": "port:\#(id):\#(version)", "id": "\#(action):heat_worker:port:\#(id):\#(version):n\#(version)",
          "params": [
            {"param": "virtual_network", "type": "output_key", "resources": [{"resource_type": "network", "resource_id": "\#(network)"}],
             "value": {"output_key": "id", "resource_type": "network", "resource_id": "\#(network)"}},
            {"param": "uuid", "type": "value", "value": "\#(id)", "resources": []}]}, 0]
        """#
    }

    /// A port at rest at version 1, every record agreeing; `change` replaces records by
    /// kind (a value of nil leaves the record out).
    static func records(_ id: String = port, mac: String = "fa:16:3e:00:00:01", ip: String = "10.0.0.1",
                        change: [String: String?] = [:]) -> [(String, String)] {
        let outputs = #"[{"output_key": "id", "output_value": "vmi-\#(id.prefix(1))"}, {"output_key": "mac_address", "output_value": ["\#(mac)"]}]"#
        var out: [(String, String)] = [
            (key("config", id), #"""
                {"body": {"id": "\#(id)", "name": "example-port", "tenant_id": "tenant-1", "network_id": "network-1",
                  "mac_address": "\#(mac)", "status": "ACTIVE", "device_owner": "",
                  "fixed_ips": [{"subnet_id": "subnet-1", "ip_address": "\#(ip)"}, {"subnet_id": "subnet-1", "ip_address": "10.0.1.\#(id.prefix(1) == "a" ? 1 : 2)"}]},
                 "version": 1}
                """#),
            (key("job", id), job(id)),
            (key("stack", id), #"{"stack_id": "port_\#(id)", "tenant_id": "tenant-1", "stack_status": "CREATE_COMPLETE", "output": \#(outputs), "id": "port:\#(id)"}"#),
            (key("job_state", id), #"{"heat_outputs": \#(outputs), "orchestration_state": "CREATE_COMPLETE"}"#),
            (key("state", id), #"{"state": {"worker_state": "CREATE_COMPLETED", "orchestration_state": "CREATE_COMPLETE", "heat_outputs": \#(JSONValue.string(outputs).text)}, "version": 1, "error": ""}"#),
            (key("monitoring", id), #"{"version": 1, "vmi": "OK", "link": "OK"}"#),
        ]
        for (kind, value) in change {
            let k = key(kind, id)
            out.removeAll { $0.0 == k }
            if let value { out.append((k, value)) }
        }
        return out
    }

    /// The records as a markdown dump: one fenced block per record, key then value.
    static func markdown(_ records: [(String, String)]) -> String {
        "# a store\n\n" + records.map { "```\n\($0.0)\n\($0.1)\n```\n\n" }.joined()
    }

    /// The built-in catalog changed by rule files, in order (a folder each, like `--rules`
    /// given twice).
    static func catalog(_ files: String...) throws -> Catalog { try catalog(files) }

    static func catalog(_ files: [String]) throws -> Catalog {
        var folders: [String] = []
        for (i, text) in files.enumerated() {
            let folder = try TestSupport.temporaryDirectory()
            try text.write(to: folder.appendingPathComponent("rules\(i).yaml"), atomically: true, encoding: .utf8)
            folders.append(folder.path)
        }
        return try Catalog.load(rulesDirectories: folders)
    }

    /// A rules file of new rules: (id, the rule's declaration as YAML lines under it).
    static func rules(_ rules: [(String, String)], params: String? = nil) -> String {
        "rules:\n" + rules.map { id, body in
            "  - id: \(id)\n    severity: error\n    summary: a rule of the language tests\n"
                + body.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n"
        }.joined()
    }

    /// Audits the records (a markdown file) with the catalog; the findings of `rule`, or
    /// of every rule whose id starts with `prefix`.
    static func findings(_ catalog: Catalog, _ records: [(String, String)], rule: String) throws -> [Finding] {
        let file = try TestSupport.temporaryFile(markdown(records), name: "store.md")
        let result = Auditor(catalog: catalog).audit(paths: [file])
        #expect(result.inputs.allSatisfy { $0.error == nil && $0.problems.isEmpty }, "the test store does not read cleanly")
        return result.findings.filter { $0.rule == rule || (rule.hasSuffix("*") && $0.rule.hasPrefix(rule.dropLast())) }
    }

    /// One rule on the records: its findings.
    static func run(_ body: String, on records: [(String, String)] = records(), id: String = "lang.rule") throws -> [Finding] {
        try findings(try catalog(rules([(id, body)])), records, rule: id)
    }

    /// The error a rules file stops loading with.
    static func loadError(_ files: String...) -> String? {
        do {
            _ = try catalog(files)
            return nil
        } catch {
            return "\(error)"
        }
    }
}

extension Finding {
    /// The kind of the record at fault (from its key).
    var recordKind: String? {
        Lang.kinds.first { kind in keys.first == Lang.key(kind, resourceID) } ?? (keys.first?.hasPrefix("/jobs/") == true ? "job" : nil)
    }
}

extension Lang {
    static let kinds = ["config", "stack", "job_state", "state", "monitoring"]
}
