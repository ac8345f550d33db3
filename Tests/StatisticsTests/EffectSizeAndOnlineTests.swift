import XCTest
import Statistics

final class EffectSizeAndOnlineTests: XCTestCase {
    func testWinsTiesLosses() {
        let r = winsTiesLosses([0.5, 0.2, 0.3, 0.0, .nan], [0.4, 0.2, 0.6, 0.0, 0.1])
        XCTAssertEqual(r.wins, 1)
        XCTAssertEqual(r.ties, 2)
        XCTAssertEqual(r.losses, 1)
    }

    /// d_z = d̄/s; for d = (1, 2, 3): d̄ = 2, s = 1, so d = 2 exactly (1e-15 for rounding).
    func testCohensDPaired() throws {
        XCTAssertEqual(try XCTUnwrap(cohensDPaired([2, 4, 6], [1, 2, 3])), 2, accuracy: 1e-15)
        XCTAssertNil(cohensDPaired([1], [0]))
        XCTAssertNil(cohensDPaired([1, 2], [0, 1]))  // constant difference: s = 0
        // d_z = t/√n of the paired t-test (1e-12 relative).
        let a = [0.3, 0.5, 0.2, 0.9, 0.4, 0.45], b = [0.25, 0.4, 0.3, 0.7, 0.35, 0.3]
        let t = try XCTUnwrap(pairedTTest(a, b))
        XCTAssertEqual(try XCTUnwrap(cohensDPaired(a, b)), t.statistic / 6.0.squareRoot(), accuracy: 1e-12)
    }

    /// y = 2x + noise: θ = cov/var(x), the adjusted mean equals the original mean, and the
    /// variance reduction equals corr(x, y)² (identities of the CUPED estimator; 1e-12).
    func testCUPED() {
        var g = SeededGenerator(seed: 8)
        let x = (0..<500).map { _ in g.nextDouble() }
        let y = x.map { 2 * $0 + 0.3 * g.nextDouble() }
        let r = cuped(y: y, x: x)
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        let sxy = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        let sxx = x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        let syy = y.map { ($0 - my) * ($0 - my) }.reduce(0, +)
        XCTAssertEqual(r.theta, sxy / sxx, accuracy: 1e-12)
        XCTAssertEqual(r.adjusted.reduce(0, +) / n, my, accuracy: 1e-12)
        XCTAssertEqual(r.varianceReduction, sxy * sxy / (sxx * syy), accuracy: 1e-12)
        XCTAssertGreaterThan(r.varianceReduction, 0.9)
        // A constant covariate leaves y unchanged.
        let flat = cuped(y: y, x: Array(repeating: 1, count: y.count))
        XCTAssertEqual(flat.theta, 0)
        XCTAssertEqual(flat.adjusted, y)
        XCTAssertEqual(flat.varianceReduction, 0)
    }
}
