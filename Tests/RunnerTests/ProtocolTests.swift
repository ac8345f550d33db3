import XCTest
import Datasets
import Experiments
@testable import Runner

/// The split arithmetic of both protocols, event by event, on tiny datasets.
final class ProtocolTests: XCTestCase {
    func cuts(_ p: any EvaluationProtocol, _ times: [Int64]) -> [[Int]] {
        times.withUnsafeBufferPointer { p.cuts(count: times.count, times: $0).map { [$0.historyEnd, $0.absorbed, $0.end] } }
    }

    func testHoldoutFractions() {
        let p = HoldoutProtocol(history: 0.6, update: 0.2, test: 0.2)
        // n = 10: test 2, update 2, history 6.
        XCTAssertEqual(cuts(p, Array(0..<10)), [[6, 8, 10]])
        // n = 7: test max(1, ⌊1.4⌋) = 1, update ⌊1.4⌋ = 1, history 5.
        XCTAssertEqual(cuts(p, Array(0..<7)), [[5, 6, 7]])
        // n = 2: test 1, update 0, history 1.
        XCTAssertEqual(cuts(p, [0, 1]), [[1, 1, 2]])
        // n = 1: test 1, history 0 → skipped.
        XCTAssertEqual(cuts(p, [0]), [])
    }

    func testPrequentialWindowEvents() {
        let p = PrequentialProtocol(history: 0.5, windowEvents: 3, windowDays: nil)
        // n = 10: history 5, then chunks [5,8) and [8,10).
        XCTAssertEqual(cuts(p, Array(0..<10)), [[5, 5, 8], [5, 8, 10]])
        // n = 1: history max(1, 0) = 1, nothing left.
        XCTAssertEqual(cuts(p, [0]), [])
    }

    func testPrequentialWindowDaysSkipsEmptyIntervals() {
        let day: Int64 = 86_400
        let p = PrequentialProtocol(history: 0.25, windowEvents: nil, windowDays: 1)
        // 8 events: history 2; t0 = time of event 2 = 10·day. Intervals of one day from t0:
        // [10,11): events 2,3; [11,12): none (no step); [12,13): event 4; [15,16): events 5,6,7.
        let t: [Int64] = [0, 1, 10 * day, 10 * day + 5, 12 * day, 15 * day, 15 * day, 15 * day + day - 1]
        XCTAssertEqual(cuts(p, t), [[2, 2, 4], [2, 4, 5], [2, 5, 8]])
    }

    func tinyDataset(items: [UInt32], users: [UInt32], times: [Int64], types: [UInt8]? = nil) -> Dataset {
        Dataset(eventUser: users, eventItem: items, eventTime: times, eventType: types, typeNames: types == nil ? [] : ["view", "purchase"],
                itemIDs: (0..<10).map { "i\($0)" }, userIDs: (0..<3).map { "u\($0)" })
    }

    func testEventLogOrdersByTimeKeepingDatasetOrderForTies() {
        // User 0's events in file order: (item 5, t=3), (item 1, t=1), (item 2, t=3), (item 3, t=1).
        let d = tinyDataset(items: [5, 1, 2, 3, 7], users: [0, 0, 0, 0, 1], times: [3, 1, 3, 1, 0], types: [0, 1, 0, 0, 1])
        let log = EventLog(dataset: d, eventWeights: [("purchase", 3)])
        XCTAssertEqual(Array(log.item[log.start[0]..<log.start[1]]), [1, 3, 5, 2])
        XCTAssertEqual(Array(log.weight[log.start[0]..<log.start[1]]), [3, 1, 1, 1])
        XCTAssertEqual(log.count(of: 2), 0)
    }

    func testRelevanceExcludesSeenAndSkipsEmptyLists() {
        // User 0: items 1 2 3 4 1 (n = 5, holdout 0.6/0.2/0.2: history 3, update 1, test 1 = item 1, seen → skipped).
        // User 1: items 5 6 7 8 9: test = item 9, relevant.
        let d = tinyDataset(items: [1, 2, 3, 4, 1, 5, 6, 7, 8, 9], users: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1], times: Array(0..<10))
        let log = EventLog(dataset: d, eventWeights: [])
        let holdout = HoldoutProtocol(history: 0.6, update: 0.2, test: 0.2)
        let qs = QuerySet(log: log, protocol: holdout, excludeSeen: true)
        XCTAssertEqual(qs.queries.map(\.user), [1])
        XCTAssertEqual(qs.queries[0].relevant, [9])
        XCTAssertEqual(qs.skippedUsers, 1)
        XCTAssertEqual(qs.activeUsers, 2)   // user 2 has no events: not part of the evaluation
        let all = QuerySet(log: log, protocol: holdout, excludeSeen: false)
        XCTAssertEqual(all.queries.map(\.user), [0, 1])
        XCTAssertEqual(all.queries[0].relevant, [1])
    }

    func testQuerySetRestrictedToSampledUsers() {
        let d = tinyDataset(items: [1, 2, 3, 4, 5, 5, 6, 7, 8, 9], users: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1], times: Array(0..<10))
        let log = EventLog(dataset: d, eventWeights: [])
        let qs = QuerySet(log: log, protocol: HoldoutProtocol(history: 0.6, update: 0.2, test: 0.2), excludeSeen: true, users: [1])
        XCTAssertEqual(qs.queries.map(\.user), [1])
        XCTAssertEqual(qs.activeUsers, 1)
        XCTAssertEqual(qs.skippedUsers, 0)
    }
}
