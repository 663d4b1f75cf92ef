import ArgumentParser
import EtcdAuditCore

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List the rule catalog: id, severity, summary.")

    func run() throws {
        let catalog: Catalog
        do {
            catalog = try Catalog.builtIn()
        } catch {
            printError("etcd-audit: \(error)")
            throw ExitCode(2)
        }
        let width = catalog.rules.map(\.id.count).max() ?? 0
        for rule in catalog.rules {
            let id = rule.id.padding(toLength: width, withPad: " ", startingAt: 0)
            let severity = rule.severity.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
            print("\(id)  \(severity)  \(rule.summary)")
        }
    }
}
