@testable import EtcdAuditCore
import Foundation
import Testing

/// Inputs that are not plain files, or that no path can name: a gate given one must end,
/// and must not pass without it.
struct SpecialFileTests {
    /// A pipe gives its bytes once: findings are placed from what was read, not by opening
    /// it again (which waited for a second writer forever).
    @Test(.timeLimit(.minutes(1))) func aNamedPipeIsReadOnce() throws {
        let fifo = try TestSupport.temporaryDirectory().appendingPathComponent("dump.md").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TestSupport.path("Samples/broken/tenant.mismatch.md")))
        let writer = Thread {
            let handle = FileHandle(forWritingAtPath: fifo)
            handle?.write(bytes)
            try? handle?.close()
        }
        writer.start()
        let result = Auditor(catalog: TestSupport.catalog).audit(paths: [fifo])
        #expect(result.inputs.first?.error == nil)
        #expect(result.inputs.first?.records ?? 0 > 0)
        #expect(result.findings.contains { $0.rule == "tenant.mismatch" })
    }

    /// Bytes with NUL among the first and no markdown fence are no text any format reads:
    /// said at once, where the markdown fallback read /dev/zero's one endless line into memory.
    @Test(.timeLimit(.minutes(1))) func endlessBinaryInputFailsAtOnce() {
        let result = Auditor(catalog: TestSupport.catalog).audit(paths: ["/dev/zero"])
        #expect(result.inputs.first?.error?.contains("binary data (it holds NUL bytes)") == true)
        #expect(result.inputs.first?.bytes == 0)
    }

    /// A markdown dump whose value holds a NUL byte shows its fences: it is read, and the
    /// value is an invalid-json finding, not a reason to refuse the file.
    @Test func aMarkdownDumpWithANulInAValueIsStillRead() throws {
        let text = "```\n/state/v2.0/ports/11111111-0000-4000-8000-000000000001\n{\"state\": \"a\u{0}b\"}\n```\n"
        let path = try TestSupport.temporaryFile(text, name: "nul.md")
        let result = Auditor(catalog: TestSupport.catalog).audit(paths: [path])
        #expect(result.inputs.first?.error == nil)
        #expect(result.inputs.first?.records == 1)
        #expect(result.findings.contains { $0.rule == "input.invalid-json" })
    }

    /// A walked name that is not UTF-8 comes back from the listing with U+FFFD, which no
    /// path opens: the walk stops (exit 2) rather than skip the file and let a gate pass.
    @Test func aWalkedNameThatIsNotUTF8StopsTheRun() throws {
        let directory = try TestSupport.temporaryDirectory().path
        let name: [CChar] = Array("\(directory)/t-".utf8CString.dropLast()) + [CChar(bitPattern: 0xE9)]
            + Array(".md".utf8CString)
        let descriptor = open(name, O_WRONLY | O_CREAT, 0o600)
        #expect(descriptor >= 0)
        close(descriptor)
        #expect {
            try InputSelection(arguments: [directory])
        } throws: { error in
            (error as? InputError)?.message.contains("is not valid UTF-8 (shown with U+FFFD)") == true
        }
    }
}
