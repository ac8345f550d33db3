/// A dense row-major matrix on one contiguous buffer: the activations and gradients that flow
/// between layers. Row `i` holds `values[i·cols ..< (i+1)·cols]`.
public struct Matrix<T: LearningScalar>: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    public var values: [T]

    /// A `rows × cols` matrix of zeros.
    public init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "Matrix: negative shape \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        values = [T](repeating: 0, count: rows * cols)
    }

    /// Wraps `values` (row-major, `rows·cols` of them).
    public init(rows: Int, cols: Int, values: [T]) {
        precondition(values.count == rows * cols, "Matrix: \(values.count) values for shape \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    @inlinable public subscript(row: Int, col: Int) -> T {
        get { values[row * cols + col] }
        set { values[row * cols + col] = newValue }
    }

    /// A copy of row `i`.
    public func row(_ i: Int) -> [T] { Array(values[(i * cols)..<((i + 1) * cols)]) }
}

/// `C = op(A) · op(B)` (or `C += …` with `accumulate`), `op(A)` `m × k`, `op(B)` `k × n`, through
/// ``LearningScalar/gemm``.
@inlinable
func matmul<T: LearningScalar>(_ a: UnsafePointer<T>?, _ m: Int, _ k: Int, _ b: UnsafePointer<T>?, _ n: Int,
                               transA: Bool = false, transB: Bool = false, alpha: T = 1,
                               into c: UnsafeMutablePointer<T>?, accumulate: Bool = false) {
    // Empty operands (a batch without rows, a sequence without events) have no base address.
    guard m > 0, n > 0, let c else { return }
    guard k > 0, let a, let b else {
        if !accumulate { c.update(repeating: 0, count: m * n) }
        return
    }
    if GemmMeter.enabled {
        let t0 = GemmMeter.now()
        T.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
               a: a, lda: transA ? m : k, b: b, ldb: transB ? k : n,
               beta: accumulate ? 1 : 0, c: c, ldc: n)
        GemmMeter.nanoseconds += GemmMeter.now() - t0
        GemmMeter.flops += 2 * Double(m) * Double(n) * Double(k)
        return
    }
    T.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
           a: a, lda: transA ? m : k, b: b, ldb: transB ? k : n,
           beta: accumulate ? 1 : 0, c: c, ldc: n)
}

/// Counts the flops and wall time of the engine's matrix products while ``TrainingBenchmark``
/// runs (off otherwise; single-threaded use only: the trainer calls gemm from one thread).
@usableFromInline
enum GemmMeter {
    @usableFromInline nonisolated(unsafe) static var enabled = false
    @usableFromInline nonisolated(unsafe) static var flops = 0.0
    @usableFromInline nonisolated(unsafe) static var nanoseconds: UInt64 = 0

    @usableFromInline static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
