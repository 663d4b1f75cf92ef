import ArgumentParser
import EtcdAuditCore

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List the rule catalog: id, severity, summary.")

    @Option(help: "Print the first example the rule fires on, as a document `check` reads.")
    var sample: String?

    func run() throws {
        let catalog: Catalog
        do {
            catalog = try Catalog.builtIn()
        } catch {
            printError("etcd-audit: \(error)")
            throw ExitCode(2)
        }
        if let sample {
            guard let rule = catalog.rules.first(where: { $0.id == sample }), let example = rule.examples.fires.first else {
                printError("etcd-audit: no rule \(sample) with an example that fires (see `etcd-audit rules`)")
                throw ExitCode(2)
            }
            // Markdown reads best; only JSON lines carry the revisions some examples set.
            let runner = ExampleRunner(catalog: catalog)
            print(example.revisions.isEmpty ? try runner.markdownDocument(for: rule, example)
                                            : try runner.jsonLines(for: example), terminator: "")
            return
        }
        let width = catalog.rules.map(\.id.count).max() ?? 0
        for rule in catalog.rules {
            let id = rule.id.padding(toLength: width, withPad: " ", startingAt: 0)
            let severity = rule.severity.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
            print("\(id)  \(severity)  \(rule.summary)")
        }
    }
}
