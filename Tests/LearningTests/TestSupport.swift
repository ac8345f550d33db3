import XCTest
import Statistics
@testable import Learning

/// Seeded uniform values in [lo, hi).
func randomValues<T: LearningScalar>(_ n: Int, _ rng: inout SeededGenerator, _ lo: Double = -1, _ hi: Double = 1) -> [T] {
    (0..<n).map { _ in T(lo + (hi - lo) * rng.nextDouble()) }
}

func randomMatrix<T: LearningScalar>(_ rows: Int, _ cols: Int, _ rng: inout SeededGenerator, _ lo: Double = -1, _ hi: Double = 1) -> Matrix<T> {
    Matrix(rows: rows, cols: cols, values: randomValues(rows * cols, &rng, lo, hi))
}

/// Rows of unit length (like the encoders' item vectors).
func unitRows<T: LearningScalar>(_ rows: Int, _ cols: Int, _ rng: inout SeededGenerator) -> Matrix<T> {
    var m: Matrix<T> = randomMatrix(rows, cols, &rng)
    for r in 0..<rows {
        var s = 0.0
        for c in 0..<cols { s += Double(m[r, c]) * Double(m[r, c]) }
        for c in 0..<cols { m[r, c] = T(Double(m[r, c]) / s.squareRoot()) }
    }
    return m
}

/// Σ R ⊙ Y: a random linear read-out, so ∂L/∂Y = R (not all ones, not symmetric).
func readout<T: LearningScalar>(_ y: Matrix<T>, _ r: Matrix<T>) -> Double {
    precondition(y.values.count == r.values.count)
    var s = 0.0
    for i in 0..<y.values.count { s += Double(y.values[i]) * Double(r.values[i]) }
    return s
}

/// Central differences (f(x + h) − f(x − h)) / 2h of `f` at `x`, coordinate by coordinate.
func centralDifferences<T: LearningScalar>(_ x: [T], h: Double, _ f: ([T]) -> Double) -> [Double] {
    var out = [Double](repeating: 0, count: x.count)
    var y = x
    for i in 0..<x.count {
        let x0 = x[i]
        y[i] = x0 + T(h); let up = f(y)
        y[i] = x0 - T(h); let down = f(y)
        y[i] = x0
        out[i] = (up - down) / (2 * h)
    }
    return out
}

/// Asserts every coordinate's relative error |a − n| / max(|a|, |n|, floor) ≤ tolerance, the
/// floor being `floor · max|a|` (1e-3 by default) so that coordinates near zero are judged against
/// the gradient's scale rather than against nothing. Also asserts the gradient is not trivially zero.
func assertGradientsClose<T: LearningScalar>(_ analytic: [T], _ numeric: [Double], tolerance: Double, floor: Double = 1e-3,
                                             _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(analytic.count, numeric.count, "\(what): gradient lengths", file: file, line: line)
    let scale = analytic.map { abs(Double($0)) }.max() ?? 0
    XCTAssertGreaterThan(scale, 1e-6, "\(what): the analytic gradient is all (near) zero: a degenerate check", file: file, line: line)
    var worst = 0.0, worstIndex = -1
    for i in 0..<min(analytic.count, numeric.count) {
        let a = Double(analytic[i]), n = numeric[i]
        let e = abs(a - n) / max(abs(a), abs(n), floor * scale)
        if e > worst { worst = e; worstIndex = i }
    }
    XCTAssertLessThanOrEqual(worst, tolerance,
        "\(what): worst relative error \(worst) at \(worstIndex): analytic \(worstIndex >= 0 ? Double(analytic[worstIndex]) : 0), numeric \(worstIndex >= 0 ? numeric[worstIndex] : 0)",
        file: file, line: line)
}

/// The store's gradient after zeroing and running `body` (which accumulates into it).
func gradients<T>(_ store: ParameterStore<T>, _ body: (UnsafeBufferPointer<T>, UnsafeMutableBufferPointer<T>) -> Void) -> [T] {
    var s = store
    s.zeroGradients()
    s.withBuffers(body)
    return s.gradients
}

func withValues<T>(_ store: ParameterStore<T>, _ v: [T]) -> ParameterStore<T> {
    var s = store
    s.setAllValues(v)
    return s
}
