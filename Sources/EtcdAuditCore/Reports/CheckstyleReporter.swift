/// Checkstyle XML, as Checkstyle's XMLLogger writes it and Jenkins' warnings-ng reads it:
/// `<checkstyle>` holds one `<file name>` per input (relative to the working directory),
/// each an `<error line column? severity message source>` per finding. `source` is
/// `etcd-audit.<rule id>`: warnings-ng shows its last dotted part as the type and the one
/// before as the category. A waived finding is `info`, and its message says why.
/// Written by hand: every value is an attribute, escaped by `ReportText.xmlAttribute`.
struct CheckstyleReporter: Reporter {
    /// The format version most non-Checkstyle producers write (ESLint, SwiftLint).
    static let formatVersion = "4.3"

    func render(_ result: AuditResult, options: ReportOptions) throws -> String {
        let placement = CodeHostPlacement(workingDirectory: options.workingDirectory)
        var byFile: [String: [Finding]] = [:]
        for finding in result.findings { byFile[placement.path(finding.location.path), default: []].append(finding) }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"\(Self.formatVersion)\">\n"
        for path in byFile.keys.sorted() {
            out += "  <file name=\"\(ReportText.xmlAttribute(path))\">\n"
            for finding in byFile[path]! {
                let location = finding.location
                var attributes = ["line=\"\(CodeHostPlacement.line(location))\""]
                if location.line != nil, let column = location.column { attributes.append("column=\"\(column)\"") }
                attributes.append("severity=\"\(finding.waiver == nil ? finding.severity.rawValue : "info")\"")
                var message = CodeHostPlacement.headline(finding)
                let place = CodeHostPlacement.place(location, key: finding.keys.first)
                if !place.isEmpty { message += " (\(place))" }
                attributes.append("message=\"\(ReportText.xmlAttribute(message))\"")
                attributes.append("source=\"\(ReportText.xmlAttribute("etcd-audit." + finding.rule))\"")
                out += "    <error \(attributes.joined(separator: " "))/>\n"
            }
            out += "  </file>\n"
        }
        return out + "</checkstyle>\n"
    }
}
