import Foundation

/// Records, megabytes and rate on stderr while a long audit runs on a terminal; never in
/// a report.
final class Progress {
    private let started: Date
    private var last = Date.distantPast
    private var shown = false

    init(started: Date) {
        self.started = started
    }

    func update(records: Int, bytes: Int) {
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.5, now.timeIntervalSince(started) >= 1 else { return }
        last = now
        shown = true
        let mb = Double(bytes) / 1_048_576
        let rate = mb / max(now.timeIntervalSince(started), 0.001)
        let line = String(format: "\r%d records, %.0f MB read, %.1f MB/s ", records, mb, rate)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func done() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
