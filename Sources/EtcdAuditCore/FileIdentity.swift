import Foundation

/// Which file a path names, whatever its spelling (`fixtures/a.md`, `./fixtures/a.md`, a
/// link to it): its device and inode when it exists, else its absolute path made standard.
/// A file named twice is audited once; a report may not go over an input, nor two reports
/// into one file.
public struct FileIdentity: Hashable, Sendable {
    private let device: UInt64
    private let inode: UInt64
    private let path: String

    public init(_ path: String) {
        var status = stat()
        if stat(path, &status) == 0 {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
            self.path = ""
        } else {
            device = 0
            inode = 0
            self.path = URL(fileURLWithPath: path).standardizedFileURL.path
        }
    }

    /// Whether the path is a regular file (or nothing yet): not a device, a pipe or
    /// `/dev/stdout`, which many reports may share.
    public static func isRegularOrAbsent(_ path: String) -> Bool {
        let type = fileType(path)
        return type == nil || type == S_IFREG
    }

    /// Whether the path is a regular file: one that gives the same bytes when read again
    /// (findings are placed, and records shown, from the inputs read again), where a pipe
    /// or a device gives its bytes once (a FIFO opened again waited for a writer forever).
    public static func isRegular(_ path: String) -> Bool { fileType(path) == S_IFREG }

    private static func fileType(_ path: String) -> mode_t? {
        var status = stat()
        return stat(path, &status) == 0 ? status.st_mode & S_IFMT : nil
    }
}
