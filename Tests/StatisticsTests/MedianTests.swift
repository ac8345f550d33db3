import Statistics
import XCTest

/// `median`, used by the benchmarks for their repeated timings.
final class MedianTests: XCTestCase {
    func testMedian() {
        XCTAssertEqual(median([3, 1, 2]), 2)
        XCTAssertEqual(median([4, 1, 3, 2]), 2.5)
        XCTAssertEqual(median([7]), 7)
        XCTAssertTrue(median([]).isNaN)
    }
}
