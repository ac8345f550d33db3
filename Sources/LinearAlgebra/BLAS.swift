import CBLAS

/// A thin, safe wall around OpenBLAS's CBLAS interface: row-major matrix products on contiguous
/// buffers. This target is the only one that imports `CBLAS`; nothing of the C API leaks out.
public enum BLAS {
    /// Number of threads OpenBLAS uses for level-3 routines.
    public static var threads: Int {
        get { Int(pb_openblas_threads()) }
        set { pb_openblas_set_threads(Int32(max(1, newValue))) }
    }

    /// `C = alpha · op(A) · op(B) + beta · C` in float32, all matrices row-major.
    ///
    /// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`; `lda`, `ldb`, `ldc` are the row
    /// strides of the matrices as stored (before transposition).
    /// - Complexity: 2·m·n·k floating-point operations.
    @inlinable
    public static func sgemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        _sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    @usableFromInline
    static func _sgemm(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// `C = alpha · op(A) · op(B) + beta · C` in float64, all matrices row-major.
    public static func dgemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Double = 1,
        a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double = 0,
        c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
                    beta, c, blasint(ldc))
    }

    /// Upper triangle of `C = alpha · Aᵀ·A + beta · C` for a row-major `rows × n` matrix `A`
    /// (the Gram matrix of its columns), float64. `C` is `n × n`, row-major.
    /// - Complexity: rows·n² floating-point operations.
    public static func dsyrkTransposed(
        rows: Int, n: Int, alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
        beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        guard n > 0 else { return }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, blasint(n), blasint(rows), alpha, a,
                    blasint(lda), beta, c, blasint(ldc))
    }
}
