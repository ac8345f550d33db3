import Runner
import XCTest

/// `bench scoring`'s measurement, at a size that runs in milliseconds.
final class ScoringBenchmarkTests: XCTestCase {
    func testSmallRunReportsItsFigures() {
        var c = ScoringBenchmark.Configuration()
        c.items = 300
        c.dim = 8
        c.users = 70
        c.k = 5
        c.repeats = 0  // counts as one
        let r = ScoringBenchmark.run(c)
        XCTAssertEqual(r.repeats, 1)
        XCTAssertEqual(r.flops, 2.0 * 70 * 300 * 8)
        XCTAssertGreaterThan(r.sgemmSeconds, 0)
        XCTAssertGreaterThan(r.scoringSeconds, 0)
        let lines = r.line.split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(lines[0].hasPrefix("scoring bench: 70 profiles × 300 items × 8 dims, top-5, "), String(lines[0]))
        XCTAssertTrue(lines[0].hasSuffix("BLAS threads, median of 1"), String(lines[0]))
    }
}
