/// `--redact`: every value taken from the store, in every report, becomes a short stable
/// digest (`«v:1a2b3c4d5e6f»`), so a report of production data can go on a ticket. Keys,
/// resource ids, rule ids and locations stay; with `--redact ids` resource ids and the id
/// parts of keys become digests too (`«id:…»`).
///
/// The digest depends on the value's text alone (no key, no salt), so one value gives one
/// digest in every report and every night. It runs before `--baseline`: fingerprints are
/// computed from the redacted values, so a redacted report is the next redacted night's
/// baseline (a plain report and a redacted one do not match each other).
public struct Redaction: Sendable {
    public enum Scope: String, Sendable, CaseIterable {
        /// Values only; keys and resource ids stay.
        case values
        /// Values, resource ids and the id parts of keys.
        case ids
    }

    public let scope: Scope
    /// Words the catalog itself holds (a status name in a rule's params, an output key):
    /// they say what the rule compares, not what the store holds, and stay.
    private let vocabulary: Set<String>

    public init(scope: Scope, rules: [Rule]) {
        self.scope = scope
        var words: Set<String> = []
        for rule in rules {
            for (name, value) in rule.params.values {
                words.insert(name)
                Self.collect(value, into: &words)
            }
        }
        vocabulary = words
    }

    /// The digest that stands for `text` in a redacted report.
    public static func digest(_ text: String, tag: String = "v") -> String {
        "«\(tag):\(StableHasher.digest(of: text).description.prefix(12))»"
    }

    /// Redacts the findings, the input problems and errors of `result` in place.
    public func apply(to result: inout AuditResult) {
        let ids = scope == .ids ? Set(result.findings.map(\.resourceID)) : []
        result.findings = result.findings.map { redact($0, ids: ids) }
        result.inputs = result.inputs.map(redact)
    }

    // MARK: - Findings

    private func redact(_ finding: Finding, ids: Set<String>) -> Finding {
        var f = finding
        var replacements: [String: String] = [:]
        func add(_ value: String?, tag: String = "v") {
            guard let value, !value.isEmpty, !vocabulary.contains(value), replacements[value] == nil else { return }
            replacements[value] = Self.digest(value, tag: tag)
        }
        // Whole values first, then their parts: checks list several values joined by ",".
        for value in [finding.expected, finding.actual].compactMap({ $0 }) + finding.values {
            add(value)
            for part in value.split(separator: ",") { add(part.trimmingCharacters(in: .whitespaces)) }
        }
        if scope == .ids {
            add(finding.resourceID, tag: "id")
            for key in finding.keys + finding.related.map(\.key) {
                for segment in key.split(separator: "/") where ids.contains(String(segment)) { add(String(segment), tag: "id") }
            }
            for id in ids where finding.message.contains(id) { add(id, tag: "id") }
            f.resourceID = Self.digest(finding.resourceID, tag: "id")
            f.keys = finding.keys.map { redactKey($0, ids: ids) }
            f.related = finding.related.map { related in
                var r = related
                r.key = redactKey(related.key, ids: ids)
                return r
            }
        } else {
            // Kept on purpose: the message names the resource and its keys as the report does.
            replacements[finding.resourceID] = nil
        }
        f.expected = finding.expected.map { replacements[$0] ?? Self.digest($0) }
        f.actual = finding.actual.map { replacements[$0] ?? Self.digest($0) }
        f.message = Self.redactJanssonExcerpts(Self.replace(in: finding.message, replacements))
        f.values = []
        return f
    }

    /// A key with each segment that is a resource id (or holds one, as job keys do) digested.
    func redactKey(_ key: String, ids: Set<String>) -> String {
        key.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            let text = String(segment)
            if ids.contains(text) { return Self.digest(text, tag: "id") }
            if let id = ids.first(where: { !$0.isEmpty && text.contains($0) }) {
                return text.replacingOccurrences(of: id, with: Self.digest(id, tag: "id"))
            }
            return text
        }.joined(separator: "/")
    }

    /// Replaces every whole occurrence (not inside a longer word or number) of each value
    /// by its digest, in one pass over the original text: longest values first, so a
    /// value inside another (`1` in `10.0.0.1`) never cuts a longer one, and a digest is
    /// never searched again.
    static func replace(in text: String, _ replacements: [String: String]) -> String {
        guard !replacements.isEmpty else { return text }
        let chars = Array(text)
        let values = replacements.keys.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
            .map { (Array($0), replacements[$0]!) }
        var out = ""
        var i = 0
        func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        scan: while i < chars.count {
            for (value, digest) in values where i + value.count <= chars.count {
                guard chars[i] == value[0], Array(chars[i..<(i + value.count)]) == value else { continue }
                let before = i > 0 ? chars[i - 1] : " ", after = i + value.count < chars.count ? chars[i + value.count] : " "
                if (isWordChar(value.first!) && isWordChar(before)) || (isWordChar(value.last!) && isWordChar(after)) { continue }
                out += digest
                i += value.count
                continue scan
            }
            out.append(chars[i])
            i += 1
        }
        return out
    }

    /// jansson quotes the text it stopped at (`invalid token near 'tenant-1'`): that is
    /// the store's text, so it becomes a digest wherever an error message carries one.
    static func redactJanssonExcerpts(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "near '") {
            out += rest[..<start.upperBound]
            let after = rest[start.upperBound...]
            // The excerpt may hold quotes itself: it ends at the last quote of the message
            // that is followed by the end or by a space.
            var end = after.endIndex
            var index = after.startIndex
            while index < after.endIndex {
                let next = after.index(after: index)
                if after[index] == "'" && (next == after.endIndex || after[next] == " " || after[next] == ",") { end = index }
                index = next
            }
            let excerpt = String(after[..<end])
            out += digest(excerpt)
            rest = after[end...]
        }
        return out + rest
    }

    // MARK: - Record values (the HTML report shows whole records)

    /// A record's value with every string and number in it digested as findings digest
    /// them (member names stay, as keys do; the catalog's own words stay, as in findings).
    /// A value inside a string (a state's encoded heat_outputs) is digested whole.
    public func redact(value: JSONValue) -> JSONValue {
        switch value {
        case .null, .bool: return value
        case .integer, .real: return .string(Self.digest(value.text))
        case .string(let s): return s.isEmpty || vocabulary.contains(s) ? value : .string(Self.digest(s))
        case .array(let items): return .array(items.map { redact(value: $0) })
        case .object(let members):
            return .object(members.map { JSONMember($0.name, redact(value: $0.value)) })
        }
    }

    // MARK: - Inputs

    private func redact(_ input: InputSummary) -> InputSummary {
        var i = input
        i.error = input.error.map(Self.redactJanssonExcerpts)
        i.problems = input.problems.map { problem in
            var p = problem
            p.message = Self.redactJanssonExcerpts(problem.message)
            return p
        }
        return i
    }

    private static func collect(_ value: JSONValue, into words: inout Set<String>) {
        switch value {
        case .string(let s): words.insert(s)
        case .array(let items): for item in items { collect(item, into: &words) }
        case .object(let members):
            for member in members {
                words.insert(member.name)
                collect(member.value, into: &words)
            }
        default: break
        }
    }
}
