import XCTest
@testable import LinearAlgebra

final class BLASTests: XCTestCase {
    func testSgemmSmall() {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            BLAS.sgemm(m: 2, n: 2, k: 2, a: ap.baseAddress!, lda: 2, b: bp.baseAddress!, ldb: 2, c: cp.baseAddress!, ldc: 2)
        } } }
        XCTAssertEqual(c, [19, 22, 43, 50])
    }

    func testSgemmTransposedB() {
        // A · Bᵀ with B stored row-major 2×2: [1 2; 3 4] · [5 7; 6 8]ᵀ... B = [5 6; 7 8] → Bᵀ = [5 7; 6 8]
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            BLAS.sgemm(transB: true, m: 2, n: 2, k: 2, a: ap.baseAddress!, lda: 2, b: bp.baseAddress!, ldb: 2, c: cp.baseAddress!, ldc: 2)
        } } }
        XCTAssertEqual(c, [17, 23, 39, 53])
    }

    func testSymmetricEigenKnownDecomposition() throws {
        // [[2,1],[1,2]] has eigenvalues 3 (vector (1,1)/√2) and 1 (vector (1,-1)/√2).
        let (values, vectors) = try LAPACK.symmetricEigen([2, 1, 1, 2], n: 2)
        XCTAssertEqual(values[0], 3, accuracy: 1e-12)
        XCTAssertEqual(values[1], 1, accuracy: 1e-12)
        let s = 1 / 2.0.squareRoot()
        XCTAssertEqual(vectors[0], s, accuracy: 1e-12)   // column 0 = (s, s)
        XCTAssertEqual(vectors[2], s, accuracy: 1e-12)
        XCTAssertEqual(abs(vectors[1]), s, accuracy: 1e-12)
        XCTAssertEqual(vectors[1] * vectors[3], -0.5, accuracy: 1e-12)  // column 1 ∝ (1, -1)
    }
}
