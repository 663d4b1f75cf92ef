@testable import EtcdAuditCore
import Foundation
import Testing

/// `--report html`: the page's content, its escaping of values from the store, `--redact`,
/// the timeline chart `history` will use, and (in HTMLChromiumTests) the page as headless
/// Chromium renders it.
struct HTMLReporterTests {
    static func options(redaction: Redaction? = nil) -> ReportOptions {
        var options = ReportOptions(workingDirectory: TestSupport.root.path)
        options.layouts = TestSupport.catalog.layouts
        options.redaction = redaction
        return options
    }

    static func render(_ relativePaths: [String], redact scope: Redaction.Scope? = nil) throws -> String {
        var result = TestSupport.audit(relativePaths)
        let redaction = scope.map { Redaction(scope: $0, rules: result.rules) }
        redaction?.apply(to: &result)
        return try HTMLReporter().render(result, options: options(redaction: redaction))
    }

    /// The seeds' page byte for byte (`UPDATE_GOLDENS=1` rewrites it).
    @Test func goldenOfBothSeeds() throws {
        let html = try Self.render(GoldenReportTests.seeds)
        let path = TestSupport.path("Samples/golden/both-seeds.html")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] != nil {
            try Data(html.utf8).write(to: URL(fileURLWithPath: path))
            return
        }
        #expect(html == (try String(contentsOfFile: path, encoding: .utf8)),
                "Samples/golden/both-seeds.html differs; regenerate with UPDATE_GOLDENS=1 and review the diff")
    }

    @Test func theSeedsPageHasEveryFindingItsRecordsAndTheirWriteOrder() throws {
        let result = TestSupport.audit(GoldenReportTests.seeds)
        let html = try HTMLReporter().render(result, options: Self.options())
        #expect(html.components(separatedBy: "<tr data-rule=").count - 1 == result.findings.count)
        for finding in result.findings {
            #expect(html.contains("data-rule=\"\(finding.rule)\" data-severity=\"\(finding.severity.rawValue)\" data-type=\"port\""))
        }
        // Both ports, each with its records (six for the update seed's, five for the other).
        #expect(html.contains("<h3>port <code>23464cbc-d910-430a-93f7-3776ea07f992</code></h3>\n<p class=\"muted\">5 findings, 6 records shown"))
        #expect(html.contains("<h3>port <code>ddc14be4-3480-4e97-a978-817b18f9904c</code></h3>\n<p class=\"muted\">2 findings, 5 records shown"))
        // The state's heat_outputs string, decoded into its outputs.
        #expect(html.contains("<code>/state/heat_outputs</code>, decoded from its string: 7 outputs"))
        #expect(html.contains("0 resources without findings are not listed"))
        // Markdown seeds carry no revisions.
        #expect(html.contains("No record has a mod_revision"))
        // Nothing to fetch (the store's own URLs are text).
        #expect(!html.contains("<link") && !html.contains(" src=") && !html.contains("href=\"http") && !html.contains("url("))
    }

    /// The snapshot carries revisions: each resource's writes in mod_revision order.
    @Test func writeOrderOfTheSnapshot() throws {
        let html = try Self.render(["Samples/fixtures/seeds.snapshot.db"])
        let section = try #require(html.components(separatedBy: "<h3>port <code>23464cbc").dropFirst().first)
        let writes = try #require(section.components(separatedBy: "<ol class=\"writes\">").dropFirst().first?
            .components(separatedBy: "</ol>").first)
        let revisions = writes.components(separatedBy: "<li><code>").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(revisions.count == 6)
        #expect(revisions == revisions.sorted())
        #expect(section.contains("mod_revision \(revisions.last!)"))
    }

    /// `check SNAPSHOT --revision N`: the records shown are those of revision N, read again
    /// from the file at N (no later write shows).
    @Test func aSnapshotAtARevisionShowsItsRecordsAsTheyWereThen() throws {
        var result = TestSupport.audit(["Samples/fixtures/seeds.snapshot.db"], revision: 8)
        result.inputs[0].revision = 8
        let html = try HTMLReporter().render(result, options: Self.options())
        let revisions = html.components(separatedBy: " · mod_revision ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(!revisions.isEmpty)
        #expect(revisions.allSatisfy { $0 <= 8 }, "\(revisions)")
        #expect(revisions.contains(8))
    }

    /// The command line writes the golden page: same bytes, no timestamp.
    @Test func theCommandLineWritesTheGoldenPage() throws {
        let run = try TestSupport.run(CommandLineTests.binary, ["check", "--no-config", "--quiet"] + GoldenReportTests.seeds
                                      + ["--report", "html"])
        #expect(run.code == 1)
        #expect(run.out == (try String(contentsOfFile: TestSupport.path("Samples/golden/both-seeds.html"), encoding: .utf8)))
    }

    /// A sample whose values hold markup: one page, and no value of the store becomes markup.
    static func hostileSample() throws -> String {
        var text = try String(contentsOfFile: TestSupport.path("Samples/broken/monitoring.failed.md"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"example-port\"", with: #""</script><img src=x onerror=\"document.title='pwned'\">""#)
        text = text.replacingOccurrences(of: "\"vmi\": \"FAIL\"",
                                         with: #""vmi": "FAIL", "note": "</pre><script>document.title='pwned'</script>&amp;\u0001""#)
        // A value that is not JSON at all is shown as text.
        text += "\n```\n/state/v2.0/ports/aaaaaaaa-0000-4000-8000-000000000001\n{\"state\": \"</textarea><svg onload=alert(1)>\n```\n"
        return try TestSupport.temporaryFile(text, name: "hostile.md")
    }

    @Test func valuesFromTheStoreStayText() throws {
        let path = try Self.hostileSample()
        let result = Auditor(catalog: TestSupport.catalog).audit(paths: [path])
        #expect(result.findings.contains { $0.rule == "monitoring.failed" })
        #expect(result.findings.contains { $0.rule == "input.invalid-json" })
        let html = try HTMLReporter().render(result, options: Self.options())
        #expect(!html.contains("<img"))
        #expect(!html.contains("<svg onload"))
        #expect(html.components(separatedBy: "<script>").count == 2, "only the page's own script")
        #expect(html.contains("&lt;/script&gt;&lt;img src=x onerror=\\&quot;document.title=&#39;pwned&#39;\\&quot;&gt;"))
        #expect(html.contains("&lt;/pre&gt;&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;&amp;amp;\\u0001"))
        #expect(html.contains("{&quot;state&quot;: &quot;&lt;/textarea&gt;&lt;svg onload=alert(1)&gt;"))
    }

    /// With scripts off (Chromium's --dump-dom needs them, so this reads the file): every
    /// row shows, and only the filters, which need the script, are hidden.
    @Test func withoutScriptsEveryRowShows() throws {
        let html = try Self.render(GoldenReportTests.seeds)
        #expect(html.components(separatedBy: " hidden").count - 1 == 1)
        #expect(html.contains("<form id=\"filters\" hidden>"))
    }

    @Test func escapeTurnsMarkupAndControlsIntoText() {
        #expect(HTML.escape("<a href='x'>&\"</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;")
        #expect(HTML.escape("a\u{0}b\u{1b}c\nd\te\u{7f}") == "a\u{2400}b\u{241b}c\nd\te\u{2421}")
        // Every byte the escape may change, beside text beyond ASCII it must leave alone.
        #expect(HTML.escape("\r\u{1f}é🚀 plain") == "\u{240d}\u{241f}é🚀 plain")
        #expect(HTML.escape("unchanged: é 🚀 \n\t") == "unchanged: é 🚀 \n\t")
    }

    /// `--redact`: the records' values are digests (those the findings use), never the store's.
    @Test func redactedPagesShowNoValueOfTheStore() throws {
        let html = try Self.render([GoldenReportTests.seeds[1]], redact: .values)
        for secret in ["fa:16:3e:84:84:13", "fe3a4a1a72c04479bb6c19c2c0ccba4c", "load_balancer-user-port", "10.225.225.3",
                       "f68d0924-ef20-4c1b-ac45-0e6b879af5e7"] {
            #expect(!html.contains(secret), "\(secret) shows in a redacted page")
        }
        #expect(html.contains(Redaction.digest("fa:16:3e:84:84:13")))
        #expect(html.contains("&quot;version&quot;: &quot;\(Redaction.digest("3"))&quot;"))
        #expect(html.contains("23464cbc-d910-430a-93f7-3776ea07f992"), "--redact values keeps ids")
        #expect(!html.contains("<code>monitoring_link</code>"), "output keys are the store's")
        let ids = try Self.render([GoldenReportTests.seeds[1]], redact: .ids)
        #expect(!ids.contains("23464cbc-d910-430a-93f7-3776ea07f992"))
        #expect(ids.contains("/config/v2.0/ports/" + Redaction.digest("23464cbc-d910-430a-93f7-3776ea07f992", tag: "id")))
    }

    /// Standard input cannot be read again: the page says so instead of showing records.
    @Test func recordsOfStandardInputAreNotShown() throws {
        var result = TestSupport.audit([GoldenReportTests.seeds[1]])
        result.inputs[0].path = "-"
        let html = try HTMLReporter().render(result, options: Self.options())
        #expect(html.contains("Records of <code>-</code> are not shown: standard input cannot be read again."))
        #expect(html.contains("No record of it could be read again."))
    }

    @Test func timelineDrawsOneLinePerSeverityInRevisionOrder() {
        let svg = HTML.timeline([(revision: 30, counts: [.error: 1]), (revision: 10, counts: [:]),
                                 (revision: 20, counts: [.error: 2, .warning: 1])])
        #expect(svg.hasPrefix("<svg class=\"timeline\""))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 3)
        // x from 48 (revision 10) to 704 (revision 30); y from 204 (0) to 16 (the peak, 2).
        #expect(svg.contains("class=\"error\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"48,204 376,16 704,110\""))
        #expect(svg.contains("class=\"warning\" fill=\"none\" stroke=\"#d68910\" stroke-width=\"2\" points=\"48,204 376,110 704,204\""))
        #expect(svg.contains("points=\"48,204 376,204 704,204\""), "info: none at any revision")
        #expect(svg.contains(">revision 10</text>") && svg.contains(">30</text>"))
        #expect(HTML.timeline([]).contains(">no revisions</text>"))
        #expect(HTML.timeline([(revision: 5, counts: [.info: 3])]).contains("points=\"376,16\""))
    }
}
