@testable import EtcdAuditCore
import Foundation
import Testing

/// `history --report html`: the timeline counts what `check --revision N` finds at each
/// revision, and sits in the check page of the last revision.
struct HistoryHTMLTests {
    @Test func theTimelineCountsWhatCheckFindsAtEachRevision() throws {
        for since: Int64? in [nil, 5, 9] {
            let history = try HistoryTests.history(since: since)
            let points = HistoryHTMLReport.points(history)
            #expect(points.first?.revision == history.revisions.lowerBound)
            #expect(points.last?.revision == history.revisions.upperBound)
            #expect(points.count >= 4)
            for point in points {
                let checked = TestSupport.audit([HistoryTests.fixture], revision: point.revision).findings
                var expected: [Severity: Int] = [:]
                for finding in checked { expected[finding.severity, default: 0] += 1 }
                #expect(point.counts == expected, "revision \(point.revision) since \(since ?? 0)")
            }
        }
    }

    @Test func thePageIsTheCheckPageWithTheTimeline() throws {
        let history = try HistoryTests.history()
        var options = ReportOptions()
        options.layouts = TestSupport.catalog.layouts
        let page = try HistoryHTMLReport.render(history, options: options)
        let timeline = try #require(page.range(of: "<section id=\"timeline\">"))
        let table = try #require(page.range(of: "<section id=\"findings\">"))
        #expect(timeline.lowerBound < table.lowerBound)
        #expect(page.components(separatedBy: "<polyline").count == 4)
        // The stack write of revision 9 introduced the unique.vmi error on both ports.
        #expect(page.contains("<code>9</code> <code>/esi-worker/heat_stacks/v2.0/ports/23464cbc-d910-430a-93f7-3776ea07f992</code> introduced"))
        #expect(page.contains("cleared"))
        // Nothing to fetch (store values may hold URLs, as escaped text).
        #expect(!page.contains("<link") && !page.contains(" src=\"") && !page.contains("<img"))
        // Everything else is the check page of the last revision.
        let check = try HTMLReporter().render(history.result, options: options)
        #expect(page.replacingOccurrences(of: String(page[timeline.lowerBound..<table.lowerBound]), with: "") == check)
    }

    @Test func theCommandWritesIt() throws {
        let out = try TestSupport.temporaryDirectory().appendingPathComponent("h.html").path
        let run = try TestSupport.run(CommandLineTests.binary, ["history", HistoryTests.fixture, "--report", "html",
                                                                "--output", out])
        #expect(run.code == 1)  // the last revision holds errors
        let page = try String(contentsOfFile: out, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("<section id=\"timeline\">"))
    }
}
