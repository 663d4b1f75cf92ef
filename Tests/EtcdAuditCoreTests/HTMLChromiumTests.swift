@testable import EtcdAuditCore
import Foundation
import Testing

/// The HTML report as headless Chromium (Debian's `chromium`, scripts/install-deps) shows
/// it, opened from disk: the DOM after the page's script ran (`--dump-dom`), with a filter
/// preset by the URL fragment, and for a page whose values hold markup.
/// Host names resolve nowhere: a page that fetched anything would show it as missing.
struct HTMLChromiumTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The DOM of `file#fragment` once its scripts ran.
    static func dumpDOM(_ file: String, fragment: String = "") throws -> String {
        let browser = try #require(chromium, "chromium is not installed: scripts/install-deps installs it")
        let profile = try TestSupport.temporaryDirectory().path
        var arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                         "--user-data-dir=\(profile)", "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000"]
        arguments += ["--dump-dom", URL(fileURLWithPath: file).absoluteString + fragment]
        let run = try TestSupport.run(browser, arguments)
        #expect(run.out.contains("<body"), "chromium showed no page: \(run.err.suffix(2000))")
        return run.out
    }

    static func page(_ inputs: [String]) throws -> String {
        let html = try HTMLReporterTests.render(inputs)
        return try TestSupport.temporaryFile(html, name: "report.html")
    }

    /// Rows of the findings table as the DOM has them: (rule, severity, hidden).
    static func rows(_ dom: String) -> [(rule: String, severity: String, hidden: Bool)] {
        dom.components(separatedBy: "<tr data-rule=\"").dropFirst().map { row in
            let tag = row.prefix { $0 != ">" }
            let rule = String(tag.prefix { $0 != "\"" })
            let severity = tag.components(separatedBy: "data-severity=\"").dropFirst().first?.prefix { $0 != "\"" } ?? ""
            return (rule, String(severity), tag.contains(" hidden"))
        }
    }

    @Test func everyFindingIsARowAndTheFragmentFiltersThem() throws {
        let file = try Self.page(GoldenReportTests.seeds)
        let all = try Self.dumpDOM(file)
        #expect(Self.rows(all).count == 7)
        #expect(Self.rows(all).allSatisfy { !$0.hidden })
        #expect(all.contains("7 of 7 findings shown"))
        #expect(!all.contains("<form id=\"filters\" hidden"), "the script shows the filters")

        let errors = try Self.dumpDOM(file, fragment: "#severity=error")
        #expect(Self.rows(errors).filter { !$0.hidden }.map(\.rule) == ["unique.vmi", "unique.vmi"])
        #expect(Self.rows(errors).filter(\.hidden).allSatisfy { $0.severity != "error" })
        #expect(errors.contains("2 of 7 findings shown"))

        let text = try Self.dumpDOM(file, fragment: "#rule=refs.duplicate&q=jinja_subnets")
        #expect(Self.rows(text).filter { !$0.hidden }.map(\.rule) == ["refs.duplicate"])
        #expect(text.contains("1 of 7 findings shown"))

        // A value the select does not offer is ignored, not an empty table.
        let unknown = try Self.dumpDOM(file, fragment: "#rule=no.such.rule")
        #expect(Self.rows(unknown).allSatisfy { !$0.hidden })
    }

    /// Markup in the store's values stays text in the rendered page: no element comes of it,
    /// and no script of it ran (it would have renamed the page).
    @Test func markupInValuesRendersAsText() throws {
        let sample = try HTMLReporterTests.hostileSample()
        let result = Auditor(catalog: TestSupport.catalog).audit(paths: [sample])
        let file = try TestSupport.temporaryFile(try HTMLReporter().render(result, options: HTMLReporterTests.options()),
                                                 name: "hostile.html")
        let dom = try Self.dumpDOM(file)
        #expect(!dom.contains("<img"))
        #expect(!dom.contains("<svg onload"))
        #expect(dom.contains("<title>etcd-audit report</title>"))
        #expect(dom.contains("&lt;/script&gt;&lt;img src=x onerror="))
        #expect(dom.components(separatedBy: "<script").count == 2, "only the page's own script")
    }
}
