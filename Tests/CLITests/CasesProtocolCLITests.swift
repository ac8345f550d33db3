import Datasets
import Foundation
import XCTest

/// The `cases` protocol end to end on the MiniOneRec Industrial test rows: every case ranked
/// from its own history, per_user.csv keyed by user and case, outside runs named `user:case`,
/// and a spec naming a split the dataset lacks.
final class CasesProtocolCLITests: XCTestCase {
    var dir: URL!
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("datasets/minionerec-industrial")

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-cases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let o = try pb("import", "sequences", "--split", "test=\(Self.data.path)/test.csv.gz", "--items", "\(Self.data.path)/item.json.gz",
                       "--out", "ind.h5", "--quiet")
        XCTAssertEqual(o.status, 0, o.stderr)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ n: String) -> String { dir.appendingPathComponent(n).path }

    @discardableResult
    func pb(_ args: String...) throws -> ProcessOutput { try runProfileBench(args, in: dir) }

    func writeSpec(protocolJSON: String = #"{"kind": "cases"}"#, runs: String = "", excludeSeen: Bool = false) throws {
        let text = """
        {"name": "cases", "dataset": "ind.h5", "protocol": \(protocolJSON),
         "encoders": [{"name": "hash-32"}],
         "strategies": [{"name": "concat", "window": 1}, {"name": "decay", "half_life_events": 2}]\(runs),
         "metrics": ["hit@10", "ndcg@10"], "exclude_seen": \(excludeSeen), "seed": 2}
        """
        try text.write(toFile: path("cases.json"), atomically: true, encoding: .utf8)
    }

    func testEveryCaseRankedAndKeyedByUserAndCase() throws {
        let d = try DatasetIO.read(path("ind.h5"))
        let cases = try XCTUnwrap(d.cases["test"])
        // A run that ranks each case's target first for the first 100 cases, named user:case.
        var run = ""
        for c in 0..<100 {
            run += "\(d.userIDs[Int(cases.user[c])]):\(c) Q0 \(d.itemIDs[Int(cases.target[c])]) 1 1.0 oracle\n"
        }
        try run.write(toFile: path("oracle.trec"), atomically: true, encoding: .utf8)
        try writeSpec(runs: #", "runs": [{"name": "oracle", "file": "oracle.trec"}]"#)
        let r = try pb("run", "cases.json", "--out", "out")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("protocol cases(split=test): 4532 cases of /cases/test, 4532 ranked (0 skipped)"), r.stderr)
        XCTAssertTrue(r.stderr.contains("warning: oracle.trec: no line for 4432 of the 4532 lists of cases(split=test)"), r.stderr)
        let perUser = try String(contentsOf: dir.appendingPathComponent("out/per_user.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(perUser.first, "variant,user,case,hit@10,ndcg@10")
        XCTAssertEqual(perUser.count, 1 + 3 * 4_532)
        // Row c of the split is case c of its user.
        let firstDecay = try XCTUnwrap(perUser.first { $0.hasPrefix("hash-32/decay(half_life_events=2)/none,") })
        XCTAssertTrue(firstDecay.hasPrefix("hash-32/decay(half_life_events=2)/none,\(d.userIDs[Int(cases.user[0])]),0,"), String(firstDecay))
        let oracleRows = perUser.filter { $0.hasPrefix("run/oracle/none,") }
        XCTAssertEqual(oracleRows.count, 4_532)
        XCTAssertEqual(oracleRows.filter { $0.hasSuffix(",1.0,1.0") }.count, 100, "the oracle's 100 cases hit at rank 1")
        let metrics = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out/metrics.json"))) as? [String: Any])
        let variants = try XCTUnwrap(metrics["variants"] as? [[String: Any]])
        XCTAssertEqual(variants.count, 3)
        for v in variants {
            XCTAssertEqual(v["protocol"] as? String, "cases(split=test)")
            XCTAssertEqual(((v["metrics"] as? [String: [String: Any]])?["hit@10"])?["n"] as? Int, 4_532)
        }
        let oracleHit = try XCTUnwrap(((variants[2]["metrics"] as? [String: [String: Any]])?["hit@10"])?["mean"] as? Double)
        XCTAssertEqual(oracleHit, 100.0 / 4_532.0, accuracy: 1e-15)
    }

    func testExcludeSeenSkipsCasesWhoseTargetIsInTheirHistory() throws {
        try writeSpec(excludeSeen: true)
        let r = try pb("run", "cases.json", "--out", "out", "--quiet")
        XCTAssertEqual(r.status, 0, r.stderr)
        let metrics = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out/metrics.json"))) as? [String: Any])
        let variants = try XCTUnwrap(metrics["variants"] as? [[String: Any]])
        // 236 of the 4,532 targets are in their case's history (counted with Python's csv + ast).
        XCTAssertEqual(variants[0]["skipped_users"] as? Int, 236)
        XCTAssertEqual(((variants[0]["metrics"] as? [String: [String: Any]])?["hit@10"])?["n"] as? Int, 4_532 - 236)
    }

    func testSplitTheDatasetLacksIsAnError() throws {
        try writeSpec(protocolJSON: #"{"kind": "cases", "split": "valid"}"#)
        let r = try pb("run", "cases.json", "--out", "out")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr.split(separator: "\n").last.map(String.init),
                       "error: cases.json: protocol.split names /cases/valid, which ind.h5 does not have (its splits: test)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out")))
        let v = try pb("validate", "cases.json")
        XCTAssertEqual(v.status, 1)
        XCTAssertTrue(v.stderr.contains("protocol.split names /cases/valid"), v.stderr)
        // A dataset without cases says so.
        let s = try pb("synth", "--out", "syn.h5", "--users", "10", "--items", "20", "--seed", "1")
        XCTAssertEqual(s.status, 0, s.stderr)
        try String(contentsOf: dir.appendingPathComponent("cases.json"), encoding: .utf8)
            .replacingOccurrences(of: "ind.h5", with: "syn.h5").replacingOccurrences(of: #""split": "valid""#, with: #""split": "test""#)
            .write(toFile: path("cases.json"), atomically: true, encoding: .utf8)
        let n = try pb("run", "cases.json", "--out", "out")
        XCTAssertEqual(n.status, 1)
        XCTAssertTrue(n.stderr.contains("names /cases/test, which syn.h5 does not have (it has no /cases group (import sequences writes one))"), n.stderr)
    }

    func testPublishedNumbersStandBesideTheRunLabelledAsPublished() throws {
        let published = #", "published": {"source": "Kong et al. 2025, Table 2", "rows": {"SASRec": {"hit@10": 0.109, "ndcg@10": 0.081}, "TIGER": {"hit@10": 0.132}}}"#
        try writeSpec(runs: published)
        let r = try pb("run", "cases.json", "--out", "out", "--quiet")
        XCTAssertEqual(r.status, 0, r.stderr)
        let md = try String(contentsOf: dir.appendingPathComponent("out/report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("### Published numbers beside this run\n\nRows marked *published* are quoted from Kong et al. 2025, Table 2, not recomputed here"), md)
        XCTAssertTrue(md.contains("| model | source | hit@10 | ndcg@10 |\n|---|---|---:|---:|\n| SASRec | *published* | 0.109 | 0.081 |\n| TIGER | *published* | 0.132 | – |\n| `hash-32/"), md)
        // The run's own row: the better of the two strategies by hit@10, with its means.
        let metrics = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out/metrics.json"))) as? [String: Any])
        let variants = try XCTUnwrap(metrics["variants"] as? [[String: Any]])
        let best = try XCTUnwrap(variants.max { a, b in
            ((a["metrics"] as? [String: [String: Any]])?["hit@10"]?["mean"] as? Double ?? 0) < ((b["metrics"] as? [String: [String: Any]])?["hit@10"]?["mean"] as? Double ?? 0)
        })
        let hit = try XCTUnwrap((best["metrics"] as? [String: [String: Any]])?["hit@10"]?["mean"] as? Double)
        XCTAssertTrue(md.contains("| `\(best["id"] as? String ?? "?")` | this run | \(String(format: "%.4f", hit)) |"), md)
        let html = try String(contentsOf: dir.appendingPathComponent("out/report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<h3>Published numbers beside this run</h3>"), "report.html has the table")
        XCTAssertTrue(html.contains("<tr class=\"published-row\"><td>SASRec</td><td><em>published</em></td><td class=\"num\">0.109</td><td class=\"num\">0.081</td></tr>"), "published rows labelled")
    }
}
