import EtcdAuditCore
import Foundation

// libFuzzer entry points (scripts/fuzz builds this target with -sanitize=fuzzer and
// -DFUZZING). Each input is audited as one dump, in the format FUZZ_FORMAT names
// (markdown, etcdctl, etcdctl-json, jsonl) or detected (auto, the whole pipeline), and
// every report is rendered. Any crash, hang, leak or sanitizer report is a bug.

#if FUZZING
private let catalog = try! Catalog.builtIn()
private let format = ProcessInfo.processInfo.environment["FUZZ_FORMAT"].flatMap(InputFormat.init(rawValue:))
private let jobs = Int(ProcessInfo.processInfo.environment["FUZZ_JOBS"] ?? "1") ?? 1

// memfd_create is behind _GNU_SOURCE in glibc's headers, so Glibc does not export it.
@_silgen_name("memfd_create")
private func memfdCreate(_ name: UnsafePointer<CChar>, _ flags: UInt32) -> Int32

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    // The readers take a path: an anonymous in-memory file gives them one.
    let fd = memfdCreate("etcd-audit-fuzz", 0)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var written = 0
    while written < size {
        let n = write(fd, data + written, size - written)
        if n <= 0 { return 0 }
        written += n
    }
    let result = Auditor(catalog: catalog).audit(paths: ["/proc/self/fd/\(fd)"], format: format, jobs: jobs)
    for report in ReportFormat.allCases {
        _ = try? Reporters.reporter(for: report).render(result, options: ReportOptions(failOn: .warning))
    }
    return 0
}

// SwiftPM links an executable's entry as `<module>_main`; hand it to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

@_cdecl("etcd_audit_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return withUnsafeMutablePointer(to: &count) { countPointer in
        withUnsafeMutablePointer(to: &arguments) { argumentsPointer in
            argumentsPointer.withMemoryRebound(to: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?.self, capacity: 1) {
                runDriver(countPointer, $0) { data, size in fuzzOneInput(data, size) }
            }
        }
    }
}
#else
@main
struct FuzzEntry {
    static func main() {
        print("etcd-audit-fuzz is a libFuzzer target: build and run it with scripts/fuzz")
    }
}
#endif
