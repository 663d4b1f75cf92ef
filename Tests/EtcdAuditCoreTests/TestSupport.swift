@testable import EtcdAuditCore
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

    /// Every record one input gives, read with `format` (detected when nil), and the input
    /// error that stopped the reading, if one did.
    static func records(at path: String, format: InputFormat?) throws
        -> (records: [RawRecord], error: InputError?, info: InputInfo)
    {
        let reader = try InputOpener.open(path: path, format: format) { catalog.layouts.match($0) != nil }.reader
        var out: [RawRecord] = []
        do {
            while let record = try reader.next() { out.append(record) }
        } catch let error as InputError {
            return (out, error, reader.info)
        }
        return (out, nil, reader.info)
    }

    /// Runs a program to its end; its standard output and error come back together.
    /// A failure (non-zero exit) throws, with that text.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ProgramFailed(description: "\(executable) \(arguments.joined(separator: " ")) exited with "
                                + "\(process.terminationStatus):\n\(text)")
        }
        return text
    }

    struct ProgramFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// (rule, resource id) of each finding, sorted: what most assertions compare.
    static func pairs(_ result: AuditResult) -> [String] {
        result.findings.map { "\($0.rule) \($0.resourceID)" }.sorted()
    }
}
