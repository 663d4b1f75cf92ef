import EtcdAuditCore
import Foundation

/// Paths and helpers shared by the tests.
enum TestSupport {
    /// The package root (tests read Samples/, Rules/ and Tests/Cases/ from it).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    static let catalog: Catalog = {
        do {
            return try Catalog.builtIn()
        } catch {
            fatalError("the built-in catalog does not load: \(error)")
        }
    }()

    /// Audits files given relative to the package root; paths in the result stay relative,
    /// so reports do not depend on where the checkout lives.
    static func audit(_ relativePaths: [String], format: InputFormat? = nil, catalog: Catalog = catalog) -> AuditResult {
        var result = Auditor(catalog: catalog).audit(paths: relativePaths.map(path), format: format)
        let prefix = root.path + "/"
        func strip(_ p: String) -> String { p.hasPrefix(prefix) ? String(p.dropFirst(prefix.count)) : p }
        for i in result.inputs.indices {
            result.inputs[i].path = strip(result.inputs[i].path)
            if let error = result.inputs[i].error { result.inputs[i].error = error.replacingOccurrences(of: prefix, with: "") }
            for j in result.inputs[i].problems.indices {
                result.inputs[i].problems[j].location.path = strip(result.inputs[i].problems[j].location.path)
            }
        }
        for i in result.findings.indices {
            result.findings[i].location.path = strip(result.findings[i].location.path)
            // Some messages name other records' places (input.duplicate-key): keep them relative too.
            result.findings[i].message = result.findings[i].message.replacingOccurrences(of: prefix, with: "")
        }
        return result
    }

    /// Writes `text` to a new temporary file and returns its path.
    static func temporaryFile(_ text: String, name: String = "input.txt") throws -> String {
        try temporaryFile(Array(text.utf8), name: name)
    }

    static func temporaryFile(_ bytes: [UInt8], name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-audit-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// (rule, resource id) of each finding, sorted: what most assertions compare.
    static func pairs(_ result: AuditResult) -> [String] {
        result.findings.map { "\($0.rule) \($0.resourceID)" }.sorted()
    }
}
