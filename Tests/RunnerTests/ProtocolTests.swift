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

    /// RecBole's `LS` split (leave-one-out, `split: {'LS': 'valid_and_test'}`) of a hand-made
    /// sequence: user 0 bought a, b, c, d, e (times 10, 20, 20, 30, 40; the tie keeps file order).
    /// RecBole trains on [a, b, c], validates on d with history [a, b, c], and tests on e with
    /// history [a, b, c, d]; a user with two events has no train part and is dropped, one with
    /// two events but no validation keeps [a] → b.
    func testLeaveLastIsRecBoleLSOnAHandMadeExample() {
        // Items: a=0 b=1 c=2 d=3 e=4; user 1 has two events (5, 6); user 2 one event (7).
        let d = tinyDataset(items: [0, 2, 1, 3, 4, 5, 6, 7], users: [0, 0, 0, 0, 0, 1, 1, 2], times: [10, 20, 20, 30, 40, 1, 2, 5])
        let log = EventLog(dataset: d, eventWeights: [])
        // File order of the tie (c before b at t=20) is kept: the sequence is a, c, b, d, e.
        XCTAssertEqual(Array(log.item[log.start[0]..<log.start[1]]), [0, 2, 1, 3, 4])
        let test = QuerySet(log: log, protocol: LeaveLastProtocol(valid: true, targets: .test), excludeSeen: true)
        XCTAssertEqual(test.queries.map(\.user), [0])
        XCTAssertEqual(test.queries.map { [$0.historyEnd, $0.absorbed, $0.end] }, [[3, 4, 5]])
        XCTAssertEqual(test.queries[0].relevant, [4])
        XCTAssertEqual(test.skippedUsers, 2)   // users 1 and 2: fewer than 3 events
        let valid = QuerySet(log: log, protocol: LeaveLastProtocol(valid: true, targets: .valid), excludeSeen: true)
        XCTAssertEqual(valid.queries.map { [$0.historyEnd, $0.absorbed, $0.end] }, [[3, 3, 4]])
        XCTAssertEqual(valid.queries[0].relevant, [3])
        let noValid = QuerySet(log: log, protocol: LeaveLastProtocol(valid: false, targets: .test), excludeSeen: true)
        XCTAssertEqual(noValid.queries.map(\.user), [0, 1])
        XCTAssertEqual(noValid.queries.map { [$0.historyEnd, $0.absorbed, $0.end] }, [[4, 4, 5], [1, 1, 2]])
        XCTAssertEqual(noValid.queries.map(\.relevant), [[4], [6]])
        XCTAssertEqual(noValid.skippedUsers, 1)
    }

    func testLeaveLastCutsByLength() {
        XCTAssertEqual(cuts(LeaveLastProtocol(valid: true, targets: .test), [0, 1]), [])
        XCTAssertEqual(cuts(LeaveLastProtocol(valid: true, targets: .test), [0, 1, 2]), [[1, 2, 3]])
        XCTAssertEqual(cuts(LeaveLastProtocol(valid: true, targets: .valid), [0, 1, 2]), [[1, 1, 2]])
        XCTAssertEqual(cuts(LeaveLastProtocol(valid: false, targets: .test), [0]), [])
        XCTAssertEqual(cuts(LeaveLastProtocol(valid: false, targets: .test), [0, 1]), [[1, 1, 2]])
    }

    func testTemporalCuts() {
        let t: [Int64] = [5, 10, 10, 20, 30, 30, 40]
        // One cut at 30: history = times < 30 (4 events), ranked: 30, 30, 40.
        XCTAssertEqual(cuts(TemporalProtocol(testFrom: 30, validFrom: nil, targets: .test), t), [[4, 4, 7]])
        // Validation period [10, 30): history 1 event; ranking test, the period is the update.
        XCTAssertEqual(cuts(TemporalProtocol(testFrom: 30, validFrom: 10, targets: .test), t), [[1, 4, 7]])
        XCTAssertEqual(cuts(TemporalProtocol(testFrom: 30, validFrom: 10, targets: .valid), t), [[1, 1, 4]])
        // No history before the first cut, or nothing in the ranked period: skipped.
        XCTAssertEqual(cuts(TemporalProtocol(testFrom: 5, validFrom: nil, targets: .test), t), [])
        XCTAssertEqual(cuts(TemporalProtocol(testFrom: 41, validFrom: nil, targets: .test), t), [])
        XCTAssertEqual(cuts(TemporalProtocol(testFrom: 30, validFrom: 5, targets: .test), t), [])
        XCTAssertEqual(cuts(TemporalProtocol(testFrom: 11, validFrom: 10, targets: .valid), t), [[1, 1, 3]])
        XCTAssertEqual(cuts(TemporalProtocol(testFrom: 10, validFrom: 6, targets: .valid), t), [])
    }

    /// `numpy.quantile(times, q, method="higher")`: element ⌈q·(N − 1)⌉ of the sorted times.
    func testQuantileCutsAreNumpyHigher() {
        let sorted: [Int64] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        // np.quantile(range(1, 11), 0.9, method="higher") == 10; 0.5 → 6; 0.25 → 4; 0.01 → 2.
        XCTAssertEqual(TimeCut.quantile(0.9).resolve(sortedTimes: sorted), 10)
        XCTAssertEqual(TimeCut.quantile(0.5).resolve(sortedTimes: sorted), 6)
        XCTAssertEqual(TimeCut.quantile(0.25).resolve(sortedTimes: sorted), 4)
        XCTAssertEqual(TimeCut.quantile(0.01).resolve(sortedTimes: sorted), 2)
        XCTAssertEqual(TimeCut.time(7).resolve(sortedTimes: sorted), 7)
        let d = tinyDataset(items: [1, 2, 3, 4], users: [0, 0, 1, 1], times: [40, 10, 30, 20])
        let log = EventLog(dataset: d, eventWeights: [])
        let p = ProtocolSpec.temporal(testFrom: .quantile(0.5), validFrom: nil, targets: .test).implementation(for: log)
        // Times 10 20 30 40: element ⌈0.5·3⌉ = 2 → 30.
        XCTAssertEqual((p as? TemporalProtocol)?.testFrom, 30)
    }
}
