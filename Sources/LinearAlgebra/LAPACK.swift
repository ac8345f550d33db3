import CBLAS

/// Errors reported by LAPACK routines. `info > 0` is a fact about the data (no convergence),
/// `info < 0` a bad argument; neither is ever asserted away.
public struct LAPACKError: Error, CustomStringConvertible, Equatable {
    public let routine: String
    public let info: Int
    public var description: String {
        info < 0
            ? "\(routine): argument \(-info) had an illegal value"
            : "\(routine): the algorithm failed to converge (info = \(info))"
    }
}

/// Safe wrappers of the LAPACK routines ProfileBench needs.
public enum LAPACK {
    /// Eigen-decomposition of a real symmetric `n × n` matrix (row-major, upper triangle read),
    /// by the MRRR algorithm (`dsyevr`).
    ///
    /// - Returns: eigenvalues in descending order and the matching unit eigenvectors as the
    ///   columns of a row-major `n × n` matrix. Each eigenvector's sign is fixed so that its
    ///   entry of largest magnitude is positive, which makes the result deterministic.
    /// - Complexity: O(n³).
    public static func symmetricEigen(_ matrix: [Double], n: Int) throws -> (values: [Double], vectors: [Double]) {
        precondition(matrix.count == n * n, "symmetricEigen: matrix has \(matrix.count) entries, expected \(n * n)")
        if n == 0 { return ([], []) }
        var a = matrix
        var w = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: n * n)
        var isuppz = [pb_lapack_int](repeating: 0, count: 2 * n)
        var found: pb_lapack_int = 0
        let info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in
                z.withUnsafeMutableBufferPointer { zp in
                    isuppz.withUnsafeMutableBufferPointer { sp in
                        LAPACKE_dsyevr(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "A")),
                                       Int8(UInt8(ascii: "U")), pb_lapack_int(n), ap.baseAddress, pb_lapack_int(n),
                                       0, 0, 0, 0, 0, &found, wp.baseAddress, zp.baseAddress, pb_lapack_int(n),
                                       sp.baseAddress)
                    }
                }
            }
        }
        if info != 0 { throw LAPACKError(routine: "dsyevr", info: Int(info)) }
        // dsyevr returns ascending eigenvalues; reorder descending and fix signs.
        var values = [Double](repeating: 0, count: n)
        var vectors = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            let src = n - 1 - j
            values[j] = w[src]
            var big = 0.0, sign = 1.0
            for i in 0..<n where abs(z[i * n + src]) > big {
                big = abs(z[i * n + src]); sign = z[i * n + src] < 0 ? -1 : 1
            }
            for i in 0..<n { vectors[i * n + j] = sign * z[i * n + src] }
        }
        return (values, vectors)
    }

    /// Thin singular value decomposition A = U Σ Vᵀ of a real `rows × cols` matrix (row-major),
    /// keeping Vᵀ only (`dgesvd` with jobu = 'N', jobvt = 'S').
    ///
    /// - Returns: the min(rows, cols) singular values in descending order and the matching right
    ///   singular vectors as the rows of a row-major `min(rows, cols) × cols` matrix, with
    ///   LAPACK's signs (callers that need a sign convention fix it themselves).
    /// - Complexity: O(rows · cols · min(rows, cols)).
    public static func thinSVD(_ matrix: [Double], rows: Int, cols: Int) throws -> (values: [Double], vt: [Double]) {
        precondition(matrix.count == rows * cols, "thinSVD: matrix has \(matrix.count) entries, expected \(rows * cols)")
        let r = min(rows, cols)
        if r == 0 { return ([], []) }
        var a = matrix
        var sv = [Double](repeating: 0, count: r)
        var vt = [Double](repeating: 0, count: r * cols)
        var superb = [Double](repeating: 0, count: max(1, r - 1))
        var u = [Double](repeating: 0, count: 1)
        let info = a.withUnsafeMutableBufferPointer { ap in sv.withUnsafeMutableBufferPointer { sp in
            vt.withUnsafeMutableBufferPointer { vp in superb.withUnsafeMutableBufferPointer { bp in u.withUnsafeMutableBufferPointer { up in
                LAPACKE_dgesvd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "S")),
                               pb_lapack_int(rows), pb_lapack_int(cols), ap.baseAddress, pb_lapack_int(cols),
                               sp.baseAddress, up.baseAddress, 1, vp.baseAddress, pb_lapack_int(cols), bp.baseAddress)
            } } }
        } }
        if info != 0 { throw LAPACKError(routine: "dgesvd", info: Int(info)) }
        return (sv, vt)
    }
}
