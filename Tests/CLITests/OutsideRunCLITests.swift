import Datasets
import Foundation
import XCTest

/// Outside models' TREC runs as variants of the grid: scored with the runner's metric code (the
/// same numbers as `profilebench eval`), paired with the strategies in `compare`, and bad run
/// files rejected naming the file and line.
final class OutsideRunCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-runs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let s = try pb("synth", "--out", "d.h5", "--users", "60", "--items", "80", "--seed", "4")
        XCTAssertEqual(s.status, 0, s.stderr)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ n: String) -> String { dir.appendingPathComponent(n).path }

    @discardableResult
    func pb(_ args: String...) throws -> ProcessOutput { try runProfileBench(args, in: dir) }

    func json(_ name: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(name))) as? [String: Any])
    }

    /// A popularity run (items by event count, ties by dense id) for every user but the last
    /// `omit`, and the qrels of the leave-last test target (each user's last event in time
    /// order, equal times in file order).
    func writeRunAndQrels(omit: Int) throws -> (users: Int, items: [String]) {
        let d = try DatasetIO.read(path("d.h5"))
        var count = [Int](repeating: 0, count: d.itemCount)
        for i in d.eventItem { count[Int(i)] += 1 }
        let ranked = (0..<d.itemCount).sorted { (count[$0], -$0) > (count[$1], -$1) }.prefix(25)
        var run = ""
        for u in d.userIDs.dropLast(omit) {
            for (r, i) in ranked.enumerated() { run += "\(u) Q0 \(d.itemIDs[i]) \(r + 1) \(count[i]) pop\n" }
        }
        try run.write(toFile: path("pop.trec"), atomically: true, encoding: .utf8)
        var last: [Int: (time: Int64, index: Int)] = [:]
        for e in 0..<d.eventCount {
            let u = Int(d.eventUser[e])
            if let l = last[u], l.time > d.eventTime[e] { continue }
            last[u] = (d.eventTime[e], e)
        }
        var qrels = ""
        for u in last.keys.sorted() { qrels += "\(d.userIDs[u]) 0 \(d.itemIDs[Int(d.eventItem[last[u]!.index])]) 1\n" }
        try qrels.write(toFile: path("qrels"), atomically: true, encoding: .utf8)
        return (d.userCount, d.itemIDs)
    }

    func writeSpec(runFile: String = "pop.trec", baseline: String = "pop") throws {
        let text = """
        {"name": "runs", "dataset": "d.h5", "protocol": {"kind": "leave-last", "valid": false},
         "encoders": [{"name": "hash-32"}],
         "strategies": [{"name": "static"}, {"name": "decay", "half_life_days": 7}],
         "runs": [{"name": "pop", "file": "\(runFile)"}],
         "metrics": ["recall@10", "ndcg@10", "hit@10", "mrr@10"], "exclude_seen": false,
         "compare": {"baseline": "\(baseline)", "tests": ["paired-t", "wilcoxon"]}, "seed": 3}
        """
        try text.write(toFile: path("runs.json"), atomically: true, encoding: .utf8)
    }

    func testRunScoredAsVariantEqualsEvalAndIsComparedWithTheStrategies() throws {
        let (users, _) = try writeRunAndQrels(omit: 3)
        try writeSpec()
        let r = try pb("run", "runs.json", "--out", "out")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("warning: pop.trec: no line for 3 of the \(users) lists of leave-last(targets=test,valid=false)"), r.stderr)
        let metrics = try json("out/metrics.json")
        let variants = try XCTUnwrap(metrics["variants"] as? [[String: Any]])
        XCTAssertEqual(variants.map { $0["id"] as? String }, ["hash-32/static/none", "hash-32/decay(half_life_days=7)/none", "run/pop/none"])
        let run = variants[2]
        XCTAssertEqual(run["encoder"] as? String, "run")
        XCTAssertEqual((run["strategy"] as? [String: Any])?["name"] as? String, "run")
        XCTAssertEqual((run["strategy"] as? [String: Any])?["run"] as? String, "pop")
        XCTAssertEqual(run["missing_lists"] as? Int, 3)
        let e = try pb("eval", "--qrels", "qrels", "--run", "pop.trec", "--metrics", "recall@10,ndcg@10,hit@10,mrr@10", "--json")
        XCTAssertEqual(e.status, 0, e.stderr)
        let ev = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(ev["missing"] as? Int, 3)
        XCTAssertEqual(ev["queries"] as? Int, users)
        let evMetrics = try XCTUnwrap(ev["metrics"] as? [String: Double])
        let runMetrics = try XCTUnwrap(run["metrics"] as? [String: [String: Any]])
        for m in ["recall@10", "ndcg@10", "hit@10", "mrr@10"] {
            let ours = try XCTUnwrap(runMetrics[m]?["mean"] as? Double)
            XCTAssertEqual(ours, try XCTUnwrap(evMetrics[m]), "\(m): the run variant and eval agree exactly")
            XCTAssertEqual(runMetrics[m]?["n"] as? Int, users)
        }
        XCTAssertGreaterThan(try XCTUnwrap(evMetrics["hit@10"]), 0, "the popularity run hits some targets")
        // per_user.csv holds the run's rows, missing users with zeros.
        let perUser = try String(contentsOf: dir.appendingPathComponent("out/per_user.csv"), encoding: .utf8)
        XCTAssertEqual(perUser.split(separator: "\n").filter { $0.hasPrefix("run/pop/none,") }.count, users)
        // Every strategy variant is compared with the run, users paired.
        let comparison = try json("out/comparison.json")
        let rows = try XCTUnwrap(comparison["comparisons"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 2 * 4)
        XCTAssertEqual(Set(rows.compactMap { $0["baseline"] as? String }), ["run/pop/none"])
        XCTAssertEqual(Set(rows.compactMap { $0["variant"] as? String }), ["hash-32/static/none", "hash-32/decay(half_life_days=7)/none"])
        XCTAssertEqual(Set(rows.compactMap { $0["n"] as? Int }), [users])
        for row in rows where row["metric"] as? String == "hit@10" {
            XCTAssertEqual(row["mean_baseline"] as? Double, evMetrics["hit@10"])
        }
    }

    func testStrategyBaselineLeavesTheRunOutOfTheComparison() throws {
        _ = try writeRunAndQrels(omit: 0)
        try writeSpec(baseline: "static")
        let r = try pb("run", "runs.json", "--out", "out", "--quiet")
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try XCTUnwrap(try json("out/comparison.json")["comparisons"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 4, "decay against static, four metrics; the run has no static of its own")
        XCTAssertEqual(Set(rows.compactMap { $0["variant"] as? String }), ["hash-32/decay(half_life_days=7)/none"])
    }

    func testBadRunFilesNameFileAndLine() throws {
        let (_, _) = try writeRunAndQrels(omit: 0)
        let good = try String(contentsOf: dir.appendingPathComponent("pop.trec"), encoding: .utf8).split(separator: "\n")
        func check(_ lines: [String], _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
            try (lines.joined(separator: "\n") + "\n").write(toFile: path("bad.trec"), atomically: true, encoding: .utf8)
            try writeSpec(runFile: "bad.trec")
            let r = try pb("run", "runs.json", "--out", "out")
            XCTAssertEqual(r.status, 1, file: file, line: line)
            XCTAssertEqual(r.stderr.split(separator: "\n").last.map(String.init), expected, file: file, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("out")), "nothing written", file: file, line: line)
        }
        let first = String(good[0])
        try check([first, first.replacingOccurrences(of: " Q0 ", with: " Q0 nosuchitem ").split(separator: " ").prefix(3).joined(separator: " ") + " 2 1.0 pop"],
                  "error: bad.trec:2: document nosuchitem is not an item id of the dataset")
        try check([first, "nobody Q0 " + first.split(separator: " ")[2] + " 1 1.0 pop"],
                  "error: bad.trec:2: query nobody is not a user id of the dataset")
        try check([first, "u0 Q0 x 1"], "error: bad.trec:2: expected 6 fields `qid Q0 docid rank score tag`, found 4")
        try check([first, first], "error: bad.trec:2: document \(first.split(separator: " ")[2]) appears twice for query \(first.split(separator: " ")[0])")
        try writeSpec(runFile: "missing.trec")
        let r = try pb("run", "runs.json", "--out", "out")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr.split(separator: "\n").last.map(String.init), "error: runs.json: runs[0].file names missing.trec, which does not exist")
        let v = try pb("validate", "runs.json")
        XCTAssertEqual(v.status, 1)
        XCTAssertTrue(v.stderr.contains("runs[0].file names missing.trec, which does not exist"), v.stderr)
    }
}
