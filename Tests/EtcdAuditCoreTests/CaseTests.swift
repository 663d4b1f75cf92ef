import EtcdAuditCore
import Foundation
import Testing

/// Tests/Cases/<case>/: `input*` files, optionally a `rules/` folder (as `--rules`), and
/// `expected.json`: the exit code, the findings as "rule resource-id" (a multiset), and
/// optionally text the input error or the rules error must contain, and the revision to
/// read the inputs at (`--revision`). Adding a case needs no code.
struct CaseTests {
    static var caseNames: [String] { TestSupport.discover("Tests/Cases") }

    struct Expected: Decodable {
        var exit: Int32
        var findings: [String]
        var format: String?
        var revision: Int64?
        var error_contains: String?
        var rules_error_contains: [String]?
        /// How many parts of the inputs could not be read as records (InputProblem).
        var problems: Int?
    }

    @Test("bad-input case", arguments: caseNames)
    func run(name: String) throws {
        try TestSupport.Discovery.check(name)
        let dir = "Tests/Cases/\(name)"
        let files = try FileManager.default.contentsOfDirectory(atPath: TestSupport.path(dir))
        let inputs = files.filter { $0.hasPrefix("input") }.sorted().map { "\(dir)/\($0)" }
        let expected = try JSONDecoder().decode(Expected.self,
                                                from: Data(contentsOf: URL(fileURLWithPath: TestSupport.path("\(dir)/expected.json"))))
        var catalog = TestSupport.catalog
        if files.contains("rules") {
            do {
                catalog = try Catalog.load(rulesDirectory: TestSupport.path("\(dir)/rules"))
                #expect(expected.rules_error_contains == nil, "\(dir): the rules loaded, expected an error")
            } catch {
                let message = "\(error)"
                for gist in expected.rules_error_contains ?? [] {
                    #expect(message.contains(gist), "\(dir): the error should name \(gist): \(message)")
                }
                #expect(expected.rules_error_contains != nil, "\(dir): \(message)")
                #expect(expected.exit == 2)
                return
            }
        }
        #expect(!inputs.isEmpty, "\(dir) has no input file")
        let result = TestSupport.audit(inputs, format: expected.format.flatMap(InputFormat.init(rawValue:)),
                                       revision: expected.revision, catalog: catalog)
        #expect(TestSupport.pairs(result) == expected.findings.sorted())
        #expect(result.exitCode(failOn: .error) == expected.exit)
        #expect(result.inputs.reduce(0) { $0 + $1.problems.count } == expected.problems ?? 0,
                "\(dir): problems \(result.inputs.flatMap(\.problems).map(\.message))")
        if let gist = expected.error_contains {
            let errors = result.inputs.compactMap(\.error).joined(separator: "\n")
            #expect(errors.contains(gist), "input errors: \(errors)")
        }
    }
}
