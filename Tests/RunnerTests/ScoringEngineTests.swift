import XCTest
import Datasets
import Experiments
@testable import Runner

/// The blocked engine (sgemm, shared window scoring, running top-K) against a brute-force
/// float64 ranking of the contract's definitions, on data without exact ties.
final class ScoringEngineTests: XCTestCase {
    let I = 150, d = 12, U = 23
    var E: [Float] = []
    var log: EventLog!

    override func setUp() {
        var g = SplitMix(seed: 99)
        var space = ItemSpace(rows: I, dim: d, values: (0..<(I * d)).map { _ in Float(g.gaussian()) })
        space.normalizeRows()
        E = space.values
        var users: [UInt32] = [], items: [UInt32] = [], times: [Int64] = [], types: [UInt8] = []
        for u in 0..<U {
            let n = 3 + Int(g.next() % 30)
            var t: Int64 = 1_700_000_000 + Int64(g.next() % 1000)
            for _ in 0..<n {
                users.append(UInt32(u)); items.append(UInt32(g.next() % UInt64(I)))
                t += Int64(g.next() % 200_000); times.append(t); types.append(UInt8(g.next() % 2))
            }
        }
        let ds = Dataset(eventUser: users, eventItem: items, eventTime: times, eventType: types, typeNames: ["view", "purchase"],
                         itemIDs: (0..<I).map { "i\($0)" }, userIDs: (0..<U).map { "u\($0)" })
        log = EventLog(dataset: ds, eventWeights: [("purchase", 3)])
    }

    /// Brute-force float64 scores of one query.
    func referenceScores(_ q: Query, _ strategy: StrategySpec) -> [Double] {
        let s = log.start[Int(q.user)]
        func vec(_ it: Int32) -> [Double] { (0..<d).map { Double(E[Int(it) * d + $0]) } }
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        func weighted(_ n: Int, _ w: (Int) -> Double) -> [Double] {
            var p = [Double](repeating: 0, count: d)
            for e in 0..<n { let v = vec(log.item[s + e]); for j in 0..<d { p[j] += w(e) * v[j] } }
            return p
        }
        let items = (0..<I).map { vec(Int32($0)) }
        switch strategy {
        case .static: let p = weighted(q.historyEnd) { self.log.weight[s + $0] }; return items.map { dot(p, $0) }
        case .mean: let p = weighted(q.absorbed) { self.log.weight[s + $0] }; return items.map { dot(p, $0) }
        case .decayDays(let h):
            let last = log.time[s + q.absorbed - 1]
            let p = weighted(q.absorbed) { self.log.weight[s + $0] * pow(2, -Double(last - self.log.time[s + $0]) / (h * 86_400)) }
            return items.map { dot(p, $0) }
        case .decayEvents(let h):
            let p = weighted(q.absorbed) { self.log.weight[s + $0] * pow(2, -Double(q.absorbed - 1 - $0) / h) }
            return items.map { dot(p, $0) }
        case let .concat(window, agg, temperature):
            let win = (max(0, q.absorbed - window)..<q.absorbed).map { vec(log.item[s + $0]) }
            return items.map { x in
                let c = win.map { dot($0, x) }
                switch agg {
                case .max: return c.max()!
                case .mean: return c.reduce(0, +) / Double(c.count)
                case .softmax:
                    let m = c.max()!, e = c.map { exp(($0 - m) / temperature!) }
                    return zip(e, c).reduce(0) { $0 + $1.0 * $1.1 } / e.reduce(0, +)
                }
            }
        case let .interests(window, k, agg, center):
            // The interest vectors (checked against NumPy's SVD in InterestsTests), scored here
            // in float64 one item at a time: the engine's stacked sgemm and aggregation are on test.
            let lo = max(0, q.absorbed - window)
            let win = (lo..<q.absorbed).map { Int(log.item[s + $0]) }, ws = (lo..<q.absorbed).map { log.weight[s + $0] }
            let v = try! E.withUnsafeBufferPointer { try InterestVectors.compute(items: win, weights: ws, table: $0, dim: d, k: k, center: center) }
            let rows = (0..<v.count).map { r in (0..<d).map { Double(v.rows[r * d + $0]) } }
            return items.map { x in
                let c = rows.map { dot($0, x) }
                if c.isEmpty { return 0 }
                return agg == .max ? c.max()! : c.reduce(0, +)
            }
        case .attention, .mlp, .online:
            preconditionFailure("the learned strategies are checked in LearnedStrategyTests")
        }
    }

