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
    static func audit(_ relativePaths: [String], format: InputFormat? = nil, revision: Int64? = nil,
                      catalog: Catalog = catalog) -> AuditResult {
        relativize(Auditor(catalog: catalog).audit(paths: relativePaths.map(path), format: format, revision: revision))
    }

    /// `check --per-file` on files and directories given relative to the package root.
    static func auditPerFile(_ relativePaths: [String], filter: PathFilter = PathFilter()) throws -> AuditResult {
        let selection = try InputSelection(arguments: relativePaths.map(path), filter: filter)
        return relativize(Auditor(catalog: catalog).audit(selection, perFile: true))
    }

    /// The result with the package root left out of every path it names.
    static func relativize(_ result: AuditResult) -> AuditResult {
        var result = result
        let prefix = root.path + "/"
        func strip(_ p: String) -> String { p.hasPrefix(prefix) ? String(p.dropFirst(prefix.count)) : p }
        for i in result.files?.indices ?? 0..<0 { result.files![i].path = strip(result.files![i].path) }
        for i in result.skippedFiles.indices { result.skippedFiles[i].path = strip(result.skippedFiles[i].path) }
        for i in result.inputs.indices {
            result.inputs[i].path = strip(result.inputs[i].path)
            if let error = result.inputs[i].error { result.inputs[i].error = error.replacingOccurrences(of: prefix, with: "") }
            for j in result.inputs[i].problems.indices {
                result.inputs[i].problems[j].location.path = strip(result.inputs[i].problems[j].location.path)
            }
        }
        for i in result.findings.indices {
            result.findings[i].location.path = strip(result.findings[i].location.path)
            for j in result.findings[i].related.indices {
                result.findings[i].related[j].location.path = strip(result.findings[i].related[j].location.path)
            }
            // Some messages name other records' places (input.duplicate-key).
            result.findings[i].message = result.findings[i].message.replacingOccurrences(of: prefix, with: "")
        }
        return result
    }

    /// Every temporary folder of one test run lives under this one, removed when the run
    /// exits, so thousands of runs do not leave thousands of folders behind.
    private static let temporaryRoot: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-audit-tests-\(getpid())")
        try? FileManager.default.removeItem(at: root)  // a pid reused after a crashed run
        atexit { try? FileManager.default.removeItem(at: TestSupport.temporaryRoot) }
        return root
    }()

    /// A new empty folder for one test.
    static func temporaryDirectory() throws -> URL {
        let dir = temporaryRoot.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes `text` to a new temporary file and returns its path.
    static func temporaryFile(_ text: String, name: String = "input.txt") throws -> String {
        try temporaryFile(Array(text.utf8), name: name)
    }

    static func temporaryFile(_ bytes: [UInt8], name: String) throws -> String {
        let url = try temporaryDirectory().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// The entries of a folder that drives parameterized tests, sorted. A folder that is
    /// missing, cannot be read or holds nothing that `keep` accepts gives one entry that
    /// stands for the failure (`Discovery.check` fails the test with it): an empty argument
    /// list would run no test and pass.
    static func discover(_ folder: String, _ keep: (String) -> Bool = { _ in true }) -> [String] {
        do {
            let names = try FileManager.default.contentsOfDirectory(atPath: path(folder)).filter(keep).sorted()
            return names.isEmpty ? [Discovery.marker + "\(folder) holds nothing to test"] : names
        } catch {
            return [Discovery.marker + "\(folder) cannot be listed: \(error)"]
        }
    }

    /// (rule, resource id) of each finding, sorted: what most assertions compare.
    static func pairs(_ result: AuditResult) -> [String] {
        result.findings.map { "\($0.rule) \($0.resourceID)" }.sorted()
    }

    /// Runs a program from the package root (or `directory`) and waits for it. Standard
    /// output goes to `stdoutFile` when given (large dumps), else it is returned with
    /// standard error. The environment is this one's with `environment` added, less the
    /// ETCDCTL_* variables etcd-audit and etcdctl read: a developer's own must not change
    /// what the tests see.
    static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil, stdoutFile: String? = nil,
                    in directory: URL? = nil, environment: [String: String] = [:]) throws
        -> (code: Int32, out: String, err: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ETCDCTL_") }
            .merging(environment) { $1 }
        process.currentDirectoryURL = directory ?? root
        let out = Pipe(), err = Pipe(), input = Pipe()
        if let stdoutFile {
            _ = FileManager.default.createFile(atPath: stdoutFile, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutFile))
        } else {
            process.standardOutput = out
        }
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Both pipes are drained at once: a child that fills one while we wait on the
        // other would never finish.
        nonisolated(unsafe) var errData = Data()
        let errDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            errDone.signal()
        }
        let outData = stdoutFile == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        errDone.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// The full path of a program on PATH, or nil.
    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Every record one input gives, read with `format` (detected when nil) at `revision`
    /// (nil: the newest; snapshots), and the input
    /// error that stopped the reading, if one did.
    static func records(at path: String, format: InputFormat?, revision: Int64? = nil) throws
        -> (records: [RawRecord], error: InputError?, info: InputInfo)
    {
        let reader = try InputOpener.open(path: path, format: format, revision: revision) { catalog.layouts.match($0) != nil }.reader
        var out: [RawRecord] = []
        do {
            while var record = try reader.next() {
                record.decodeValue()
                out.append(record)
            }
        } catch let error as InputError {
            return (out, error, reader.info)
        }
        return (out, nil, reader.info)
    }

    /// Runs a program to its end; its standard output and error come back together.
    /// A failure (non-zero exit) throws, with that text.
    @discardableResult
    static func runChecked(_ executable: String, _ arguments: [String]) throws -> String {
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

    /// A test argument that stands for a folder where discovery found nothing.
    struct Discovery: Error, CustomStringConvertible {
        static let marker = "(discovery failed) "
        var description: String

        /// Throws when `name` is the stand-in of a failed discovery, not a real entry.
        static func check(_ name: String) throws {
            if name.hasPrefix(marker) { throw Discovery(description: String(name.dropFirst(marker.count))) }
        }
    }

}

extension PathSelection {
    /// The values `selections` (in slot order) name in `root`, packed as the store keeps them.
    static func select(_ selections: [KeptSelection], in root: JSONCursor, resourceID: String) -> SelectedValues {
        CompiledSelections(selections).select(in: root, resourceID: resourceID)
    }

    /// The values `selections` name, each kept whatever it holds.
    static func select(_ selections: [ValueSelection], in root: JSONCursor, resourceID: String) -> SelectedValues {
        select(selections.sorted { $0.slot < $1.slot }.map { KeptSelection(selection: $0, keep: .always) },
               in: root, resourceID: resourceID)
    }
}
