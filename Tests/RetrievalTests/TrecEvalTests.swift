import XCTest
@testable import Retrieval

final class TrecEvalTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-trec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ text: String) throws -> String {
        let p = dir.appendingPathComponent(name).path
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    func testTiesBreakByDocidDescendingAndRankColumnIgnored() throws {
        // q1: d2 and d3 tie at 0.5; trec_eval orders ties by docid descending: d3 before d2.
        let qrels = try write("qrels", "q1 0 d2 1\nq1 0 d9 0\n")
        let run = try write("run", "q1 Q0 d1 1 0.9 t\nq1 Q0 d2 2 0.5 t\nq1 Q0 d3 3 0.5 t\n")
        let e = try TrecEvaluation.evaluate(qrelsPath: qrels, runPath: run, metrics: [MetricSpec(parsing: "mrr@10")!, MetricSpec(parsing: "precision@2")!])
        XCTAssertEqual(e.means[0].1, 1.0 / 3, accuracy: 1e-15)   // d2 is third
        XCTAssertEqual(e.means[1].1, 0, accuracy: 1e-15)
        XCTAssertEqual(e.queries, 1)
    }

    func testSkippedAndMissingQueries() throws {
        let qrels = try write("qrels", "q1 0 a 1\nq2 0 b 0\nq3 0 c 2\n")
        let run = try write("run", "q1 Q0 a 1 1.0 t\nq4 Q0 z 1 1.0 t\n")
        let e = try TrecEvaluation.evaluate(qrelsPath: qrels, runPath: run, metrics: [MetricSpec(parsing: "recall@10")!])
        XCTAssertEqual(e.skipped, 1)        // q2 has no relevant document
        XCTAssertEqual(e.missing, 1)        // q3 has no run line: scores 0
        XCTAssertEqual(e.queries, 2)
        XCTAssertEqual(e.means[0].1, 0.5, accuracy: 1e-15)
        XCTAssertEqual(e.perQuery.map(\.qid), ["q1", "q3"])
    }

    func testMalformedLinesNameFileAndLine() throws {
        let qrels = try write("qrels", "q1 0 a 1\nq1 0 b\n")
        let run = try write("run", "q1 Q0 a 1 1.0 t\n")
        XCTAssertThrowsError(try TrecEvaluation.evaluate(qrelsPath: qrels, runPath: run, metrics: [MetricSpec(parsing: "recall@10")!])) { e in
            XCTAssertEqual("\(e)", "\(qrels):2: expected 4 fields `qid 0 docid rel`, found 3")
        }
        let qrels2 = try write("qrels2", "q1 0 a 1\n")
        let run2 = try write("run2", "q1 Q0 a 1 high t\n")
        XCTAssertThrowsError(try TrecEvaluation.evaluate(qrelsPath: qrels2, runPath: run2, metrics: [MetricSpec(parsing: "recall@10")!])) { e in
            XCTAssertEqual("\(e)", "\(run2):1: score \"high\" is not a finite number")
        }
    }
}
