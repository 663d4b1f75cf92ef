import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A broken container: the input cannot be read on from `offset`. Exit code 2.
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var offset: Int?
    public var message: String

    public init(path: String, offset: Int?, message: String) {
        self.path = path
        self.offset = offset
        self.message = message
    }

    public var description: String {
        if let offset { return "\(path): at byte \(offset): \(message)" }
        return "\(path): \(message)"
    }
}

/// An error as a person reads it: for a file, the system's reason ("No such file or
/// directory"), not Foundation's dump of the whole NSError.
public func errorText(_ error: Error) -> String {
    let bridged = error as NSError
    if bridged.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(bridged.code))) }
    // On Linux the underlying error is held as a Swift `Error`, which `as? NSError` misses.
    if let underlying = (bridged.userInfo[NSUnderlyingErrorKey] as? Error).map({ $0 as NSError }),
       underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if bridged.domain == NSCocoaErrorDomain {
        return bridged.userInfo[NSLocalizedDescriptionKey] as? String ?? bridged.localizedDescription
    }
    return "\(error)"
}

/// Bytes of one input, read in chunks through zlib, which passes plain files through
/// unchanged and inflates gzip ones, so every reader gets `.gz` and stdin for free.
final class ByteSource {
    let path: String
    private var file: gzFile?
    /// The buffered bytes, in memory of our own: an array read through `withUnsafeBytes`
    /// made a dynamic exclusivity check on every `withAvailable`, once per token framed.
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var eof = false
    /// Uncompressed bytes handed out before `buffer[start]`.
    private var consumedBefore = 0
    /// The fault that ended the input, once met.
    private var failure: InputError?
    /// The most a plain file's read takes at once (`chunkSize`): the whole input is read a
    /// megabyte at a time, the locator's records a few kilobytes at each place.
    private let readSize: Int

