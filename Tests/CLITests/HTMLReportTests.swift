import Foundation
import XCTest

/// report.html's layout (issue #12, item 5), read from the file `run` writes for a small study:
/// 2 encoders × 5 strategies (static, mean, two decays, concat) × 2 reductions × 2 protocols with a
/// compare block. The numbers the page shows are checked against metrics.json and
/// comparison.json of the same folder; the page's script is exercised in headless Chromium.
final class HTMLReportTests: XCTestCase {
    /// The study every test reads (run once per process; about 20 s in a debug build).
    struct Study {
        var dir: URL
        var html: String
        /// metrics.json's variants and comparison.json's comparisons.
        var variants: [[String: Any]]
        var comparisons: [[String: Any]]
        var protocols: [String]
    }

    nonisolated(unsafe) static var cached: Study?
    static let encoders = ["hash-32", "hash-64"], reductions = ["none", "pca(8)"]
    static let metricNames = ["recall@10", "ndcg@10", "hit@10", "coverage@10"]
    static let strategies = ["static", "mean", "decay(half_life_days=7)", "decay(half_life_days=14)", "concat(aggregate=max,window=10)"]

    static func spec(_ name: String, strategies: String, encoders: String = #"[{"name": "hash-32"}, {"name": "hash-64"}]"#,
                     reductions: String = #"[{"method": "none"}, {"method": "pca", "components": 8}]"#,
                     protocols: String = #"[{"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2}, {"kind": "prequential", "history": 0.5, "window_events": 5}]"#,
                     compare: Bool = true) -> String {
        """
        {"name": "\(name)", "dataset": "g.h5", "protocol": \(protocols), "encoders": \(encoders),
         "strategies": \(strategies), "reductions": \(reductions),
         "event_weights": {"view": 1, "click": 1, "cart": 2, "purchase": 3},
         "metrics": ["recall@10", "ndcg@10", "hit@10", "coverage@10"],
         \(compare ? #""compare": {"baseline": "static", "tests": ["paired-t"], "correction": "holm"},"# : "") "seed": 11}
        """
    }

