import XCTest
import Experiments
import Statistics
import Runner
@testable import Profiles

/// Each strategy's incremental update equals its batch definition.
final class StrategyTests: XCTestCase {
    let dim = 5
    var vectors: [[Float]] = []
    var weights: [Double] = []
    var times: [Int64] = []

    override func setUp() {
        // Seeded, so a failure replays.
        var g = SeededGenerator(seed: 20261201, label: "strategy-tests")
        vectors = (0..<40).map { _ in (0..<dim).map { _ in Float.random(in: -1...1, using: &g) } }
        weights = (0..<40).map { _ in [1.0, 1, 2, 3][Int.random(in: 0..<4, using: &g)] }
        var t: Int64 = 1_700_000_000
        times = (0..<40).map { _ in t += Int64.random(in: 0...200_000, using: &g); return t }
    }

    func absorbAll(_ u: inout any ProfileUpdater, upTo n: Int, historyEnd: Int = .max) {
        for i in 0..<n {
            if i == historyEnd { u.endOfHistory() }
            vectors[i].withUnsafeBufferPointer { u.absorb(item: i, vector: $0, weight: weights[i], time: times[i]) }
        }
        if n == historyEnd { u.endOfHistory() }
    }

    func batch(_ w: [Double], upTo n: Int) -> [Double] {
        var s = [Double](repeating: 0, count: dim)
        var W = 0.0
        for i in 0..<n { for j in 0..<dim { s[j] += w[i] * Double(vectors[i][j]) }; W += w[i] }
        return s.map { $0 / W }
    }

    func assertClose(_ a: Profile, _ b: [Double], _ tol: Double = 1e-12, file: StaticString = #filePath, line: UInt = #line) {
        guard case .vector(let v) = a else { return XCTFail("expected a vector profile", file: file, line: line) }
        for j in 0..<dim { XCTAssertEqual(v[j], b[j], accuracy: tol * max(1, abs(b[j])), file: file, line: line) }
    }

    func testMeanIsWeightedMean() {
        var u = makeUpdater(.mean, dim: dim)
        absorbAll(&u, upTo: 25)
        assertClose(u.profile, batch(weights, upTo: 25))
    }

    func testStaticFreezesAfterHistory() {
        var u = makeUpdater(.static, dim: dim)
        absorbAll(&u, upTo: 30, historyEnd: 12)
        assertClose(u.profile, batch(weights, upTo: 12))
    }

    func testDecayDaysEqualsBatch() {
        let h = 3.5
        var u = makeUpdater(.decayDays(halfLife: h), dim: dim)
        absorbAll(&u, upTo: 30)
        let last = times[29]
        let w = (0..<40).map { i in weights[i] * pow(2, -Double(last - times[i]) / (h * 86_400)) }
        // float64 rescaling at each step vs direct powers: a few ulps apart.
        assertClose(u.profile, batch(w, upTo: 30), 1e-10)
    }

    func testDecayEventsEqualsBatch() {
        let h = 4.0
        var u = makeUpdater(.decayEvents(halfLife: h), dim: dim)
        absorbAll(&u, upTo: 17)
        let w = (0..<40).map { i in weights[i] * pow(2, -Double(16 - i) / h) }
        assertClose(u.profile, batch(w, upTo: 17), 1e-10)
    }

    func testConcatKeepsLastWindowOldestFirstIgnoringWeights() {
        var u = makeUpdater(.concat(window: 4, aggregate: .max, temperature: nil), dim: dim)
        absorbAll(&u, upTo: 3)
        XCTAssertEqual(u.profile, .window([0, 1, 2]))
        absorbAll(&u, upTo: 0)
        for i in 3..<9 { vectors[i].withUnsafeBufferPointer { u.absorb(item: i, vector: $0, weight: 0, time: times[i]) } }
        XCTAssertEqual(u.profile, .window([5, 6, 7, 8]))
    }

    func testZeroWeightsGiveZeroProfile() {
        var u = makeUpdater(.mean, dim: dim)
        vectors[0].withUnsafeBufferPointer { u.absorb(item: 0, vector: $0, weight: 0, time: 0) }
        XCTAssertEqual(u.profile, .vector([0, 0, 0, 0, 0]))
    }
}
