@testable import EtcdAuditCore
import Testing
import Yams

/// Rule and configuration files are YAML: a scalar that Yams' resolver need not look at
/// (`JSONValue.isPlainText`) must come out as the resolver would have made it.
struct YAMLScalarTests {
    /// What the resolver makes of the scalar: the reference the shortcut must agree with.
    private func resolved(_ node: Node) -> JSONValue {
        guard case .scalar(let scalar) = node else { return .null }
        return JSONValue.resolved(node, scalar)
    }

    @Test(arguments: [
        "hello", "Zebra", "record.missing", "ok", "On", "off", "yes", "No", "TRUE", "false", "null", "Null", "~",
        "12", "-3", "+4", "0x1F", "0o17", "0b101", "1_000", "3.5", ".5", "-.inf", "1e3", "2001-12-14",
        "2001-12-14 21:59:43.10 -5", "<<", "=", "x1", "_x", "é", "\"12\"", "'yes'", "\"\"", "!!str 12", "!!int \"7\"",
        "\"quoted text\"", "1:20", "190:20:30.15", "a b c", "#not a comment",
    ])
    func aScalarIsReadAsTheResolverReadsIt(_ text: String) throws {
        let root = try #require(try Yams.compose(yaml: "v: \(text)\n"))
        let node = try #require(root["v"])
        // A fresh node for the reference: the first reading resolves (and keeps) its tag.
        let reference = try #require(try Yams.compose(yaml: "v: \(text)\n")?["v"])
        #expect(JSONValue(yaml: node) == resolved(reference), "\(text)")
    }

    @Test func onlyTextsNoResolverRuleCanMatchSkipIt() {
        #expect(JSONValue.isPlainText("hello"))
        #expect(JSONValue.isPlainText("Zebra"))
        for text in ["", "yes", "No", "on", "Off", "true", "False", "null", "~", "12", "-1", "+1", ".5", "<<", "="] {
            #expect(!JSONValue.isPlainText(text), "\(text)")
        }
    }
}
