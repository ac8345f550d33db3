/// A percentile bootstrap confidence interval of the mean of `x` (Efron & Tibshirani 1993,
/// *An Introduction to the Bootstrap*, §13.3).
///
/// Each of `resamples` replicates draws n indices uniformly with replacement
/// (``SeededGenerator/uniformIndex(_:)`` of `SeededGenerator(seed: seed)`, replicate after
/// replicate, index after index) and takes the mean of those values (summed in draw order,
/// divided by n). The interval is the (1 − level)/2 and (1 + level)/2 quantiles of the
/// replicate means, by NumPy's default "linear" rule (``percentile(sorted:_:)``): with the
/// defaults, the 2.5 and 97.5 percentiles of 1,000 bootstrap means, as `np.percentile`
/// would give them for the same replicates.
///
/// - Parameters:
///   - x: the sample (per-user values), not empty.
///   - resamples: number of bootstrap replicates, > 0 (default 1,000).
///   - seed: the generator seed.
///   - level: the coverage, in (0, 1) (default 0.95).
/// - Returns: (lo, hi) with lo ≤ hi; NaN bounds if `x` holds NaN.
/// - Complexity: O(resamples · n + resamples log resamples).
public func bootstrapCI(_ x: [Double], resamples: Int = 1000, seed: UInt64,
                        level: Double = 0.95) -> (lo: Double, hi: Double) {
    precondition(!x.isEmpty, "bootstrapCI: the sample is empty")
    precondition(resamples > 0, "bootstrapCI: resamples must be > 0 (got \(resamples))")
    precondition(level > 0 && level < 1, "bootstrapCI: level must be in (0, 1) (got \(level))")
    var generator = SeededGenerator(seed: seed)
    let n = x.count
    var means = [Double](repeating: 0, count: resamples)
    x.withUnsafeBufferPointer { values in
        for r in 0..<resamples {
            var sum = 0.0
            for _ in 0..<n { sum += values[generator.uniformIndex(n)] }
            means[r] = sum / Double(n)
        }
    }
    means.sort()
    let tail = (1 - level) / 2
    return (percentile(sorted: means, tail), percentile(sorted: means, 1 - tail))
}

/// A paired percentile bootstrap confidence interval of mean(a − b): users are resampled in
/// pairs, so each replicate is the mean of the differences dᵢ = aᵢ − bᵢ of the drawn users.
/// Equal to ``bootstrapCI(_:resamples:seed:level:)`` of the differences (same draws, same
/// quantile rule).
///
/// - Parameters:
///   - a: the variant's per-user values, not empty.
///   - b: the baseline's values for the same users, same length.
/// - Complexity: O(resamples · n + resamples log resamples).
public func pairedBootstrapCI(_ a: [Double], _ b: [Double], resamples: Int = 1000, seed: UInt64,
                              level: Double = 0.95) -> (lo: Double, hi: Double) {
    let d = pairedDifferences(a, b, function: #function)
    return bootstrapCI(d, resamples: resamples, seed: seed, level: level)
}

/// The q-quantile of sorted values by NumPy's default method (`np.quantile(x, q)`,
/// `method="linear"`, Hyndman & Fan 1996 definition 7): with h = (n − 1)·q, j = ⌊h⌋ and
/// γ = h − j, the result is x[j] + γ·(x[j+1] − x[j]) — computed, as NumPy's `_lerp` does,
/// as x[j+1] − (1 − γ)·(x[j+1] − x[j]) when γ ≥ ½, so results match NumPy bit for bit.
///
/// - Parameters:
///   - sorted: values in ascending order, not empty.
///   - q: the quantile in [0, 1] (the percentile divided by 100).
/// - Complexity: O(1).
public func percentile(sorted: [Double], _ q: Double) -> Double {
    precondition(!sorted.isEmpty, "percentile: no values")
    precondition(q >= 0 && q <= 1, "percentile: q must be in [0, 1] (got \(q))")
    let h = Double(sorted.count - 1) * q
    let j = Int(h.rounded(.down))
    let gamma = h - Double(j)
    let lower = sorted[j]
    let upper = sorted[min(j + 1, sorted.count - 1)]
    let difference = upper - lower
    return gamma >= 0.5 ? upper - difference * (1 - gamma) : lower + difference * gamma
}