    static func study() throws -> Study {
        if let cached { return cached }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let synth = try runProfileBench(["synth", "--out", "g.h5", "--users", "150", "--items", "240", "--events-per-user", "30", "--seed", "7"], in: dir)
        XCTAssertEqual(synth.status, 0, synth.stderr)
        let strategies = #"[{"name": "static"}, {"name": "mean"}, {"name": "decay", "half_life_days": 7}, {"name": "decay", "half_life_days": 14}, {"name": "concat", "window": 10}]"#
        try spec("html", strategies: strategies).write(to: dir.appendingPathComponent("s.json"), atomically: true, encoding: .utf8)
        let run = try runProfileBench(["run", "s.json", "--out", "r", "--quiet"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        func json(_ file: String) throws -> [String: Any] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("r/" + file))) as? [String: Any])
        }
        let variants = try XCTUnwrap(try json("metrics.json")["variants"] as? [[String: Any]])
        var protocols: [String] = []
        for v in variants { let p = v["protocol"] as! String; if !protocols.contains(p) { protocols.append(p) } }
        let study = Study(dir: dir, html: try String(contentsOf: dir.appendingPathComponent("r/report.html"), encoding: .utf8),
                          variants: variants, comparisons: try XCTUnwrap(try json("comparison.json")["comparisons"] as? [[String: Any]]),
                          protocols: protocols)
        cached = study
        return study
    }

    override class func tearDown() {
        if let dir = cached?.dir { try? FileManager.default.removeItem(at: dir) }
        cached = nil
        super.tearDown()
    }

    // MARK: Heatmaps

    func testOneHeatmapPerMetricProtocolAndReductionWithTheBestCellMarked() throws {
        let s = try Self.study()
        XCTAssertEqual(s.protocols.count, 2)
        XCTAssertEqual(count("<table class=\"heatmap\"", in: s.html), 4 * 2 * 2, "metrics × protocols × reductions")
        for (i, p) in s.protocols.enumerated() {
            let section = try XCTUnwrap(between(s.html, "<section id=\"protocol-\(i + 1)\">", "</section>"))
            for metric in Self.metricNames {
                for r in Self.reductions {
                    let table = try XCTUnwrap(between(section, "<table class=\"heatmap\" data-metric=\"\(metric)\" data-reduction=\"\(r)\">", "</table>"),
                                              "\(p) \(metric) \(r)")
                    XCTAssertEqual(matches("<thead><tr><th class=\"corner\">[^<]*</th>((?:<th>[^<]*</th>)*)</tr>", in: table).first.map {
                        matches("<th>([^<]*)</th>", in: $0[1]).map { $0[1] }
                    }, Self.encoders, "columns are the encoders")
                    XCTAssertEqual(count("<th class=\"strategy\"", in: table), Self.strategies.count, "rows are the strategy ids")
                    let cells = matches("<td class=\"hm-cell( best)?\" data-variant=\"([^\"]+)\" data-mean=\"([^\"]+)\"[^>]*>(.*?)</td>", in: table)
                    XCTAssertEqual(cells.count, Self.strategies.count * Self.encoders.count, "one cell per strategy × encoder")
                    // Rows in strategy order, cells in encoder order: the ids say so.
                    let expectedIDs = Self.strategies.flatMap { st in Self.encoders.map { "\($0)/\(st)/\(r)" } }
                    XCTAssertEqual(cells.map { $0[2] }, expectedIDs)
                    // The best cells: the variants with the highest mean in metrics.json.
                    let grid = s.variants.filter { $0["protocol"] as? String == p && expectedIDs.contains($0["id"] as! String) }
                    let means = grid.map { ($0["id"] as! String, mean($0, metric)) }
                    let top = means.map(\.1).max()!
                    XCTAssertEqual(Set(cells.filter { !$0[1].isEmpty }.map { $0[2] }), Set(means.filter { $0.1 == top }.map(\.0)), "\(p) \(metric) \(r)")
                    for c in cells {
                        XCTAssertEqual(c[4].contains("★"), !c[1].isEmpty, "★ exactly on the best cells: \(c[2])")
                        let m = try XCTUnwrap(means.first { $0.0 == c[2] }?.1)
                        XCTAssertTrue(c[4].contains(String(format: "%.4f", m)), "the cell shows the mean: \(c[4])")
                        if metric != "coverage@10", let ci = interval(grid.first { $0["id"] as? String == c[2] }!, metric) {
                            XCTAssertTrue(c[4].contains(String(format: "%.4f–%.4f", ci.0, ci.1)), "the cell shows the interval: \(c[4])")
                        }
                    }
                }
            }
        }
    }

    // MARK: Colours

    func testStrategyColoursAreFixedByNameAndAgreeInTheLegendAndEveryChart() throws {
        let s = try Self.study()
        let colours = strategyColours(s.html)
        let legend = try XCTUnwrap(between(s.html, "<div class=\"legend\" id=\"legend\">", "</div>"))
        let bars = matches("<svg class=\"chart bar-chart\".*?</svg>", in: s.html).map { $0[0] }.joined()
        let lines = matches("<svg class=\"chart step-chart\".*?</svg>", in: s.html).map { $0[0] }.joined()
        let forests = matches("<svg class=\"chart forest-plot\".*?</svg>", in: s.html).map { $0[0] }.joined()
        let heatmaps = matches("<table class=\"heatmap\".*?</table>", in: s.html).map { $0[0] }.joined()
        for st in Self.strategies {
            let found = try XCTUnwrap(colours[st], st)
            XCTAssertEqual(found.count, 1, "\(st) has one colour everywhere: \(found)")
            for (name, part) in [("legend", legend), ("bar chart", bars), ("per-step lines", lines), ("heatmap rows", heatmaps)] {
                XCTAssertEqual(Array(strategyColours(part)[st] ?? []), Array(found), "\(st) in the \(name)")
            }
            if st != "static" { XCTAssertEqual(Array(strategyColours(forests)[st] ?? []), Array(found), "\(st) in the forest plots") }
        }
        // The palette is keyed by the strategy name: one hue per name, shades for a name's ids.
        XCTAssertEqual(colours["static"], ["#4e79a7"])
        XCTAssertEqual(colours["mean"], ["#f28e2b"])
        XCTAssertEqual(colours["concat(aggregate=max,window=10)"], ["#76b7b2"], "a name's only id gets the hue itself")
        let d7 = try XCTUnwrap(colours["decay(half_life_days=7)"]?.first), d14 = try XCTUnwrap(colours["decay(half_life_days=14)"]?.first)
        XCTAssertNotEqual(d7, d14, "two decays, two shades")
        for d in [d7, d14] {
            let c = rgb(d)
            XCTAssertTrue(c[0] > c[1] && c[0] > c[2], "a shade of decay's red: \(d)")
        }
        XCTAssertLessThan(rgb(d7).reduce(0, +), rgb(d14).reduce(0, +), "the first decay id is the darker")
        XCTAssertEqual(Set(colours.values.flatMap { $0 }).count, Self.strategies.count, "no two strategy ids share a colour")

        // Another spec, its strategies in another order and a learned-free subset: the same name,
        // the same colour.
        let dir = s.dir
        let strategies = #"[{"name": "concat", "window": 10}, {"name": "mean"}, {"name": "static"}]"#
        try Self.spec("order", strategies: strategies, encoders: #"[{"name": "hash-32"}]"#, reductions: #"[{"method": "none"}]"#,
                      protocols: #"{"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2}"#, compare: false)
            .write(to: dir.appendingPathComponent("order.json"), atomically: true, encoding: .utf8)
        let run = try runProfileBench(["run", "order.json", "--out", "order", "--quiet"], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let other = strategyColours(try String(contentsOf: dir.appendingPathComponent("order/report.html"), encoding: .utf8))
        XCTAssertEqual(other["static"], colours["static"])
        XCTAssertEqual(other["mean"], colours["mean"])
        XCTAssertEqual(other["concat(aggregate=max,window=10)"], colours["concat(aggregate=max,window=10)"])
    }

    // MARK: Comparison

    func testSummaryMatrixHasOneVerdictPerStrategyEncoderReductionAndProtocol() throws {
        let s = try Self.study()
        let headline = try XCTUnwrap(s.comparisons.first?["metric"] as? String)
        XCTAssertEqual(headline, "recall@10")
        let table = try XCTUnwrap(between(s.html, "<table class=\"summary-matrix\" data-metric=\"\(headline)\">", "</table>"))
        XCTAssertTrue(try XCTUnwrap(s.html.range(of: "<table class=\"summary-matrix\"")).lowerBound
                      < (try XCTUnwrap(s.html.range(of: "<svg class=\"chart forest-plot\""))).lowerBound, "the section opens with the matrix")
        let compared = Self.strategies.filter { $0 != "static" }
        XCTAssertEqual(count("<th class=\"strategy\"", in: table), compared.count, "a row per compared strategy")
        XCTAssertEqual(matches("<th colspan=\"4\" class=\"enc\">([^<]+)</th>", in: table).map { $0[1] }, Self.encoders, "columns: encoders")
        let cells = matches("<td class=\"sm-cell (better|worse|same)( first)?\" data-variant=\"([^\"]+)\" data-protocol=\"([^\"]+)\" data-verdict=\"([^\"]+)\"[^>]*>([^<]*)</td>", in: table)
        XCTAssertEqual(cells.count, compared.count * Self.encoders.count * Self.reductions.count * s.protocols.count,
                       "strategies × encoders × (reduction, protocol)")
        XCTAssertEqual(count("<td class=\"sm-", in: table), cells.count, "no empty cells")
        // Row by row, encoder by encoder, then protocol and reduction.
        let expected = compared.flatMap { st in Self.encoders.flatMap { e in s.protocols.flatMap { p in Self.reductions.map { (p, "\(e)/\(st)/\($0)") } } } }
        XCTAssertEqual(cells.map { "\($0[4]) \($0[3])" }, expected.map { "\($0.0) \($0.1)" })
        for c in cells {
            let doc = try XCTUnwrap(s.comparisons.first { $0["metric"] as? String == headline && $0["protocol"] as? String == c[4] && $0["variant"] as? String == c[3] })
            let verdict = ["better": "better", "worse": "worse", "no detectable difference": "same"][doc["verdict"] as! String]
            XCTAssertEqual(c[5], verdict, c[3])
            XCTAssertEqual(c[1], verdict)
            let delta = doc["delta"] as! Double
            XCTAssertTrue(c[6].hasSuffix(String(format: "%+.4f", delta)), "Δ in the cell: \(c[6]) vs \(delta)")
            XCTAssertTrue(c[6].hasPrefix(["better": "▲", "worse": "▼", "same": "≈"][verdict!]!), c[6])
        }
    }

    func testForestPlotsAreSortedByDeltaAndColouredByVerdict() throws {
        let s = try Self.study()
        let plots = matches("<svg class=\"chart forest-plot\".*?</svg>", in: s.html).map { $0[0] }
        XCTAssertEqual(plots.count, 3 * s.protocols.count, "per-user metrics × protocols")
        let colour = ["better": "#1a7f37", "worse": "#cf222e", "same": "#6e7781"]
        var seen = 0
        for plot in plots {
            let dots = matches("<circle class=\"delta\" data-delta=\"([^\"]+)\" data-verdict=\"([^\"]+)\" [^>]*fill=\"([^\"]+)\"", in: plot)
            XCTAssertEqual(dots.count, 4 * Self.encoders.count * Self.reductions.count)
            let deltas = dots.map { Double($0[1])! }
            XCTAssertEqual(deltas, deltas.sorted(by: >), "largest delta first")
            for d in dots { XCTAssertEqual(d[3], colour[d[2]], "verdict colour") }
            seen += dots.count
        }
        XCTAssertEqual(seen, s.comparisons.count, "every comparison in one forest plot")
        // The plots hold comparison.json's deltas and verdicts (Foundation's JSON parser on Linux
        // can be off in the last digits, hence the tolerance).
        let fromPlots = plots.flatMap { matches("data-delta=\"([^\"]+)\" data-verdict=\"([^\"]+)\"", in: $0).map { (Double($0[1])!, $0[2]) } }
            .sorted { $0.0 < $1.0 }
        let fromJSON = s.comparisons.map { c -> (Double, String) in
            (c["delta"] as! Double, ["better": "better", "worse": "worse", "no detectable difference": "same"][c["verdict"] as! String]!)
        }.sorted { $0.0 < $1.0 }
        XCTAssertEqual(fromPlots.count, fromJSON.count)
        for (a, b) in zip(fromPlots, fromJSON) {
            XCTAssertTrue(close(a.0, b.0), "\(a.0) vs \(b.0)")
            XCTAssertEqual(a.1, b.1, "verdict of the comparison with delta \(b.0)")
        }
    }

    func testFullTableIsCollapsedWithFiltersAndSortableHeaders() throws {
        let s = try Self.study()
        XCTAssertFalse(s.html.contains("<details class=\"all-comparisons\" open"), "collapsed")
        let details = try XCTUnwrap(between(s.html, "<details class=\"all-comparisons\">", "</details>"))
        XCTAssertTrue(details.contains("<summary>All \(s.comparisons.count) comparisons"), details.prefix(300).description)
        let metricOptions = try XCTUnwrap(between(details, "<select data-filter=\"metric\">", "</select>"))
        XCTAssertEqual(matches("<option value=\"([^\"]*)\">", in: metricOptions).map { $0[1] }, ["", "recall@10", "ndcg@10", "hit@10"])
        let verdictOptions = try XCTUnwrap(between(details, "<select data-filter=\"verdict\">", "</select>"))
        XCTAssertEqual(matches("<option value=\"([^\"]*)\">([^<]*)</option>", in: verdictOptions).map { $0[2] },
                       ["all", "better", "worse", "no detectable difference"])
        let table = try XCTUnwrap(between(details, "<table class=\"sortable comparisons\">", "</table>"))
        XCTAssertEqual(count("<tr class=", in: table), s.comparisons.count, "every comparison, once")
        XCTAssertTrue(table.contains("<th data-type=\"num\">Δ</th>"))
        // The table is the only place with all rows: no flat table outside a <details>.
        let outside = s.html.replacingOccurrences(of: "<details[\\s\\S]*?</details>", with: "", options: .regularExpression)
        XCTAssertFalse(outside.contains("<table class=\"sortable"), "full tables stay collapsed")
    }

    /// The page's script in Chromium: clicking the Δ header twice sorts descending, the metric and
    /// verdict selects filter the rows, the counter follows; at a narrow window nothing but the
    /// scroll boxes is wider than the page.
    func testSortingFilteringAndNarrowLayoutInHeadlessChromium() throws {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("chromium is not installed (apt-get install -y chromium, or `make deps`)")
        }
        let s = try Self.study()
        let probe = """
        <script>
        window.addEventListener("load", function () {
          var d = document.querySelector("details.all-comparisons"), table = d.querySelector("table.sortable");
          var heads = table.tHead.rows[0].cells, col = -1, i;
          for (i = 0; i < heads.length; i++) { if (heads[i].textContent === "Δ") { col = i; } }
          heads[col].click(); heads[col].click();
          var m = d.querySelector("select[data-filter=metric]"), v = d.querySelector("select[data-filter=verdict]");
          m.value = "ndcg@10"; m.dispatchEvent(new Event("change"));
          v.value = "better"; v.dispatchEvent(new Event("change"));
          var out = [];
          Array.prototype.forEach.call(table.tBodies[0].rows, function (tr) {
            if (!tr.hidden) { out.push(tr.getAttribute("data-metric") + "," + tr.getAttribute("data-verdict") + "," + tr.cells[col].getAttribute("data-v")); }
          });
          var over = [];
          document.querySelectorAll("body *").forEach(function (e) {
            if (e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 && !e.closest(".scroll, figure, details")) { over.push(e.tagName); }
          });
          document.body.setAttribute("data-probe", out.join(";") + "|" + d.querySelector(".shown").textContent + "|" + heads[col].getAttribute("aria-sort")
            + "|" + document.documentElement.scrollWidth + "/" + document.documentElement.clientWidth + "|" + over.length);
        });
        </script>
        """
        let page = s.dir.appendingPathComponent("probe.html")
        try s.html.replacingOccurrences(of: "</body>", with: probe + "</body>").write(to: page, atomically: true, encoding: .utf8)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--user-data-dir=\(s.dir.appendingPathComponent("chromium-profile").path)", "--window-size=420,2000",
                     "--virtual-time-budget=5000", "--dump-dom", page.absoluteString]
        let dom = try runProcess(chromium, flags, in: s.dir)
        XCTAssertEqual(dom.status, 0, dom.stderr)
        let probeValue = try XCTUnwrap(matches("data-probe=\"([^\"]*)\"", in: dom.stdout).first?[1], "the probe ran")
        let parts = probeValue.components(separatedBy: "|")
        XCTAssertEqual(parts.count, 5, probeValue)
        let rows = parts[0].isEmpty ? [] : parts[0].components(separatedBy: ";").map { $0.components(separatedBy: ",") }
        let expected = s.comparisons.filter { $0["metric"] as? String == "ndcg@10" && $0["verdict"] as? String == "better" }
        XCTAssertEqual(rows.count, expected.count)
        XCTAssertGreaterThan(rows.count, 1, "the study has several better ndcg@10 variants")
        XCTAssertTrue(rows.allSatisfy { $0[0] == "ndcg@10" && $0[1] == "better" }, parts[0])
        let deltas = rows.map { Double($0[2])! }
        XCTAssertEqual(deltas, deltas.sorted(by: >), "sorted by Δ, descending")
        for (a, b) in zip(deltas.sorted(), expected.map { $0["delta"] as! Double }.sorted()) { XCTAssertTrue(close(a, b), "\(a) vs \(b)") }
        XCTAssertEqual(parts[1], "\(expected.count) of \(s.comparisons.count) rows")
        XCTAssertEqual(parts[2], "descending")
        let widths = parts[3].components(separatedBy: "/").compactMap { Int($0) }
        XCTAssertEqual(widths.count, 2)
        XCTAssertLessThan(widths[1], 600, "a narrow window")
        XCTAssertEqual(widths[0], widths[1], "the page does not scroll sideways: wide tables and charts scroll in their own box")
        XCTAssertEqual(parts[4], "0", "no element outside a scroll box overflows the window")
    }

    // MARK: Determinism

    func testReportIsByteForByteTheSameWhenRenderedAgainAndNeedsNothingOutside() throws {
        let s = try Self.study()
        let copy = s.dir.appendingPathComponent("again")
        try? FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: s.dir.appendingPathComponent("r"), to: copy)
        for _ in 0..<2 {
            let r = try runProfileBench(["compare", "again"], in: s.dir)
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(try String(contentsOf: copy.appendingPathComponent("report.html"), encoding: .utf8), s.html,
                           "compare re-renders the run's report.html byte for byte")
        }
        XCTAssertEqual(matches("(?:src|href)=\"(?!#)([^\"]*)\"", in: s.html).map { $0[1] }, [], "no external resources")
        XCTAssertFalse(s.html.contains("<link"))
        XCTAssertEqual(count("<script>", in: s.html), 1, "one inline script")
    }

    // MARK: Helpers

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// The text between the first `start` and the next `end` after it.
    func between(_ text: String, _ start: String, _ end: String) -> String? {
        guard let a = text.range(of: start), let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return nil }
        return String(text[a.upperBound..<b.lowerBound])
    }

    /// Every match of `pattern` (dot matches newlines) with its groups ("" for an unmatched group).
    func matches(_ pattern: String, in text: String) -> [[String]] {
        let re = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
        }
    }

    /// Strategy id → the colours it is drawn in (swatches, bars, lines), in order of first use.
    func strategyColours(_ html: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for m in matches("data-strategy=\"([^\"]+)\" (?:style=\"background:|fill=\"|stroke=\")(#[0-9a-f]{6})", in: html) {
            if !(out[m[1]] ?? []).contains(m[2]) { out[m[1], default: []].append(m[2]) }
        }
        return out
    }

    /// Equal but for the last digits (Foundation's JSON parser on Linux is not exact).
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(1, abs(a), abs(b)) }

    func rgb(_ hex: String) -> [Int] {
        let h = Array(hex.dropFirst())
        return (0..<3).map { Int(String(h[2 * $0...2 * $0 + 1]), radix: 16)! }
    }

    func mean(_ variant: [String: Any], _ metric: String) -> Double {
        ((variant["metrics"] as! [String: Any])[metric] as! [String: Any])["mean"] as! Double
    }

    func interval(_ variant: [String: Any], _ metric: String) -> (Double, Double)? {
        guard let ci = ((variant["metrics"] as! [String: Any])[metric] as! [String: Any])["ci95"] as? [Double] else { return nil }
        return (ci[0], ci[1])
    }
}
