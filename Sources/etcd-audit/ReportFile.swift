import ArgumentParser
import EtcdAuditCore
import Foundation

/// Writes an `--output` report so that a reader never sees half of it: into a temporary
/// file beside the target, then renamed over it (rename is atomic within a filesystem).
/// node_exporter's textfile collector requires this (it may read while we write), and a
/// nightly job's last report then stays whole if the run is killed. The temporary name
/// starts with `.` and does not end in `.prom`, so the collector never reads it.
enum ReportFile {
    static func write(_ data: Data, to destination: String) throws {
        if !FileIdentity.isRegularOrAbsent(destination) {
            // /dev/stdout, /dev/null, a pipe: renaming would replace the device itself.
            try data.write(to: URL(fileURLWithPath: destination))
            return
        }
        let target = URL(fileURLWithPath: destination)
        let temporary = try temporaryFile(beside: target)
        do {
            try data.write(to: temporary)
            guard rename(temporary.path, target.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination,
                    NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            unlink(temporary.path)
            throw error
        }
    }
}

extension ReportFile {
    /// Where a report is written before it is renamed over `target`. The folders on the way
    /// are made: `--output build/etcd-audit.xml` in a fresh clone has no `build/` yet.
    static func temporaryFile(beside target: URL) throws -> URL {
        let folder = target.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(".\(target.lastPathComponent).\(getpid()).tmp")
    }

    /// A subcommand's one report: to `output` (atomically) or to standard output (nil or
    /// `-`); a failure to write is said and is exit status 2.
    static func emit(_ text: String, to output: String?, report: String) throws {
        guard let output, output != "-" else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try write(Data(text.utf8), to: output)
        } catch {
            printError("etcd-audit: cannot write the \(report) report to \(output): \(errorText(error))")
            throw ExitCode(2)
        }
    }

    /// A report written piece by piece (the findings stream): into the temporary file beside
    /// the target, renamed over it by `commit` — a reader never sees a stream cut short by
    /// a failed or killed run. Standard output and devices are written as they come.
    final class Writer {
        private let handle: FileHandle
        private let temporary: String?
        private let destination: String

        init(_ destination: String) throws {
            self.destination = destination
            if destination == "-" {
                handle = FileHandle.standardOutput
                temporary = nil
                return
            }
            let path: String
            if !FileIdentity.isRegularOrAbsent(destination) {
                path = destination
                temporary = nil
            } else {
                path = try ReportFile.temporaryFile(beside: URL(fileURLWithPath: destination)).path
                temporary = path
            }
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let opened = FileHandle(forWritingAtPath: path) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination,
                    NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
            handle = opened
        }

        func write(_ text: String) throws {
            try handle.write(contentsOf: Data(text.utf8))
        }

        /// The whole report in place.
        func commit() throws {
            guard let temporary else { return }
            try handle.close()
            guard rename(temporary, destination) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination,
                    NSLocalizedDescriptionKey: reason])
            }
        }

        /// Nothing of a stream that failed stays behind.
        func abandon() {
            guard let temporary else { return }
            try? handle.close()
            unlink(temporary)
        }
    }
}
