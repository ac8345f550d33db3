@testable import Encoders
import Foundation
import XCTest

final class KernelTests: XCTestCase {
    /// The vectorisable erf against libm's erf in double precision over [-6, 6]: the stated
    /// bound is 4.5e-7 absolute (float32 rounding of a value near 1 is 6e-8, so this is a few ulp).
    func testFastErfIsAccurate() {
        var worst = 0.0
        for i in 0...120_000 {
            let x = Float(-6 + Double(i) * 1e-4)
            worst = max(worst, abs(Double(Kernels.erf32(x)) - Foundation.erf(Double(x))))
        }
        XCTAssertLessThan(worst, 4.5e-7)
        XCTAssertEqual(Kernels.erf32(0), 0)
        XCTAssertEqual(Kernels.erf32(10), 1, accuracy: 1e-6)
        XCTAssertEqual(Kernels.erf32(-10), -1, accuracy: 1e-6)
    }

    func testGeluMatchesDefinition() {
        var values: [Float] = [-5, -3.2, -1, -0.1, 0, 0.1, 1, 3.2, 5]
        let expected = values.map { 0.5 * Double($0) * (1 + Foundation.erf(Double($0) / 2.0.squareRoot())) }
        values.withUnsafeMutableBufferPointer { Kernels.gelu($0.baseAddress!, count: $0.count) }
        for (v, e) in zip(values, expected) { XCTAssertEqual(Double(v), e, accuracy: 1e-6) }
    }

    func testSoftmaxRows() {
        var m: [Float] = [1, 2, 3, 1000, 1000, 1000]
        m.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: 2, cols: 3) }
        let e = [exp(-2.0), exp(-1.0), 1.0], z = e.reduce(0, +)
        for k in 0..<3 { XCTAssertEqual(Double(m[k]), e[k] / z, accuracy: 1e-7) }
        for k in 3..<6 { XCTAssertEqual(m[k], 1.0 / 3, accuracy: 1e-7) }
    }

    func testParallelChunksCoverEveryIndexOnce() {
        for count in [0, 1, 7, 100, 1001] {
            var seen = [Int](repeating: 0, count: count)
            seen.withUnsafeMutableBufferPointer { buffer in
                Parallel.chunks(count) { range in for i in range { buffer[i] += 1 } }
            }
            XCTAssertEqual(seen, [Int](repeating: 1, count: count))
        }
    }
}
