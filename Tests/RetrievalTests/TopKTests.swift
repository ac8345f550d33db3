import XCTest
@testable import Retrieval

final class TopKTests: XCTestCase {
    func offer(_ acc: inout TopKAccumulator, _ row: [Float], first: Int = 0) {
        row.withUnsafeBufferPointer { acc.offer($0, firstItem: first) }
    }

    func testScoreDescendingTiesByItemIdAscending() {
        var acc = TopKAccumulator(k: 4)
        offer(&acc, [0.5, 0.9, 0.5, 0.9, 0.1, 0.5])
        XCTAssertEqual(acc.ranked, [1, 3, 0, 2])
    }

    func testExcludedItemsNeverRankedAndShortLists() {
        var acc = TopKAccumulator(k: 5)
        offer(&acc, [-.infinity, 0.2, -.infinity, 0.3])
        XCTAssertEqual(acc.ranked, [3, 1])
    }

    func testAcrossBlocksEqualsOneBlock() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            // Scores from a small set so that ties are common.
            let row = (0..<200).map { _ in Float(Int.random(in: 0..<7, using: &rng)) / 7 }
            var whole = TopKAccumulator(k: 10)
            offer(&whole, row)
            var blocks = TopKAccumulator(k: 10)
            for start in stride(from: 0, to: 200, by: 33) { offer(&blocks, Array(row[start..<min(200, start + 33)]), first: start) }
            XCTAssertEqual(whole.ranked, blocks.ranked)
            // Brute force: sort by (-score, id).
            let expected = (0..<200).sorted { (row[$0], -$0) > (row[$1], -$1) }.prefix(10).map { Int32($0) }
            XCTAssertEqual(whole.ranked, Array(expected))
        }
    }

    func testZeroScoresRankByItemId() {
        var acc = TopKAccumulator(k: 3)
        offer(&acc, [0, -0.0, 0, 0, 0])
        XCTAssertEqual(acc.ranked, [0, 1, 2])
    }
}