    init(path: String, chunkSize: Int = 1 << 20) throws {
        self.path = path
        readSize = max(chunkSize, 1)
        let fd: Int32 = path == "-" ? dup(0) : open(path, O_RDONLY)
        guard fd >= 0 else {
            throw InputError(path: path, offset: nil, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw InputError(path: path, offset: nil, message: "is a directory, not a dump")
        }
        guard let file = gzdopen(fd, "rb") else {
            close(fd)
            throw InputError(path: path, offset: nil, message: "cannot open for reading")
        }
        // zlib inflates a whole internal buffer (twice this size) before handing any of
        // it out, and drops it on corrupt data: keep it small so little is lost. It also
        // reads a plain file through that buffer, for a read of less than twice its size:
        // no larger than the reads asked (the locator's), which it would read whole again
        // after every seek.
        gzbuffer(file, UInt32(min(32 * 1024, max(chunkSize / 2, 1024))))
        self.file = file
        self.buffer = .allocate(byteCount: max(chunkSize, 1), alignment: 1)
        // A UTF-8 byte order mark belongs to the file, not to its first key or value.
        if try fill(atLeast: 3) >= 3, withAvailable({ $0.starts(with: [0xEF, 0xBB, 0xBF]) }) { consume(3) }
    }

    /// Bytes already in memory (a page of the gateway's answer), as if they stood at
    /// `offset` of a longer input, so locations run on from page to page.
    init(path: String, bytes: [UInt8], offset: Int) {
        self.path = path
        file = nil
        buffer = .allocate(byteCount: max(bytes.count, 1), alignment: 1)
        buffer.copyBytes(from: bytes)
        end = bytes.count
        eof = true
        readSize = 0  // nothing more is read
        consumedBefore = offset
    }

    deinit {
        if let file { gzclose_r(file) }
        buffer.deallocate()
    }

    /// Offset (in uncompressed bytes) of the next unread byte.
    var offset: Int { consumedBefore + start }

    /// Ensures at least `count` unread bytes are buffered unless the input ends first.
    /// Returns the number available.
    @discardableResult @inline(__always)
    func fill(atLeast count: Int) throws -> Int {
        // Nearly always the bytes are there: the framer asks before every token.
        let available = end - start
        return available >= count ? available : try refill(atLeast: count)
    }

    private func refill(atLeast count: Int) throws -> Int {
        // A fault is met again by whoever reads on: a fill that let it pass (detection's)
        // must not hide it from the reader, which reads up to it first.
        if let failure { throw failure }
        while end - start < count, !eof {
            if start > 0 {
                // Slide the unread tail to the front before reading more.
                let unread = end - start
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: unread)  // may overlap
                consumedBefore += start
                start = 0
                end = unread
            }
            if buffer.count - end < max(count - (end - start), 64 * 1024) {
                let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count + max(buffer.count, count), alignment: 1)
                grown.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
                buffer.deallocate()
                buffer = grown
            }
            // Small reads of gzip: when zlib meets corrupt data it drops what that call
            // inflated, so the records before the fault still come through. A plain file
            // is read whole chunks at a time: zlib then reads straight into our buffer
            // (below twice its own buffer's size it copies every byte through that).
            let free = buffer.count - end
            let want = UInt32(min(gzdirect(file) == 1 ? readSize : 64 * 1024, free, Int(Int32.max)))
            let got = gzread(file, buffer.baseAddress! + end, want)
            if got < 0 { throw failed() }
            if got == 0 {
                eof = true
                // zlib reports a truncated gzip member only here, after the last byte.
                var code: Int32 = 0
                _ = gzerror(file, &code)
                if code != Z_OK { throw failed() }
            }
            end += Int(got)
        }
        return end - start
    }

    /// The fault zlib met, kept for the fills after this one.
    private func failed() -> InputError {
        let error = gzipError()
        failure = error
        return error
    }

    private func gzipError() -> InputError {
        var code: Int32 = 0
        let text = gzerror(file, &code)
        var detail = text.map { String(cString: $0) } ?? "zlib error \(code)"
        // zlib names the stream "<fd:N>: "; the path is already in the message.
        if detail.hasPrefix("<fd:"), let colon = detail.range(of: ": ") { detail = String(detail[colon.upperBound...]) }
        let what: String
        switch code {
        case Z_DATA_ERROR: what = "gzip data is corrupt"
        case Z_BUF_ERROR: what = "gzip data ends early (cut off?)"
        default: what = "cannot read"
        }
        return InputError(path: path, offset: offset + (end - start), message: "\(what): \(detail)")
    }

    func withAvailable<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
    }

    func consume(_ count: Int) {
        precondition(count <= end - start)
        start += count
    }

    var atEnd: Bool { eof && start == end }

    /// Moves forward to `target` (the locator re-reads records at their offsets, in
    /// order): within what is buffered, else with `gzseek`, which seeks a plain file and
    /// inflates a `.gz` one up to there. False when `target` is behind what is buffered.
    func seek(to target: Int) throws -> Bool {
        // Still buffered (also a little behind: the etcdctl reader reads the next key
        // line to know that a value ended).
        if target >= consumedBefore, target <= consumedBefore + end {
            start = target - consumedBefore
            return true
        }
        if target < offset { return false }
        guard let file, gzseek(file, target, SEEK_SET) == target else { throw gzipError() }
        consumedBefore = target
        start = 0
        end = 0
        eof = false
        return true
    }

    /// A descriptor for random access to the uncompressed bytes, before any is consumed
    /// (snapshots are read by page, not as a stream). A plain file is opened again as it
    /// is; a `.gz` file or stdin is inflated into a temporary file, deleted at once so
    /// that it goes away with the descriptor whatever happens (it needs the disk space
    /// of the uncompressed input).
    func randomAccessDescriptor() throws -> Int32 {
        precondition(offset == 0, "random access is only for an input not yet read")
        try fill(atLeast: 1)  // gzdirect can only tell after the first read
        if path != "-", gzdirect(file) == 1 {
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw InputError(path: path, offset: nil, message: "cannot open: \(String(cString: strerror(errno)))")
            }
            return fd
        }
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(directory)/etcd-audit-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw InputError(path: path, offset: nil, message: "cannot make a temporary file in \(directory) to "
                             + "inflate into: \(String(cString: strerror(errno)))")
        }
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        do {
            while try fill(atLeast: 1) > 0 {
                let failure = withAvailable { chunk -> Int32? in
                    var done = 0
                    while done < chunk.count {
                        let wrote = write(fd, chunk.baseAddress! + done, chunk.count - done)
                        if wrote < 0, errno == EINTR { continue }
                        if wrote < 0 { return errno }
                        done += wrote
                    }
                    return nil
                }
                if let failure {
                    throw InputError(path: path, offset: offset, message: "cannot write the inflated input to a "
                                     + "temporary file in \(directory): \(String(cString: strerror(failure)))")
                }
                consume(end - start)
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }
}
