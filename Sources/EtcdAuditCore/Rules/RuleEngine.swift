/// Runs rules over the joined resources; findings come out in report order.
public enum RuleEngine {
    public static func run(_ rules: [Rule], on resources: [Resource]) -> [Finding] {
        var findings: [Finding] = []
        for rule in rules {
            var sink = FindingSink(rule: rule.id, severity: rule.severity)
            for resource in resources where rule.applies(to: resource.type) {
                rule.check.check(resource, &sink)
            }
            // Cross-resource checks see one type at a time.
            let byType = Dictionary(grouping: resources.filter { rule.applies(to: $0.type) }, by: \.type)
            for type in byType.keys.sorted() {
                rule.check.checkAcross(byType[type]!, &sink)
            }
            findings += sink.findings
        }
        return findings.sorted(by: Finding.reportOrder)
    }
}
