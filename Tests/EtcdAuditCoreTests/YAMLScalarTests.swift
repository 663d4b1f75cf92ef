@testable import EtcdAuditCore
import Testing
import Yams

/// Rule and configuration files are YAML, composed without Yams' resolver rules
/// (`composeYAML`): each scalar value must still come out as Yams' default resolver types
/// it, whether or not the resolver is asked (`JSONValue.isPlainText`), and a mapping's keys
/// compare as text.
struct YAMLScalarTests {
    /// The reference: Yams' own compose with its default resolver, and the type that gives.
    private func reference(_ text: String) throws -> JSONValue {
        let node = try #require(try Yams.compose(yaml: "v: \(text)\n")?["v"])
        guard case .scalar(let scalar) = node else { return .null }
        switch Tag.Name(rawValue: node.tag.rawValue) {
        case .null: return .null
        case .bool: return .bool(node.bool ?? false)
        case .int: return node.int.map { .integer(Int64($0)) } ?? .string(scalar.string)
        case .float: return node.float.map { .real($0) } ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    @Test(arguments: [
        "hello", "Zebra", "record.missing", "ok", "On", "off", "yes", "No", "TRUE", "false", "null", "Null", "~",
        "12", "-3", "+4", "0x1F", "0o17", "0b101", "1_000", "3.5", ".5", "-.inf", "1e3", "2001-12-14",
        "2001-12-14 21:59:43.10 -5", "<<", "=", "x1", "_x", "é", "\"12\"", "'yes'", "\"\"", "!!str 12", "!!int \"7\"",
        "\"quoted text\"", "1:20", "190:20:30.15", "a b c", "#not a comment",
        "The port", "Yesterday", "Nothing", "offset", "onward", "Truly", "NULLs", "no way", "Off", "ON", "o",
        "True", "True ", "Falsehood", "nil", "None", "y", "n", "YES!", "Normal text.",
    ])
    func aScalarIsReadAsTheResolverReadsIt(_ text: String) throws {
        let node = try #require(try composeYAML("v: \(text)\n")?["v"])
        #expect(JSONValue(yaml: node) == (try reference(text)), "\(text)")
    }

    /// `1` and `"1"` are two keys to Yams' default resolver (an integer and a string) but
    /// one to every reader of the catalog, which reads keys as text: a duplicate.
    @Test func keysThatReadAsTheSameTextAreDuplicates() throws {
        for pair in ["1: a\n\"1\": b\n", "true: a\n'true': b\n", "null: a\n\"null\": b\n", "x: a\nx: b\n"] {
            #expect(throws: (any Error).self, "\(pair)") { try composeYAML(pair) }
        }
        let distinct = try #require(try composeYAML("1: a\n\"01\": b\nid: c\n"))
        #expect(distinct["id"]?.string == "c" && distinct["1"]?.string == "a" && distinct["01"]?.string == "b")
        let error = RuleFileErrorTests.error([("d.yaml", "example_bases:\n  b:\n    1: {}\n    \"1\": {}\n")])
        #expect(error?.contains("d.yaml: is not valid YAML") == true, "\(error ?? "loaded")")
    }

    @Test func onlyTextsNoResolverRuleCanMatchSkipIt() {
        #expect(JSONValue.isPlainText("hello"))
        #expect(JSONValue.isPlainText("Zebra"))
        #expect(JSONValue.isPlainText("The port"))
        #expect(JSONValue.isPlainText("offset"))
        for text in ["", "yes", "No", "on", "Off", "true", "False", "null", "NULL", "~", "12", "-1", "+1", ".5", "<<", "=",
                     "yes\n", "Off\r"] {
            #expect(!JSONValue.isPlainText(text), "\(text)")
        }
    }
}
