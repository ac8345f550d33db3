import XCTest
import Statistics

/// Bootstrap intervals and the randomization test: determinism for a seed, and agreement
/// with exact answers where they can be computed.
final class ResamplingTests: XCTestCase {
    /// A fixed pseudo-random paired sample (n = 200), metric-like values in [0, 1].
    static let sample: (a: [Double], b: [Double]) = {
        var g = SeededGenerator(seed: 99)
        let b = (0..<200).map { _ in g.nextDouble() }
        let a = b.map { min(1, max(0, $0 + 0.05 * (g.nextDouble() - 0.4))) }
        return (a, b)
    }()

    func testBootstrapIsDeterministicForASeed() {
        let (a, b) = Self.sample
        let first = pairedBootstrapCI(a, b, seed: 42)
        let second = pairedBootstrapCI(a, b, seed: 42)
        XCTAssertEqual(first.lo, second.lo)
        XCTAssertEqual(first.hi, second.hi)
        let other = pairedBootstrapCI(a, b, seed: 43)
        XCTAssertTrue(other.lo != first.lo || other.hi != first.hi, "another seed gave the same interval")
        let single = bootstrapCI(a, seed: 42)
        XCTAssertEqual(single.lo, bootstrapCI(a, seed: 42).lo)
        XCTAssertEqual(single.hi, bootstrapCI(a, seed: 42).hi)
        XCTAssertNotEqual(single.lo, bootstrapCI(a, seed: 7).lo)
    }

    func testPairedBootstrapIsBootstrapOfDifferences() {
        let (a, b) = Self.sample
        let d = zip(a, b).map { $0 - $1 }
        let paired = pairedBootstrapCI(a, b, resamples: 500, seed: 3, level: 0.9)
        let direct = bootstrapCI(d, resamples: 500, seed: 3, level: 0.9)
        XCTAssertEqual(paired.lo, direct.lo)
        XCTAssertEqual(paired.hi, direct.hi)
    }

    /// The interval brackets the sample mean, widens with the level, and a constant sample
    /// gives a zero-width interval at that constant.
    func testBootstrapIntervalShape() {
        let (a, _) = Self.sample
        let mean = a.reduce(0, +) / Double(a.count)
        let ci95 = bootstrapCI(a, seed: 1)
        let ci50 = bootstrapCI(a, seed: 1, level: 0.5)
        XCTAssertLessThan(ci95.lo, mean)
        XCTAssertGreaterThan(ci95.hi, mean)
        XCTAssertLessThanOrEqual(ci95.lo, ci50.lo)
        XCTAssertGreaterThanOrEqual(ci95.hi, ci50.hi)
        let constant = bootstrapCI([0.25, 0.25, 0.25], seed: 5)
        XCTAssertEqual(constant.lo, 0.25)
        XCTAssertEqual(constant.hi, 0.25)
        // The percentile interval of the mean is near x̄ ± 1.96·s/√n for this n (within 30%).
        let s = (a.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(a.count - 1)).squareRoot()
        let halfWidth = 1.96 * s / Double(a.count).squareRoot()
        XCTAssertEqual((ci95.hi - ci95.lo) / 2, halfWidth, accuracy: 0.3 * halfWidth)
    }

    func testRandomizationIsDeterministicForASeed() {
        let (a, b) = Self.sample
        let first = randomizationTest(a, b, resamples: 2_500, seed: 42)  // 2 full chunks + a partial one
        XCTAssertEqual(first, randomizationTest(a, b, resamples: 2_500, seed: 42))
        // Shift a so the mean difference is small and p is far from its floor 1/(R+1),
        // where two seeds give different counts.
        let meanDifference = zip(a, b).map { $0 - $1 }.reduce(0, +) / Double(a.count)
        let c = a.map { $0 - meanDifference + 0.0015 }
        let weak = randomizationTest(c, b, seed: 11)
        XCTAssertGreaterThan(weak, 0.01)
        XCTAssertEqual(weak, randomizationTest(c, b, seed: 11))
        XCTAssertNotEqual(weak, randomizationTest(c, b, seed: 12))
    }

    /// For n = 10 all 2¹⁰ sign patterns can be enumerated: the exact two-sided p. The Monte
    /// Carlo p with 100,000 resamples must be within 4 standard errors √(p(1−p)/R) of it.
    func testRandomizationAgreesWithExhaustiveEnumeration() {
        let a = [0.61, 0.42, 0.83, 0.35, 0.57, 0.49, 0.72, 0.66, 0.38, 0.55]
        let b = [0.52, 0.45, 0.71, 0.36, 0.41, 0.50, 0.60, 0.58, 0.40, 0.47]
        let d = zip(a, b).map { $0 - $1 }
        let observed = abs(d.reduce(0, +))
        var extreme = 0
        for pattern in 0..<(1 << d.count) {
            var s = 0.0
            for (i, x) in d.enumerated() { s += (pattern >> i) & 1 == 1 ? -x : x }
            if abs(s) >= observed - 1e-12 { extreme += 1 }
        }
        let exact = Double(extreme) / Double(1 << d.count)
        let resamples = 100_000
        let p = randomizationTest(a, b, resamples: resamples, seed: 2024)
        let standardError = (exact * (1 - exact) / Double(resamples)).squareRoot()
        XCTAssertEqual(p, exact, accuracy: 4 * standardError)
    }

    func testRandomizationEdgeCases() {
        // No difference at all: every resample ties, p = 1.
        XCTAssertEqual(randomizationTest([0.1, 0.2, 0.3], [0.1, 0.2, 0.3], resamples: 999, seed: 1), 1)
        // Tied, discrete differences (a hit@K-like metric): the pattern equal to the observed
        // one in exact arithmetic counts despite rounding, so p ≥ 1/(R+1) and symmetric.
        let a = Array(repeating: 1.0, count: 12) + Array(repeating: 0.0, count: 8)
        let b = Array(repeating: 0.0, count: 20)
        let p = randomizationTest(a, b, resamples: 999, seed: 5)
        XCTAssertGreaterThanOrEqual(p, 1.0 / 1000)
        XCTAssertEqual(p, randomizationTest(b, a, resamples: 999, seed: 5), "swapping a and b must not change p")
    }
}
