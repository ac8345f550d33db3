import XCTest
import Experiments
@testable import Runner

/// `interests`: the thin SVD of the weighted window against NumPy, the sign convention, and the
/// degenerate cases. Values from `numpy.linalg.svd(A, full_matrices=False)` (numpy 2.4, float64);
/// 1e-6 absolute: the rows are returned as float32.
final class InterestsTests: XCTestCase {
    // Items: 0 = (1, 0, 0), 1 = (0.6, 0.8, 0), 2 = (0, 0, 1).
    let table: [Float] = [1, 0, 0, 0.6, 0.8, 0, 0, 0, 1]

    func compute(_ items: [Int], _ weights: [Double], k: Int, center: Bool = false) throws -> (rows: [Float], count: Int) {
        try table.withUnsafeBufferPointer { try InterestVectors.compute(items: items, weights: weights, table: $0, dim: 3, k: k, center: center) }
    }

    func assertRows(_ got: [Float], _ expected: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, expected.count, file: file, line: line)
        for (a, b) in zip(got, expected) { XCTAssertEqual(Double(a), b, accuracy: 1e-6, file: file, line: line) }
    }

    func testWeightedWindowAgainstNumpy() throws {
        // A = [1·x0, 2·x1] = [[1, 0, 0], [1.2, 1.6, 0]]; σ v oriented so that Σᵢ aᵢ·v ≥ 0.
        let r = try compute([0, 1], [1, 2], k: 2)
        XCTAssertEqual(r.count, 2)
        assertRows(r.rows, [1.4633609244280017, 1.5098053106566682, 0, 0.5464199894378173, -0.5296111062968009, 0])
        // k = 1 keeps the dominant direction only.
        let one = try compute([0, 1], [1, 2], k: 1)
        XCTAssertEqual(one.count, 1)
        assertRows(one.rows, [1.4633609244280017, 1.5098053106566682, 0])
    }

    func testCenteredWindowDropsTheNullDirection() throws {
        // Centred, the two rows span one direction (σ₂ = 1.6e-16 < 1e-9 σ₁ is dropped).
        let r = try compute([0, 1], [1, 2], k: 2, center: true)
        XCTAssertEqual(r.count, 1)
        assertRows(r.rows, [0.14142135623730948, 1.131370849898476, 0])
    }

    func testOneEventIsItsOwnVectorAndEmptyWindowHasNone() throws {
        let r = try compute([2], [3], k: 3)
        XCTAssertEqual(r.count, 1)
        assertRows(r.rows, [0, 0, 3])   // σ = 3 (the event weight), v = x₂, oriented towards it
        let flipped = try compute([1], [1], k: 1)
        assertRows(flipped.rows, [0.6, 0.8, 0])
        XCTAssertEqual(try compute([], [], k: 2).count, 0)
    }

    func testWeightedWindowUpdaterKeepsTheLastEventsOldestFirst() {
        var u = WeightedWindowUpdaterProbe(window: 3)
        for (i, w) in [(0, 1.0), (1, 2.0), (2, 3.0), (0, 4.0), (2, 5.0)] { u.absorb(i, w) }
        XCTAssertEqual(u.profile, .weightedWindow(items: [2, 0, 2], weights: [3, 4, 5]))
    }
}

import Profiles

/// Drives a `WeightedWindowUpdater` without vectors (it keeps ids and weights only).
struct WeightedWindowUpdaterProbe {
    var inner: WeightedWindowUpdater
    init(window: Int) { inner = WeightedWindowUpdater(window: window) }
    mutating func absorb(_ item: Int, _ weight: Double) {
        let v: [Float] = [0]
        v.withUnsafeBufferPointer { inner.absorb(item: item, vector: $0, weight: weight, time: 0) }
    }
    var profile: Profile { inner.profile }
}
