import XCTest
@testable import Runner

final class ReductionTests: XCTestCase {
    func testPCAOfPointsOnALineKnownDecomposition() throws {
        // Items spread along (1, 1, 0)/√2 around a mean, with a small spread along (1, -1, 0)/√2:
        // the first principal axis is (1, 1, 0)/√2, so pca(1) maps each item to ±1.
        let r2 = Float(2).squareRoot(); let a: [Float] = [1 / r2, 1 / r2, 0], b: [Float] = [1 / r2, -1 / r2, 0]
        let mu: [Float] = [0.2, 0.1, 0.5]
        let coeffs: [(Float, Float)] = [(2, 0.1), (-1, -0.1), (3, 0.05), (-4, 0), (1, -0.05)]
        var values: [Float] = []
        for (s, t) in coeffs { for j in 0..<3 { values.append(mu[j] + s * a[j] + t * b[j]) } }
        let space = ItemSpace(rows: 5, dim: 3, values: values)
        let out = try Reductions.apply(.pca(components: 1), to: space, seed: 0)
        XCTAssertEqual(out.dim, 1)
        // Coefficients along the axis are s − mean(s) = s − 0.2; signs follow the eigenvector's
        // sign convention (largest entry positive: (1, 1, 0)/√2 itself).
        for (r, (s, _)) in coeffs.enumerated() { XCTAssertEqual(out.values[r], s - 0.2 > 0 ? 1 : -1, accuracy: 1e-6) }
        let two = try Reductions.apply(.pca(components: 2), to: space, seed: 0)
        // The centred items lie in the plane of a and b, at coordinates (s − mean s, t − mean t);
        // pca(2) keeps that whole plane, so it maps them by a rotation (or reflection) and, after
        // each row is L2-normalised, the cosine between any two output rows equals the cosine
        // between the two centred items: (s − 0.2, t) with mean(t) = 0. Whatever the signs of the
        // eigenvectors, this fixes every output row up to one common orthogonal map.
        XCTAssertEqual(two.dim, 2)
        XCTAssertEqual(two.values.count, 10)
        let centred = coeffs.map { (Double($0.0) - 0.2, Double($0.1)) }
        for r in 0..<5 {
            let x = Double(two.values[2 * r]), y = Double(two.values[2 * r + 1])
            XCTAssertEqual(x * x + y * y, 1, accuracy: 1e-6)
            for q in 0..<5 {
                let (a1, b1) = centred[r], (a2, b2) = centred[q]
                let expected = (a1 * a2 + b1 * b2) / ((a1 * a1 + b1 * b1).squareRoot() * (a2 * a2 + b2 * b2).squareRoot())
                let got = x * Double(two.values[2 * q]) + y * Double(two.values[2 * q + 1])
                XCTAssertEqual(got, expected, accuracy: 1e-5, "cosine of output rows \(r) and \(q)")
            }
        }
        XCTAssertThrowsError(try Reductions.apply(.pca(components: 4), to: space, seed: 0))
    }

    func testRandomProjectionIsSeededAndNormalised() throws {
        var values: [Float] = []
        for i in 0..<20 { for j in 0..<8 { values.append(Float(sin(Double(i * 8 + j)))) } }
        var space = ItemSpace(rows: 20, dim: 8, values: values)
        space.normalizeRows()
        let a = try Reductions.apply(.randomProjection(components: 3), to: space, seed: 42)
        let b = try Reductions.apply(.randomProjection(components: 3), to: space, seed: 42)
        let c = try Reductions.apply(.randomProjection(components: 3), to: space, seed: 43)
        XCTAssertEqual(a.values, b.values)
        XCTAssertNotEqual(a.values, c.values)
        for r in 0..<20 {
            let n = (0..<3).reduce(0.0) { $0 + Double(a.values[r * 3 + $1] * a.values[r * 3 + $1]) }
            XCTAssertEqual(n, 1, accuracy: 1e-5)
        }
    }

    func testZeroRowsStayZero() throws {
        var space = ItemSpace(rows: 4, dim: 3, values: [1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1])
        let zero = space.normalizeRows()
        XCTAssertEqual(zero, [false, true, false, false])
        let p = try Reductions.apply(.pca(components: 2), to: space, seed: 0)
        XCTAssertEqual(Array(p.values[2..<4]), [0, 0])
    }
}
