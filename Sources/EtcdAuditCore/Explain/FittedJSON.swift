/// A record's value as a person reads it in a terminal: indented JSON, in the record's
/// own member order, where a list or object that fits on its line stays on it (a job's
/// eighteen params are eighteen lines, not two hundred). Strings past `stringWidth`
/// characters are cut, saying how long they were: the JSON report has them whole.
enum FittedJSON {
    static func lines(_ value: JSONValue, width: Int = 114, stringWidth: Int = 160) -> [String] {
        var out: [String] = []
        add(value, label: "", indent: "", last: true, width: width, stringWidth: stringWidth, to: &out)
        return out
    }

    private static func add(_ value: JSONValue, label: String, indent: String, last: Bool,
                            width: Int, stringWidth: Int, to out: inout [String]) {
        let comma = last ? "" : ","
        let flat = indent + label + oneLine(value, stringWidth: stringWidth) + comma
        let opening: String, closing: String
        let children: [(label: String, value: JSONValue)]
        switch value {
        case .array(let items) where !items.isEmpty && flat.count > width:
            (opening, closing) = ("[", "]")
            children = items.map { ("", $0) }
        case .object(let members) where !members.isEmpty && flat.count > width:
            (opening, closing) = ("{", "}")
            children = members.map { (JSONText.quoted($0.name) + ": ", $0.value) }
        default:
            out.append(flat)
            return
        }
        out.append(indent + label + opening)
        for (i, child) in children.enumerated() {
            add(child.value, label: child.label, indent: indent + "  ", last: i + 1 == children.count,
                width: width, stringWidth: stringWidth, to: &out)
        }
        out.append(indent + closing + comma)
    }

    /// The value on one line, spaced after `:` and `,` as the expanded form is.
    private static func oneLine(_ value: JSONValue, stringWidth: Int) -> String {
        switch value {
        case .string(let text):
            guard text.count > stringWidth else { return JSONText.quoted(text) }
            return JSONText.quoted(String(text.prefix(stringWidth))) + "… (\(text.count) characters)"
        case .array(let items):
            return "[" + items.map { oneLine($0, stringWidth: stringWidth) }.joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.map { JSONText.quoted($0.name) + ": " + oneLine($0.value, stringWidth: stringWidth) }
                .joined(separator: ", ") + "}"
        default:
            return value.text
        }
    }
}
