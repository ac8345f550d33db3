import Statistics
import XCTest

/// The test and correction names are the strings specs, flags and comparison.json use.
final class TestNamesTests: XCTestCase {
    func testSignificanceTestNamesInDefaultOrder() {
        XCTAssertEqual(SignificanceTest.allCases.map(\.rawValue), ["paired-t", "wilcoxon", "randomization"])
        XCTAssertEqual(SignificanceTest.names(joinedBy: "or"), "paired-t, wilcoxon or randomization")
        XCTAssertEqual(SignificanceTest(rawValue: "paired-t"), .pairedT)
        XCTAssertNil(SignificanceTest(rawValue: "t-test"))
    }

    func testCorrectionNamesAndAdjustment() {
        XCTAssertEqual(PValueCorrection.allCases.map(\.rawValue), ["holm", "bh", "none"])
        XCTAssertEqual(PValueCorrection.names(joinedBy: "or"), "holm, bh or none")
        let p = [0.01, 0.04, .nan, 0.03]
        // Exact: each correction is the function it names, NaN kept in place.
        XCTAssertEqual(PValueCorrection.holm.adjust(p).map(\.bitPattern), holm(p).map(\.bitPattern))
        XCTAssertEqual(PValueCorrection.bh.adjust(p).map(\.bitPattern), benjaminiHochberg(p).map(\.bitPattern))
        XCTAssertEqual(PValueCorrection.unadjusted.adjust(p).map(\.bitPattern), p.map(\.bitPattern))
    }
}