    func check(_ proto: any EvaluationProtocol, _ strategy: StrategySpec, k: Int = 8, margin: Int = 64,
               file: StaticString = #filePath, line: UInt = #line) -> Int {
        let qs = QuerySet(log: log, protocol: proto, excludeSeen: true)
        XCTAssertGreaterThan(qs.queries.count, 10, file: file, line: line)
        let engine = ScoringEngine(items: ItemSpace(rows: I, dim: d, values: E), log: log, k: k, excludeSeen: true)
        engine.vectorBlock = 7          // several query blocks
        engine.windowBlock = 5
        engine.scoreBlockFloats = 64 * 5   // several column blocks
        engine.candidateMargin = margin
        var t = RankingTimings()
        let lists = engine.rank(qs.queries, strategy: strategy, timings: &t)
        for (i, q) in qs.queries.enumerated() {
            let sc = referenceScores(q, strategy)
            let s = log.start[Int(q.user)]
            let seen = Set((0..<q.absorbed).map { Int(log.item[s + $0]) })
            let expected = (0..<I).filter { !seen.contains($0) }.sorted { (sc[$0], -$0) > (sc[$1], -$1) }.prefix(k).map { Int32($0) }
            let got = Array(lists.list(i))
            // A list holds min(k, unseen items) entries: a short or empty list is a failure.
            XCTAssertEqual(got.count, expected.count, "query \(i) \(strategy.id): list length", file: file, line: line)
            if got != Array(expected) {
                // Only near-ties (within float32 rounding) may order differently.
                for (a, b) in zip(got, expected) where a != b {
                    XCTAssertEqual(sc[Int(a)], sc[Int(b)], accuracy: 1e-6, "query \(i) \(strategy.id)", file: file, line: line)
                }
            }
        }
        return engine.fallbackQueries
    }

    func testAllStrategiesHoldout() {
        let p = HoldoutProtocol(history: 0.6, update: 0.2, test: 0.2)
        for s: StrategySpec in [.static, .mean, .decayDays(halfLife: 1.5), .decayEvents(halfLife: 3),
                                .concat(window: 4, aggregate: .max, temperature: nil), .concat(window: 3, aggregate: .mean, temperature: nil),
                                .concat(window: 5, aggregate: .softmax, temperature: 0.2),
                                .interests(window: 6, k: 2, aggregate: .max, center: false), .interests(window: 6, k: 3, aggregate: .sum, center: false),
                                .interests(window: 5, k: 2, aggregate: .max, center: true), .interests(window: 1, k: 1, aggregate: .max, center: false)] {
            _ = check(p, s)
        }
    }

    func testConcatMaxCandidateListsAndTheirFallback() {
        let p = HoldoutProtocol(history: 0.6, update: 0.2, test: 0.2)
        // Long lists: exact without fallback.
        XCTAssertEqual(check(p, .concat(window: 4, aggregate: .max, temperature: nil), margin: 64), 0)
        XCTAssertEqual(check(p, .concat(window: 4, aggregate: .max, temperature: nil), margin: 0), 0)
        // A window of one item with a list of exactly K: the item itself is seen, so fewer than
        // K candidates remain and every query falls back to the full computation.
        let qs = QuerySet(log: log, protocol: p, excludeSeen: true)
        XCTAssertEqual(check(p, .concat(window: 1, aggregate: .max, temperature: nil), margin: 0), qs.queries.count)
    }

    func testAllStrategiesPrequential() {
        let p = PrequentialProtocol(history: 0.3, windowEvents: 4, windowDays: nil)
        for s: StrategySpec in [.static, .mean, .decayDays(halfLife: 2), .concat(window: 6, aggregate: .max, temperature: nil),
                                .interests(window: 6, k: 2, aggregate: .max, center: false)] {
            _ = check(p, s)
        }
    }
}

/// A tiny self-contained generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    mutating func gaussian() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
