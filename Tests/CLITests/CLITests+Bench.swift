import XCTest

extension CLITests {
    /// `bench train` on a small corpus prints one line with its throughput and the in-process
    /// sgemm rate; a bad option is a usage error.
    func testBenchTrainPrintsThroughputAgainstSgemm() throws {
        let o = try pb("bench", "train", "--users", "300", "--items", "200", "--dim", "16", "--negatives", "32", "--threads", "1")
        XCTAssertEqual(o.status, 0, o.stderr)
        let line = o.stdout.trimmingCharacters(in: .newlines)
        XCTAssertFalse(line.contains("\n"), "one line")
        XCTAssertTrue(line.hasPrefix("train bench: attention, "), line)
        XCTAssertTrue(line.contains(" examples/s, ") && line.contains(" events/s; gemm ") && line.contains("% of sgemm's "), line)
        XCTAssertTrue(line.contains("; 1 BLAS threads; weights fingerprint "), line)
        let bad = try pb("bench", "train", "--negatives", "0")
        XCTAssertEqual(bad.status, 64)
        XCTAssertTrue(bad.stderr.contains("--negatives must be >= 1 (got 0)"), bad.stderr)
    }
}

extension CLITests {
    /// `bench scoring` checks its options before measuring anything: each bad one is a usage error
    /// naming it; a small run prints its one line.
    func testBenchScoringValidatesItsOptions() throws {
        for (option, value, message) in [("--users", "0", "--users must be >= 1 (got 0)"), ("--k", "0", "--k must be >= 1 (got 0)"),
                                         ("--repeats", "0", "--repeats must be >= 1 (got 0)")] {
            let bad = try pb("bench", "scoring", option, value)
            XCTAssertEqual(bad.status, 64, option)
            XCTAssertTrue(bad.stderr.contains(message), bad.stderr)
        }
        let tooMany = try pb("bench", "scoring", "--items", "5", "--k", "10")
        XCTAssertEqual(tooMany.status, 64)
        XCTAssertTrue(tooMany.stderr.contains("--k must be at most --items (got 10 > 5)"), tooMany.stderr)
        let o = try pb("bench", "scoring", "--items", "500", "--dim", "16", "--users", "64", "--repeats", "1")
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stdout.hasPrefix("scoring bench: 64 profiles × 500 items × 16 dims, top-10, "), o.stdout)
        XCTAssertTrue(o.stdout.contains("sgemm alone:") && o.stdout.contains("scoring (sgemm + mask + top-K):"), o.stdout)
    }
}
