import Experiments
import LinearAlgebra
import Statistics

/// An item table in the space where profiles are built and scored: row-major `[rows × dim]`,
/// every row L2-normalised (all-zero rows stay zero).
public struct ItemSpace: Sendable {
    public let rows: Int
    public let dim: Int
    public var values: [Float]

    public init(rows: Int, dim: Int, values: [Float]) {
        self.rows = rows
        self.dim = dim
        self.values = values
    }

    /// L2-normalises every row in place; returns which rows were all zero.
    @discardableResult
    public mutating func normalizeRows() -> [Bool] {
        var zero = [Bool](repeating: false, count: rows)
        let d = dim
        values.withUnsafeMutableBufferPointer { v in
            for r in 0..<rows {
                var s = 0.0
                for j in 0..<d { let x = Double(v[r * d + j]); s += x * x }
                if s == 0 { zero[r] = true; continue }
                let inv = Float(1 / s.squareRoot())
                for j in 0..<d { v[r * d + j] *= inv }
            }
        }
        return zero
    }
}

/// Errors of a reduction that the data does not allow.
public struct ReductionError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

public enum Reductions {
    /// Applies `reduction` to the (normalised) item table. Rows that are all zero stay zero.
    ///
    /// - `pca(k)`: μ the item mean, W_k the top-k eigenvectors of the item covariance (LAPACK
    ///   `dsyevr` in float64); an item maps to `(x − μ)·W_k`, then is L2-normalised.
    /// - `random-projection(k)`: `x·R`, R a `d × k` matrix of N(0, 1/k) entries drawn from the
    ///   spec seed, then L2-normalised.
    public static func apply(_ reduction: ReductionSpec, to items: ItemSpace, seed: UInt64) throws -> ItemSpace {
        let zero = (0..<items.rows).map { r in (0..<items.dim).allSatisfy { items.values[r * items.dim + $0] == 0 } }
        var out: ItemSpace
        switch reduction {
        case .none:
            return items
        case .pca(let k):
            guard k <= items.dim else {
                throw ReductionError(message: "pca(\(k)) needs at most the embedding dimension \(items.dim) components")
            }
            out = try pca(items, components: k)
        case .randomProjection(let k):
            var rng = SeededGenerator(seed: seed, label: "random-projection(\(k))/\(items.dim)")
            let sd = 1 / Double(k).squareRoot()
            let R = (0..<(items.dim * k)).map { _ in Float(rng.nextGaussian() * sd) }
            var v = [Float](repeating: 0, count: items.rows * k)
            items.values.withUnsafeBufferPointer { a in R.withUnsafeBufferPointer { b in v.withUnsafeMutableBufferPointer { c in
                BLAS.sgemm(m: items.rows, n: k, k: items.dim, a: a.baseAddress!, lda: items.dim, b: b.baseAddress!, ldb: k,
                           c: c.baseAddress!, ldc: k)
            } } }
            out = ItemSpace(rows: items.rows, dim: k, values: v)
        }
        for r in 0..<out.rows where zero[r] {
            for j in 0..<out.dim { out.values[r * out.dim + j] = 0 }
        }
        out.normalizeRows()
        return out
    }

    /// Projects onto the top principal components (not yet normalised).
    static func pca(_ items: ItemSpace, components k: Int) throws -> ItemSpace {
        let n = items.rows, d = items.dim
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n { for j in 0..<d { mean[j] += Double(items.values[r * d + j]) } }
        for j in 0..<d { mean[j] /= Double(max(n, 1)) }
        var centered = [Double](repeating: 0, count: n * d)
        for r in 0..<n { for j in 0..<d { centered[r * d + j] = Double(items.values[r * d + j]) - mean[j] } }
        var cov = [Double](repeating: 0, count: d * d)
        centered.withUnsafeBufferPointer { a in cov.withUnsafeMutableBufferPointer { c in
            BLAS.dsyrkTransposed(rows: n, n: d, alpha: 1 / Double(max(n - 1, 1)), a: a.baseAddress!, lda: d, c: c.baseAddress!, ldc: d)
        } }
        for i in 0..<d { for j in 0..<i { cov[i * d + j] = cov[j * d + i] } }
        let (_, vectors) = try LAPACK.symmetricEigen(cov, n: d)
        // W_k: the first k columns of the eigenvector matrix, as float32 d × k.
        var W = [Float](repeating: 0, count: d * k)
        for i in 0..<d { for j in 0..<k { W[i * k + j] = Float(vectors[i * d + j]) } }
        let X = centered.map { Float($0) }
        var v = [Float](repeating: 0, count: n * k)
        X.withUnsafeBufferPointer { a in W.withUnsafeBufferPointer { b in v.withUnsafeMutableBufferPointer { c in
            BLAS.sgemm(m: n, n: k, k: d, a: a.baseAddress!, lda: d, b: b.baseAddress!, ldb: k, c: c.baseAddress!, ldc: k)
        } } }
        return ItemSpace(rows: n, dim: k, values: v)
    }
}
