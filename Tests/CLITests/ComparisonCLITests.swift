import Foundation
import XCTest

/// End-to-end: `run` with a compare block, `compare` (one folder, two folders, split traffic),
/// `check` (a rerun passes, a degraded run fails naming the metric), `reproduce`, and
/// report.html in headless Chromium.
extension CLITests {
    /// The regression spec's shape at test size: holdout and prequential, four strategies,
    /// hash encoder, a compare block. `extra` replaces the encoder entry.
    func regressionSpec(_ name: String, dataset: String = "g.h5", encoder: String = "{\"name\": \"hash-32\"}") throws -> String {
        let text = """
        {"name": "\(name)", "dataset": "\(dataset)",
         "protocol": [{"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2}, {"kind": "prequential", "history": 0.5, "window_events": 5}],
         "encoders": [\(encoder)],
         "strategies": [{"name": "static"}, {"name": "mean"}, {"name": "decay", "half_life_days": 14}, {"name": "concat", "window": 10}],
         "event_weights": {"view": 1, "click": 1, "cart": 2, "purchase": 3},
         "reductions": [{"method": "none"}],
         "metrics": ["recall@10", "ndcg@10", "hit@10", "coverage@10"],
         "compare": {"baseline": "static", "correction": "holm"},
         "seed": 11}
        """
        try text.write(toFile: path("\(name).json"), atomically: true, encoding: .utf8)
        return "\(name).json"
    }

