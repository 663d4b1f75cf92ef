/// How the code-host reports (SARIF, GitHub, GitLab, Checkstyle) place a finding: paths
/// relative to the working directory, as code hosts map them from the repository root; a
/// line for every finding; the rest of the place (key, member, byte offset, revision) in
/// words; and fingerprints that stay apart when two findings are the same.
struct CodeHostPlacement {
    /// Without a trailing slash ("" when it is the root).
    private let base: String

    init(workingDirectory: String) {
        base = Self.normalized(workingDirectory.hasPrefix("/") ? workingDirectory : "/" + workingDirectory)
    }

    /// `path` relative to the working directory when it lies inside it, else absolute.
    /// Standard input (`-`) and live etcds (URLs) stay as they are.
    func path(_ path: String) -> String {
        if path == "-" || path.contains("://") { return path }
        let absolute = Self.normalized(path.hasPrefix("/") ? path : base + "/" + path)
        return absolute.hasPrefix(base + "/") ? String(absolute.dropFirst(base.count + 1)) : absolute
    }

    /// An absolute path without `.`, `..` or repeated slashes, and no trailing slash ("" for
    /// the root). Symbolic links are left alone: the report names the file as it was given.
    private static func normalized(_ absolute: String) -> String {
        var parts: [Substring] = []
        for part in absolute.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return parts.map { "/" + $0 }.joined()
    }

    /// The line code hosts show: the member's or the record's. Inputs without lines
    /// (etcdctl-json, etcd-v2, snapshot, endpoint) give line 1, since every code-host
    /// consumer wants one; `place` then says where in the file.
    static func line(_ location: SourceLocation) -> Int { location.line ?? 1 }

    /// What a line and column do not say: the record's key, the member's JSON pointer,
    /// the byte offset (only for inputs without lines), the mod_revision.
    static func place(_ location: SourceLocation, key: String?) -> String {
        var parts: [String] = []
        if let key { parts.append("key \(key)") }
        if let pointer = location.pointer, !pointer.isEmpty { parts.append("member \(pointer)") }
        if location.line == nil, let offset = location.offset { parts.append("byte offset \(offset)") }
        if let revision = location.modRevision { parts.append("mod_revision \(revision)") }
        return parts.joined(separator: ", ")
    }

    /// "port 2346…: stack output … (waived: reason, until 2027-01-31)", a message of
    /// megabytes shortened: code hosts show it on one line.
    static func headline(_ finding: Finding) -> String {
        "\(finding.resourceType) \(finding.resourceID): \(ReportText.shortened(finding.message))" + (waiverNote(finding).map { " (\($0))" } ?? "")
    }

    static func waiverNote(_ finding: Finding) -> String? {
        guard let waiver = finding.waiver else { return nil }
        return "waived: \(waiver.reason)" + (waiver.expires.map { ", until \($0)" } ?? "")
    }

    /// Each finding's fingerprint (rule, resource, record at fault, values: no place, so
    /// it survives lines moving), with `-2`, `-3`, ... on the second and later of
    /// identical findings, in report order: GitLab keeps one issue per fingerprint.
    static func uniqueFingerprints(_ findings: [Finding]) -> [String] {
        var seen: [String: Int] = [:]
        return findings.map { finding in
            let fingerprint = finding.fingerprint
            let count = seen[fingerprint, default: 0] + 1
            seen[fingerprint] = count
            return count == 1 ? fingerprint : "\(fingerprint)-\(count)"
        }
    }
}
