import LinearAlgebra

/// The interest vectors of the `interests` strategy: the seed's U‴ = PCA(U″).
///
/// U″ is the n × d matrix of the user's last `window` event vectors, each scaled by its event
/// weight, [w₁f(x₁) … wₙf(xₙ)] (optionally centred by its column mean). Its thin SVD
/// U″ = A Σ Vᵀ gives the interest vectors σⱼvⱼ, j < min(k, rank): the top right singular
/// vectors scaled by their singular values. A singular vector's sign is arbitrary; each vⱼ is
/// oriented so that the events lie on its positive side, Σᵢ wᵢf(xᵢ)·vⱼ > 0 (the uncentred rows;
/// when that sum is within round-off of 0, |sum| ≤ 10⁻⁶·σⱼ·n (float32 inputs), its first entry of largest magnitude
/// (within a relative 10⁻⁹) is made positive instead). k = 1 without centring
/// is the dominant direction of the window (for one event, the event's own vector).
/// An item x scores maxⱼ σⱼvⱼ·x (`max`) or Σⱼ σⱼvⱼ·x (`sum`).
public enum InterestVectors {
    /// Interest vectors as the rows of a row-major `count × d` Float matrix, strongest first.
    /// Directions whose singular value is below 1e-9 of the largest are dropped (a window of n
    /// equal vectors has one direction); an empty window gives no vector (the profile scores 0).
    /// - Complexity: O(n · d · min(n, d)) for a window of n events.
    public static func compute(items: [Int], weights: [Double], table: UnsafeBufferPointer<Float>, dim d: Int,
                               k: Int, center: Bool) throws -> (rows: [Float], count: Int) {
        let n = items.count
        guard n > 0 else { return ([], 0) }
        var a = [Double](repeating: 0, count: n * d)
        for (i, it) in items.enumerated() {
            let w = weights[i]
            for c in 0..<d { a[i * d + c] = w * Double(table[it * d + c]) }
        }
        // The uncentred column sums orient the singular vectors.
        var columnSum = [Double](repeating: 0, count: d)
        for i in 0..<n { for c in 0..<d { columnSum[c] += a[i * d + c] } }
        if center {
            for i in 0..<n { for c in 0..<d { a[i * d + c] -= columnSum[c] / Double(n) } }
        }
        let (sv, vt) = try LAPACK.thinSVD(a, rows: n, cols: d)
        guard let top = sv.first, top > 0 else { return ([], 0) }
        var rows: [Float] = []
        var count = 0
        for j in 0..<min(k, sv.count) where sv[j] > 1e-9 * top {
            var dot = 0.0, big = 0.0
            for c in 0..<d {
                let v = vt[j * d + c]
                dot += columnSum[c] * v
                big = max(big, abs(v))
            }
            // The first entry within round-off of the largest magnitude: entries of equal
            // magnitude (hash features give ±1/√m vectors) must not be told apart by round-off,
            // which differs with the BLAS kernel under LAPACK.
            var bigSign = 1.0
            for c in 0..<d where abs(vt[j * d + c]) >= big * (1 - 1e-9) { bigSign = vt[j * d + c] < 0 ? -1 : 1; break }
            // |Σᵢ aᵢ·vⱼ| at round-off level (the events balance on both sides) orients nothing.
            let balanced = abs(dot) <= 1e-6 * sv[j] * Double(n)
            let sign = balanced ? bigSign : (dot > 0 ? 1.0 : -1.0)
            for c in 0..<d { rows.append(Float(sign * sv[j] * vt[j * d + c])) }
            count += 1
        }
        return (rows, count)
    }
}
