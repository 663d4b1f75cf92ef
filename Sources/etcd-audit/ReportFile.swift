import Foundation

/// Writes an `--output` report so that a reader never sees half of it: into a temporary
/// file beside the target, then renamed over it (rename is atomic within a filesystem).
/// node_exporter's textfile collector requires this (it may read while we write), and a
/// nightly job's last report then stays whole if the run is killed. The temporary name
/// starts with `.` and does not end in `.prom`, so the collector never reads it.
enum ReportFile {
    static func write(_ data: Data, to destination: String) throws {
        var status = stat()
        if stat(destination, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
            // /dev/stdout, /dev/null, a pipe: renaming would replace the device itself.
            try data.write(to: URL(fileURLWithPath: destination))
            return
        }
        let target = URL(fileURLWithPath: destination)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(getpid()).tmp")
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
