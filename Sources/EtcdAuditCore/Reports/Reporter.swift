/// The report formats (SPEC §4), by the names `--report` takes.
public enum ReportFormat: String, CaseIterable, Sendable {
    case json, junit, text
}

/// What the reporters need to know besides the result.
public struct ReportOptions: Sendable {
    /// Findings at or above this count as failures (JUnit); nil: never.
    public var failOn: Severity?
    /// ANSI colour in the text report (only when writing to a terminal).
    public var color: Bool
    public var toolVersion: String

    public init(failOn: Severity? = .error, color: Bool = false, toolVersion: String = EtcdAudit.version) {
        self.failOn = failOn
        self.color = color
        self.toolVersion = toolVersion
    }

    public func fails(_ severity: Severity) -> Bool {
        guard let failOn else { return false }
        return severity >= failOn
    }
}

public enum EtcdAudit {
    public static let version = "0.1.0"
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
        }
    }
}
