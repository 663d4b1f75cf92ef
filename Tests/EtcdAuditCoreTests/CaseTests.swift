import EtcdAuditCore
import Foundation
import Testing

/// Tests/Cases/<case>/: an `input*` file and `expected.json` with the exit code, the
/// findings as "rule resource-id" (a multiset), and optionally text the input error must
/// contain. Adding a case needs no code.
struct CaseTests {
    static var caseNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: TestSupport.path("Tests/Cases"))) ?? []).sorted()
    }

    struct Expected: Decodable {
        var exit: Int32
        var findings: [String]
        var format: String?
        var error_contains: String?
    }

    @Test("bad-input case", arguments: caseNames)
    func run(name: String) throws {
        let dir = "Tests/Cases/\(name)"
        let files = try FileManager.default.contentsOfDirectory(atPath: TestSupport.path(dir))
        let inputs = files.filter { $0.hasPrefix("input") }.sorted().map { "\(dir)/\($0)" }
        #expect(!inputs.isEmpty, "\(dir) has no input file")
        let expected = try JSONDecoder().decode(Expected.self,
                                                from: Data(contentsOf: URL(fileURLWithPath: TestSupport.path("\(dir)/expected.json"))))
        let result = TestSupport.audit(inputs, format: expected.format.flatMap(InputFormat.init(rawValue:)))
        #expect(TestSupport.pairs(result) == expected.findings.sorted())
        #expect(result.exitCode(failOn: .error) == expected.exit)
        if let gist = expected.error_contains {
            let errors = result.inputs.compactMap(\.error).joined(separator: "\n")
            #expect(errors.contains(gist), "input errors: \(errors)")
        }
    }
}
