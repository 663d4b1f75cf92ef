/// `--only`, `--skip` and `--severity RULE=LEVEL`: which rules run, at what severity.
public struct RuleSelection: Sendable {
    public var only: [String]
    public var skip: [String]
    public var severities: [String]

    public init(only: [String] = [], skip: [String] = [], severities: [String] = []) {
        self.only = only
        self.skip = skip
        self.severities = severities
    }

    public func apply(to rules: [Rule]) throws(RuleError) -> [Rule] {
        let known = Set(rules.map(\.id))
        for id in only + skip where !known.contains(id) {
            throw RuleError(rule: id, "no such rule (see `etcd-audit rules`)")
        }
        var overrides: [String: Severity] = [:]
        for item in severities {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, known.contains(parts[0]) else {
                throw RuleError(field: "--severity \(item)", "expected RULE=LEVEL with a known rule id")
            }
            guard let severity = Severity(rawValue: parts[1]) else {
                throw RuleError(rule: parts[0], field: "--severity", "level must be error, warning or info")
            }
            overrides[parts[0]] = severity
        }
        return rules.filter { (only.isEmpty || only.contains($0.id)) && !skip.contains($0.id) }.map { rule in
            var copy = rule
            if let severity = overrides[rule.id] { copy.severity = severity }
            return copy
        }
    }
}