    func testRunComparesAndCheckPassesARerunAndFailsADegradedRun() throws {
        XCTAssertEqual(try pb("synth", "--out", "g.h5", "--users", "150", "--items", "240", "--events-per-user", "30", "--seed", "7").status, 0)
        let s = try regressionSpec("g")
        let r1 = try pb("run", s, "--out", "r1", "--quiet")
        XCTAssertEqual(r1.status, 0, r1.stderr)
        for f in ["comparison.json", "segments.csv", "per_step.csv", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: path("r1/\(f)")), f)
        }
        let comparison = try String(contentsOfFile: path("r1/comparison.json"), encoding: .utf8)
        XCTAssertTrue(comparison.hasPrefix("{\n  \"alpha\": 0.05,\n  \"correction\": \"holm\",\n  \"comparisons\": ["), comparison)
        // 3 dynamic strategies × 2 protocols × 3 per-user metrics.
        XCTAssertEqual(comparison.components(separatedBy: "\"mean_baseline\"").count - 1 - segmentComparisons(comparison), 18)
        let report = try String(contentsOfFile: path("r1/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Comparison"))
        XCTAssertTrue(report.contains("| `hash-32/mean/none` | `hash-32/static/none` |"), report)
        XCTAssertTrue(report.contains("## Segments"))

        // The same spec again: identical numbers, the gate passes.
        let r2 = try pb("run", s, "--out", "r2", "--quiet")
        XCTAssertEqual(r2.status, 0, r2.stderr)
        XCTAssertEqual(try String(contentsOfFile: path("r2/comparison.json"), encoding: .utf8), comparison,
                       "the bootstrap intervals and randomization p-values are the same for the same seed")
        let pass = try pb("check", "--baseline", "r1", "--current", "r2")
        XCTAssertEqual(pass.status, 0, pass.stdout + pass.stderr)
        XCTAssertTrue(pass.stdout.contains("same spec: "), pass.stdout)
        XCTAssertTrue(pass.stdout.contains("check passed: 32 metrics"), pass.stdout)

        // A degraded harness: item vectors from the category alone (every item of a category gets
        // the same vector). `exclude_seen` off is no degradation on this data: repeat
        // interactions become easy hits and the numbers rise.
        XCTAssertEqual(try pb("synth", "--out", "worse.h5", "--users", "150", "--items", "240", "--events-per-user", "30", "--seed", "7").status, 0)
        let degraded = try regressionSpec("g", dataset: "worse.h5", encoder: "{\"name\": \"hash-32\", \"template\": \"{category}\"}")
        XCTAssertEqual(try pb("run", degraded, "--out", "r3", "--quiet").status, 0)
        let fail = try pb("check", "--baseline", "r1", "--current", "r3")
        XCTAssertEqual(fail.status, 1, fail.stdout + fail.stderr)
        XCTAssertTrue(fail.stdout.contains("CHANGED spec: baseline "), fail.stdout)
        XCTAssertTrue(fail.stdout.contains("CHANGED dataset: baseline "), fail.stdout)
        let failLines = fail.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        XCTAssertFalse(failLines.isEmpty, fail.stdout)
        XCTAssertTrue(failLines.allSatisfy { $0.contains(" hash-32/") && $0.contains("@10: baseline ") && $0.contains(" current ")
            && $0.contains(" delta -") && $0.contains(" p ") }, fail.stdout)
        XCTAssertTrue(fail.stdout.contains("check failed: "), fail.stdout)

        // A variant missing from the current run fails unless allowed.
        let fewer = try regressionSpec("g", dataset: "g.h5").replacingOccurrences(of: "g.json", with: "g.json")
        var text = try String(contentsOfFile: path(fewer), encoding: .utf8)
        text = text.replacingOccurrences(of: ", {\"name\": \"concat\", \"window\": 10}", with: "")
        try text.write(toFile: path("fewer.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try pb("run", "fewer.json", "--out", "r4", "--quiet").status, 0)
        let missing = try pb("check", "--baseline", "r1", "--current", "r4")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stdout.contains("MISSING holdout(history=0.6,test=0.2,update=0.2) hash-32/concat(aggregate=max,window=10)/none recall@10: baseline "), missing.stdout)
        XCTAssertEqual(try pb("check", "--baseline", "r1", "--current", "r4", "--allow-missing").status, 0)
    }

    func segmentComparisons(_ json: String) -> Int {
        guard let r = json.range(of: "\"segments\": [") else { return 0 }
        return json[r.upperBound...].components(separatedBy: "\"mean_baseline\"").count - 1
    }

    func testCompareOneFolderTwoFoldersAndSplitTraffic() throws {
        XCTAssertEqual(try pb("synth", "--out", "g.h5", "--users", "120", "--items", "200", "--events-per-user", "25", "--seed", "3").status, 0)
        XCTAssertEqual(try pb("run", try regressionSpec("g"), "--out", "r1", "--quiet").status, 0)
        let one = try pb("compare", "r1", "--baseline", "mean", "--correction", "bh", "--split-traffic")
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("hash-32/static/none vs hash-32/mean/none recall@10"), one.stdout)
        XCTAssertTrue(one.stdout.contains("split-traffic "), one.stdout)
        let json = try String(contentsOfFile: path("r1/comparison.json"), encoding: .utf8)
        XCTAssertTrue(json.contains("\"correction\": \"bh\""))
        XCTAssertTrue(json.contains("\"split_traffic\": ["))
        XCTAssertTrue(try String(contentsOfFile: path("r1/report.md"), encoding: .utf8).contains("Benjamini–Hochberg"))

        XCTAssertEqual(try pb("synth", "--out", "h.h5", "--users", "120", "--items", "200", "--events-per-user", "25", "--seed", "4").status, 0)
        XCTAssertEqual(try pb("run", try regressionSpec("h", dataset: "h.h5"), "--out", "r2", "--quiet").status, 0)
        let two = try pb("compare", "r1", "r2", "--out", "ab.json")
        XCTAssertEqual(two.status, 0, two.stderr)
        let ab = try String(contentsOfFile: path("ab.json"), encoding: .utf8)
        XCTAssertTrue(ab.contains("\"baseline_run\": \"r1\""), ab)
        XCTAssertTrue(ab.contains("\"variant\": \"hash-32/concat(aggregate=max,window=10)/none\""), ab)

        let bad = try pb("compare", "r1", "--baseline", "nope")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("error: r1: baseline \"nope\" matches no strategy"), bad.stderr)
        XCTAssertEqual(try pb("compare", "missing-folder").stderr, "error: missing-folder: no such results folder\n")
    }

    func testReproduceReportsByteIdenticalMetrics() throws {
        XCTAssertEqual(try pb("synth", "--out", "g.h5", "--users", "80", "--items", "150", "--events-per-user", "20", "--seed", "5").status, 0)
        XCTAssertEqual(try pb("run", try regressionSpec("g"), "--out", "r1", "--quiet").status, 0)
        let r = try pb("reproduce", "r1", "--quiet")
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("reproduced: metrics.json is byte-identical ("), r.stdout)
        // Large studies are committed without their per-user files: reproduce needs only the
        // manifest and metrics.json.
        try FileManager.default.removeItem(atPath: path("r1/per_user.csv"))
        let r2 = try pb("reproduce", "r1", "--quiet")
        XCTAssertEqual(r2.status, 0, r2.stdout + r2.stderr)
        XCTAssertTrue(r2.stdout.hasPrefix("reproduced: metrics.json is byte-identical ("), r2.stdout)
        XCTAssertEqual(try pb("reproduce", "nowhere").stderr, "error: nowhere/manifest.json: no such file (not a results folder written by `profilebench run`?)\n")

        // A tampered value is found and named.
        let m = path("r1/metrics.json")
        let text = try String(contentsOfFile: m, encoding: .utf8)
        let first = try XCTUnwrap(text.range(of: "\"mean\": 0."))
        try text.replacingCharacters(in: first, with: "\"mean\": 0.9").write(toFile: m, atomically: true, encoding: .utf8)
        let t = try pb("reproduce", "r1", "--quiet")
        XCTAssertEqual(t.status, 1)
        XCTAssertTrue(t.stdout.contains("NOT reproduced: metrics.json differs (1 values)"), t.stdout)
        XCTAssertTrue(t.stdout.contains("variants[0:hash-32/static/none].metrics.recall@10.mean: 0.9"), t.stdout)
    }

    /// report.html in headless Chromium (Debian's `chromium`): the page loads offline, draws
    /// every chart (the page's own script counts SVG charts with a non-empty box), and logs no
    /// console message. A screenshot is left in the test folder.
    func testReportHTMLRendersInHeadlessChromium() throws {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("chromium is not installed (apt-get install -y chromium, or `make deps`): report.html not rendered")
        }
        XCTAssertEqual(try pb("synth", "--out", "g.h5", "--users", "80", "--items", "150", "--events-per-user", "20", "--seed", "5").status, 0)
        XCTAssertEqual(try pb("run", try regressionSpec("g"), "--out", "r1", "--quiet").status, 0)
        let html = try String(contentsOfFile: path("r1/report.html"), encoding: .utf8)
        let charts = html.components(separatedBy: "<svg class=\"chart").count - 1
        XCTAssertEqual(html.components(separatedBy: "<svg class=\"chart bar-chart").count - 1, 8, "4 metrics × 2 protocols")
        XCTAssertEqual(html.components(separatedBy: "<svg class=\"chart forest-plot").count - 1, 6, "3 per-user metrics × 2 protocols")
        XCTAssertEqual(html.components(separatedBy: "<svg class=\"chart step-chart").count - 1, 3, "the prequential protocol's metrics")
        XCTAssertFalse(html.contains("http://") && html.contains("src=\"http"), "no external resources")

        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--user-data-dir=\(path("chromium-profile"))", "--enable-logging=stderr", "--v=0"]
        let url = URL(fileURLWithPath: path("r1/report.html")).absoluteString
        let dom = try runTool(chromium, flags + ["--virtual-time-budget=5000", "--dump-dom", url])
        XCTAssertEqual(dom.status, 0, dom.stderr)
        let mark = dom.stdout.range(of: "data-charts-drawn=\"[0-9]+\"", options: .regularExpression).map { String(dom.stdout[$0]) }
        XCTAssertEqual(mark, "data-charts-drawn=\"\(charts)\"", "every chart drawn (nil: the page's script did not run)")
        let console = dom.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
        XCTAssertEqual(console, [], "console messages")
        let shot = try runTool(chromium, flags + ["--window-size=1400,2400", "--screenshot=\(path("report.png"))", url])
        XCTAssertEqual(shot.status, 0, shot.stderr)
        let png = try Data(contentsOf: URL(fileURLWithPath: path("report.png")))
        XCTAssertGreaterThan(png.count, 10_000)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        if let keep = ProcessInfo.processInfo.environment["PROFILEBENCH_KEEP_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: path("report.png"), toPath: keep)
        }
    }

    func runTool(_ tool: String, _ args: [String]) throws -> Output { try runProcess(tool, args, in: dir) }
}
