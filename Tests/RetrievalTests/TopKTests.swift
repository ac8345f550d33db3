import XCTest
import Statistics
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
        var rng = SeededGenerator(seed: 20261201, label: "topk-blocks")  // seeded: a failure replays
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

    func testUnorderedOffersKeepScoreThenIdOrder() {
        var g = SeededGenerator(seed: 20261201, label: "topk-unordered")  // seeded: a failure replays
        for _ in 0..<50 {
            let n = 120
            let scores = (0..<n).map { _ in Float(Int.random(in: 0..<5, using: &g)) }
            let order = (0..<n).map { Int32($0) }.shuffled(using: &g)
            var sc = [Float](repeating: -.infinity, count: 7), it = [Int32](repeating: -1, count: 7), count = 0
            // Offer in two shuffled batches, one of them strided.
            let a = Array(order[0..<50]), b = Array(order[50...])
            let va = a.map { scores[Int($0)] }
            var vb = [Float](repeating: 0, count: b.count * 3)
            for (t, id) in b.enumerated() { vb[t * 3] = scores[Int(id)] }
            va.withUnsafeBufferPointer { v in a.withUnsafeBufferPointer { ids in
                TopKAccumulator.offerUnordered(v.baseAddress!, stride: 1, count: a.count, ids: ids.baseAddress!, k: 7, count: &count, scores: &sc, items: &it)
            } }
            vb.withUnsafeBufferPointer { v in b.withUnsafeBufferPointer { ids in
                TopKAccumulator.offerUnordered(v.baseAddress!, stride: 3, count: b.count, ids: ids.baseAddress!, k: 7, count: &count, scores: &sc, items: &it)
            } }
            let expected = (0..<n).sorted { (scores[$0], -$0) > (scores[$1], -$1) }.prefix(7).map { Int32($0) }
            XCTAssertEqual(it, Array(expected))
        }
    }
}
