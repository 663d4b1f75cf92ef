import ArgumentParser
import EtcdAuditCore

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Show the rule catalog, run its examples, or print a rule's example store.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @Option(help: "Rule files that add, change or disable rules (every *.yaml in the folder; repeatable; default: the configuration's).")
    var rules: [String] = []

    @OptionGroup var configOptions: ConfigOptions

    @Option(help: "text (a table), json, or markdown (the reference in docs/RULES.md).")
    var format: Format = .text

    @Flag(help: "Add each rule's check kind, rationale, params and examples to the table.")
    var verbose = false

    @Flag(help: "Run every rule's examples; exit 1 if one does not fire or pass as it says.")
    var verify = false

    @Option(help: "Print the first example the rule fires on, as a store `check` reads.")
    var sample: String?

    @Option(help: "With --sample: the example of this name instead of the first that fires.")
    var example: String?

    // rules prints nothing on stderr but errors: --quiet is taken so that a script can give
    // it to every subcommand.
    @Flag(help: "Print nothing on stderr but errors.")
    var quiet = false

    func run() throws {
        let catalog: Catalog
        do {
            catalog = try Catalog.load(rulesDirectories: rules.isEmpty ? try configOptions.load()?.rules ?? [] : rules)
        } catch {
            printError("etcd-audit: \(error)")
            throw ExitCode(2)
        }
        if let sample {
            guard let rule = catalog.rules.first(where: { $0.id == sample }),
                  let example = rule.examples.fires.first(where: { self.example == nil || $0.name == self.example }) else {
                let which = self.example.map { " named '\($0)'" } ?? ""
                printError("etcd-audit: no rule \(sample) with an example\(which) that fires (see `etcd-audit rules --verbose`)")
                throw ExitCode(2)
            }
            // Markdown reads best; only JSON lines carry the revisions some examples set.
            let runner = ExampleRunner(catalog: catalog)
            print(example.revisions.isEmpty ? try runner.markdownDocument(for: rule, example)
                                            : try runner.jsonLines(for: example), terminator: "")
            return
        }
        if verify {
            let runner = ExampleRunner(catalog: catalog)
            var problems: [String] = []
            for rule in catalog.rules {
                for example in rule.examples.fires { problems += runner.verify(rule, example, shouldFire: true) }
                for example in rule.examples.passes { problems += runner.verify(rule, example, shouldFire: false) }
            }
            for problem in problems { print(problem) }
            let count = catalog.rules.reduce(0) { $0 + $1.examples.fires.count + $1.examples.passes.count }
            print("\(count - problems.count) passed, \(problems.count) failed")
            if !problems.isEmpty { throw ExitCode(1) }
            return
        }
        switch format {
        case .text: print(CatalogDocument.table(catalog, verbose: verbose), terminator: "")
        case .json: print(CatalogDocument.json(catalog), terminator: "")
        case .markdown: print(CatalogDocument.markdown(catalog), terminator: "")
        }
    }
}
