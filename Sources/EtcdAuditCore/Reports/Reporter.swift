import Foundation

/// The report formats (SPEC §4), by the names `--report` takes.
public enum ReportFormat: String, CaseIterable, Sendable {
    case json, junit, text, sarif, github, gitlab, checkstyle, prometheus, jsonl, html
}

/// What the reporters need to know besides the result.
public struct ReportOptions: Sendable {
    /// Findings at or above this count as failures (JUnit); nil: never.
    public var failOn: Severity?
    /// ANSI colour in the text report (only when writing to a terminal).
    public var color: Bool
    public var toolVersion: String
    /// Code-host reports (SARIF, GitHub, GitLab, Checkstyle) name inputs inside this
    /// folder relative to it, as code hosts map paths from the repository root.
    public var workingDirectory: String
    /// JUnit testcases get `file` and `line` attributes (GitLab shows them; the Jenkins
    /// xUnit schema rejects them, so they are off unless asked for).
    public var junitFileAttributes: Bool
    /// Where the rule reference (docs/RULES.md) is published: SARIF's `helpUri` points
    /// at its heading for each rule.
    public var rulesReferenceURL: String
    /// `--show`: the text, GitHub and JUnit reports list findings at or above it (and every
    /// finding that fails the run); the others are only counted. Other reports list all.
    public var show: Severity
    /// When the audit completed: the Prometheus report's last-run timestamp, the only
    /// timestamp in any report.
    public var completedAt: Date
    /// `--redact ids`: findings name resources by digests; a report that lists every
    /// resource (JUnit) names them so too.
    public var redactedIDs = false
    /// `--redact`: the HTML report, which shows whole records, redacts their values with it.
    public var redaction: Redaction?
    /// The record layouts: the HTML report reads the records of resources with findings
    /// again from the inputs with them (nil: it shows no records).
    public var layouts: Layouts?
    /// Threads a reporter may write on at once (`--jobs`).
    public var jobs = 1

    public init(failOn: Severity? = .error, color: Bool = false, toolVersion: String = EtcdAudit.version,
                workingDirectory: String = FileManager.default.currentDirectoryPath,
                junitFileAttributes: Bool = false, rulesReferenceURL: String = EtcdAudit.rulesReferenceURL,
                show: Severity = .info, completedAt: Date = Date()) {
        self.show = show
        self.completedAt = completedAt
        self.failOn = failOn
        self.color = color
        self.toolVersion = toolVersion
        self.workingDirectory = workingDirectory
        self.junitFileAttributes = junitFileAttributes
        self.rulesReferenceURL = rulesReferenceURL
    }

    public func fails(_ severity: Severity) -> Bool {
        guard let failOn else { return false }
        return severity >= failOn
    }

    /// A finding fails the run (a JUnit failure, a GitHub error) when it is at or above
    /// `failOn`, no waiver covers it and the baseline did not have it.
    public func fails(_ finding: Finding) -> Bool {
        finding.fails(at: failOn)
    }

    /// Listed in the reports `--show` applies to: at or above `show`, or failing the run
    /// (a threshold for reading never hides what makes the exit status 1).
    public func shows(_ finding: Finding) -> Bool {
        finding.severity >= show || fails(finding)
    }
}

public enum EtcdAudit {
    public static let version = "0.1.0"
    /// The rule reference as the project publishes it (docs/RULES.md of its repository).
    public static let rulesReferenceURL = "https://github.com/etcd-audit/etcd-audit/blob/main/docs/RULES.md"
}

/// One report format: the whole result in, the document's bytes out.
public protocol Reporter {
    func render(_ result: AuditResult, options: ReportOptions) throws -> String
}

public enum Reporters {
    public static func reporter(for format: ReportFormat) -> Reporter {
        switch format {
        case .json: return JSONReporter()
        case .junit: return JUnitReporter()
        case .text: return TextReporter()
        case .sarif: return SARIFReporter()
        case .github: return GitHubReporter()
        case .gitlab: return GitLabReporter()
        case .checkstyle: return CheckstyleReporter()
        case .prometheus: return PrometheusReporter()
        case .jsonl: return JSONLReporter()
        case .html: return HTMLReporter()
        }
    }
}
