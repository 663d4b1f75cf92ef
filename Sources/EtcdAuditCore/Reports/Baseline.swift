import Foundation

/// `--baseline OLD.json`: only findings the old JSON report does not contain are reported
/// (and count for the exit status). Findings match by rule, resource, the record at fault
/// (the first key) and the values that differ — never by message text or place in the
/// file, which move between snapshots.
public struct Baseline: Sendable {
    struct Fingerprint: Hashable {
        var rule: String
        var resourceType: String
        var resourceID: String
        var key: String?
        var expected: String?
        var actual: String?
    }

    private struct OldReport: Decodable {
        struct OldFinding: Decodable {
            var rule: String
            var resource_type: String
            var resource_id: String
            var keys: [String]?
            var expected: String?
            var actual: String?
        }
        var findings: [OldFinding]
    }

    public let path: String
    private let counts: [Fingerprint: Int]

    public init(path: String) throws {
        self.path = path
        let report: OldReport
        do {
            report = try JSONDecoder().decode(OldReport.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw InputError(path: path, offset: nil,
                             message: "cannot be read as an etcd-audit JSON report (--baseline): \(error.localizedDescription)")
        }
        var counts: [Fingerprint: Int] = [:]
        for f in report.findings {
            counts[Fingerprint(rule: f.rule, resourceType: f.resource_type, resourceID: f.resource_id,
                               key: f.keys?.first, expected: f.expected, actual: f.actual), default: 0] += 1
        }
        self.counts = counts
    }

    static func fingerprint(_ f: Finding) -> Fingerprint {
        Fingerprint(rule: f.rule, resourceType: f.resourceType, resourceID: f.resourceID, key: f.keys.first,
                    expected: f.expected, actual: f.actual)
    }

    /// Keeps the findings that are new; counts the old ones still present and resolved.
    public func apply(to result: inout AuditResult) {
        var remaining = counts
        var fresh: [Finding] = []
        var stillPresent = 0
        for finding in result.findings {
            let print = Self.fingerprint(finding)
            if let n = remaining[print], n > 0 {
                remaining[print] = n - 1
                stillPresent += 1
            } else {
                fresh.append(finding)
            }
        }
        let total = counts.values.reduce(0, +)
        result.findings = fresh
        result.baseline = BaselineSummary(path: path, new: fresh.count, stillPresent: stillPresent,
                                          resolved: total - stillPresent)
    }
}

/// What `--baseline` did, for the reports.
public struct BaselineSummary: Sendable, Codable, Equatable {
    public var path: String
    public var new: Int
    public var stillPresent: Int
    public var resolved: Int

    public init(path: String, new: Int, stillPresent: Int, resolved: Int) {
        self.path = path
        self.new = new
        self.stillPresent = stillPresent
        self.resolved = resolved
    }

    enum CodingKeys: String, CodingKey {
        case path, new, resolved
        case stillPresent = "still_present"
    }
}
