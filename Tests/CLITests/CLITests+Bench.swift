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
