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
    private let vocabulary: Set<ExactText>

    public init(scope: Scope, rules: [Rule]) {
        self.scope = scope
        var words: Set<String> = []
        for rule in rules {
            for (name, value) in rule.params.values {
                words.insert(name)
                Self.collect(value, into: &words)
            }
        }
        vocabulary = Set(words.map { ExactText($0) })
    }

    /// The digest that stands for `text` in a redacted report.
    public static func digest(_ text: String, tag: String = "v") -> String {
        "«\(tag):\(StableHasher.digest(of: text).description.prefix(12))»"
    }

    /// Redacts the findings, the input problems and errors of `result` in place.
    public func apply(to result: inout AuditResult) {
        result.findings = redact(result.findings)
        redactInputs(&result)
    }

    /// Redacts findings together: with `--redact ids`, the ids of every finding of the
    /// batch are looked for in each one's keys and message (they name each other's
    /// resources). The findings stream gives one chunk of resources at a time, and the
    /// findings across resources (which name each other) in one batch.
    public func redact(_ findings: [Finding]) -> [Finding] {
        // Ids compare as bytes: NFC and NFD spellings are two resources (ExactText.swift).
        let ids = scope == .ids ? Set(findings.map { ExactText($0.resourceID) }) : []
        return findings.map { redact($0, ids: ids) }
    }

    /// The input problems and errors (jansson quotes the store's bytes in them).
    public func redactInputs(_ result: inout AuditResult) {
        result.inputs = result.inputs.map(redact)
    }

    // MARK: - Findings

    private func redact(_ finding: Finding, ids: Set<ExactText>) -> Finding {
        var f = finding
        var replacements: [ExactText: String] = [:]
        func add(_ value: String?, tag: String = "v") {
            guard let value, !value.isEmpty, !vocabulary.contains(ExactText(value)), replacements[ExactText(value)] == nil
            else { return }
            replacements[ExactText(value)] = Self.digest(value, tag: tag)
        }
        // Whole values first, then their parts: checks list several values joined by ",".
        for value in [finding.expected, finding.actual].compactMap({ $0 }) + finding.values {
            add(value)
            for part in value.split(separator: ",") { add(part.trimmingCharacters(in: .whitespaces)) }
        }
        if scope == .ids {
            add(finding.resourceID, tag: "id")
            for key in finding.keys + finding.related.map(\.key) {
                for segment in key.split(separator: "/") where ids.contains(ExactText(String(segment))) {
                    add(String(segment), tag: "id")
                }
            }
            for id in ids.sorted() where finding.message.containsBytes(id.string) { add(id.string, tag: "id") }
            f.resourceID = Self.digest(finding.resourceID, tag: "id")
            f.keys = finding.keys.map { redactKey($0, ids: ids) }
            f.related = finding.related.map { related in
                var r = related
                r.key = redactKey(related.key, ids: ids)
                return r
            }
        } else {
            // Kept on purpose: the message names the resource and its keys as the report does.
            replacements[ExactText(finding.resourceID)] = nil
        }
        f.expected = finding.expected.map { replacements[ExactText($0)] ?? Self.digest($0) }
        f.actual = finding.actual.map { replacements[ExactText($0)] ?? Self.digest($0) }
        f.message = Self.redactJanssonExcerpts(Self.replace(in: finding.message, replacements))
        f.values = []
        return f
    }

    /// A key with each segment that is a resource id (or holds one, as job keys do) digested.
    func redactKey(_ key: String, ids: Set<ExactText>) -> String {
        key.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            let text = String(segment)
            if ids.contains(ExactText(text)) { return Self.digest(text, tag: "id") }
            // The longest id inside the segment (a job key's), the same every run.
            if let id = ids.filter({ !$0.string.isEmpty && text.containsBytes($0.string) })
                .max(by: { ($0.string.utf8.count, $1) < ($1.string.utf8.count, $0) }) {
                return text.replacingBytes(id.string, with: Self.digest(id.string, tag: "id"))
            }
            return text
        }.joined(separator: "/")
    }

    /// Replaces every whole occurrence (not inside a longer word or number) of each value
    /// by its digest, in one pass over the original text: longest values first, so a
    /// value inside another (`1` in `10.0.0.1`) never cuts a longer one, and a digest is
    /// never searched again.
    /// Characters compare by their bytes (an NFC and an NFD id are two values).
    static func replace(in text: String, _ replacements: [ExactText: String]) -> String {
        guard !replacements.isEmpty else { return text }
        let chars = Array(text)
        let values = replacements.keys
            .sorted { $0.string.count != $1.string.count ? $0.string.count > $1.string.count : $0 < $1 }
            .map { (Array($0.string), replacements[$0]!) }
        var out = ""
        var i = 0
        func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        scan: while i < chars.count {
            for (value, digest) in values where i + value.count <= chars.count {
                guard chars[i].utf8.elementsEqual(value[0].utf8),
                      chars[i..<(i + value.count)].elementsEqual(value, by: { $0.utf8.elementsEqual($1.utf8) }) else { continue }
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
        case .string(let s): return s.isEmpty || vocabulary.contains(ExactText(s)) ? value : .string(Self.digest(s))
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

private extension String {
    // Ids are found by their bytes, as etcd compares keys (ExactText.swift says why).
    func containsBytes(_ other: String) -> Bool { Array(utf8).firstRange(of: Array(other.utf8)) != nil }

    func replacingBytes(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }  // `replacing` would put it between every byte
        return String(decoding: Array(utf8).replacing(Array(target.utf8), with: Array(replacement.utf8)), as: UTF8.self)
    }
}
