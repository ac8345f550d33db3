import XCTest
@testable import Retrieval

/// Metrics against values computed by hand from their definitions (docs/metrics.md).
final class MetricsTests: XCTestCase {
    func m(_ s: String) -> MetricSpec { MetricSpec(parsing: s)! }

    func value(_ name: String, _ hits: [Bool], rel: Int) -> Double {
        hits.withUnsafeBufferPointer { RankingMetrics.value(m(name), hits: $0, relevantCount: rel) }
    }

    // Ranked list: hit at ranks 1, 3 and 6 (of 10); |rel| = 4.
    let hits: [Bool] = [true, false, true, false, false, true, false, false, false, false]

    func testRecallPrecisionHit() {
        XCTAssertEqual(value("recall@5", hits, rel: 4), 2.0 / 4, accuracy: 1e-15)
        XCTAssertEqual(value("recall@10", hits, rel: 4), 3.0 / 4, accuracy: 1e-15)
        XCTAssertEqual(value("recall_capped@2", hits, rel: 4), 1.0 / 2, accuracy: 1e-15)  // 1 hit / min(2, 4)
        XCTAssertEqual(value("precision@5", hits, rel: 4), 2.0 / 5, accuracy: 1e-15)
        XCTAssertEqual(value("precision@10", hits, rel: 4), 3.0 / 10, accuracy: 1e-15)
        XCTAssertEqual(value("hit@2", [false, false, true], rel: 1), 0)
        XCTAssertEqual(value("hit@3", [false, false, true], rel: 1), 1)
    }

    func testPrecisionDividesByKEvenWhenFewerRanked() {
        // Only 3 items could be ranked: P@10 still divides by 10 (trec_eval P_10).
        XCTAssertEqual(value("precision@10", [true, true, false], rel: 2), 0.2, accuracy: 1e-15)
    }

    func testNDCG() {
        // DCG@10 = 1/log2(2) + 1/log2(4) + 1/log2(7); IDCG = Σ_{r=1..4} 1/log2(r+1).
        let dcg = 1.0 + 1.0 / 2.0 + 1.0 / log2(7.0)
        let idcg = 1.0 + 1.0 / log2(3.0) + 1.0 / 2.0 + 1.0 / log2(5.0)
        XCTAssertEqual(value("ndcg@10", hits, rel: 4), dcg / idcg, accuracy: 1e-15)
        // Cut at 2: one hit; ideal has min(2, 4) = 2 hits.
        XCTAssertEqual(value("ndcg@2", hits, rel: 4), 1.0 / (1.0 + 1.0 / log2(3.0)), accuracy: 1e-15)
        XCTAssertEqual(value("ndcg@3", [true, true, true], rel: 3), 1, accuracy: 1e-15)
    }

    func testMRRCutAtK() {
        XCTAssertEqual(value("mrr@10", [false, false, true], rel: 1), 1.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(value("mrr@2", [false, false, true], rel: 1), 0)
    }

    func testMAPAndCappedMAP() {
        // AP@10 sum = 1/1 + 2/3 + 3/6; map divides by |rel| = 4, map_capped by min(10, 4) = 4.
        XCTAssertEqual(value("map@10", hits, rel: 4), (1 + 2.0 / 3 + 0.5) / 4, accuracy: 1e-15)
        // At K = 3: sum = 1 + 2/3; map / 4, map_capped / min(3, 4) = 3.
        XCTAssertEqual(value("map@3", hits, rel: 4), (1 + 2.0 / 3) / 4, accuracy: 1e-15)
        XCTAssertEqual(value("map_capped@3", hits, rel: 4), (1 + 2.0 / 3) / 3, accuracy: 1e-15)
    }

    func testNoHits() {
        let none = [Bool](repeating: false, count: 10)
        for name in ["recall@10", "precision@10", "ndcg@10", "hit@10", "mrr@10", "map@10"] {
            XCTAssertEqual(value(name, none, rel: 3), 0, name)
        }
    }

    func testMetricParsing() {
        XCTAssertEqual(MetricSpec(parsing: "ndcg@10"), MetricSpec(family: .ndcg, k: 10))
        XCTAssertEqual(MetricSpec(parsing: "recall_capped@20")?.family, .recallCapped)
        for bad in ["ndcg", "ndcg@0", "ndcg@-1", "ndcg@ten", "nDCG@10", "recall@10@2", "@10", "ndcg@1.5", ""] {
            XCTAssertNil(MetricSpec(parsing: bad), bad)
        }
    }
}
