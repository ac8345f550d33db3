/// Student's paired t-test of H₀: mean(a − b) = 0, two-sided (Student 1908), equal to
/// `scipy.stats.ttest_rel(a, b)` with default arguments.
///
/// With dᵢ = aᵢ − bᵢ, d̄ their mean and s² = Σ(dᵢ − d̄)² / (n − 1):
/// t = d̄ / (s / √n), and p = P(|T| ≥ |t|) for Student's t with n − 1 degrees of freedom
/// (``studentTTwoSidedP(t:degreesOfFreedom:)``). Sums are NumPy's pairwise sums, so the
/// result matches scipy's to the last bits.
///
/// Like scipy: when every difference is equal but not zero (s = 0, d̄ ≠ 0), t is ±∞ and p is 0.
///
/// - Parameters:
///   - a: the variant's per-user values.
///   - b: the baseline's values for the same users, in the same order (same length as `a`).
/// - Returns: t and its two-sided p; `nil` where scipy's statistic is NaN: fewer than two
///   pairs, all differences zero (s = 0 and d̄ = 0), or a NaN in the input.
/// - Complexity: O(n).
public func pairedTTest(_ a: [Double], _ b: [Double]) -> TestResult? {
    let d = pairedDifferences(a, b, function: #function)
    let n = d.count
    guard n >= 2 else { return nil }
    let mean = numpyMean(d)
    let variance = scipyVariance(d, ddof: 1, mean: mean)
    let t = mean / (variance / Double(n)).squareRoot()
    guard !t.isNaN else { return nil }
    return TestResult(statistic: t, p: studentTTwoSidedP(t: t, degreesOfFreedom: Double(n - 1)))
}

/// Cohen's d for paired samples (d_z): the mean difference divided by the standard deviation
/// of the differences, d̄ / s with s² = Σ(dᵢ − d̄)² / (n − 1) (Cohen 1988, §2.3; "d_z" in
/// Lakens 2013, eq. 6). Equals t / √n of ``pairedTTest(_:_:)``.
///
/// - Returns: `nil` with fewer than two pairs, when s = 0 (all differences equal), or when
///   the input holds NaN.
/// - Complexity: O(n).
public func cohensDPaired(_ a: [Double], _ b: [Double]) -> Double? {
    let d = pairedDifferences(a, b, function: #function)
    guard d.count >= 2 else { return nil }
    let mean = numpyMean(d)
    let sd = scipyVariance(d, ddof: 1, mean: mean).squareRoot()
    guard sd > 0, !mean.isNaN else { return nil }
    return mean / sd
}

/// Per-pair comparison counts of a variant `a` against a baseline `b`: a win where aᵢ > bᵢ,
/// a tie where aᵢ == bᵢ (exact equality), a loss where aᵢ < bᵢ. A pair holding NaN counts in
/// none of the three, so wins + ties + losses can be less than n.
///
/// - Complexity: O(n).
public func winsTiesLosses(_ a: [Double], _ b: [Double]) -> (wins: Int, ties: Int, losses: Int) {
    precondition(a.count == b.count,
                 "winsTiesLosses: paired samples must have the same length (got \(a.count) and \(b.count))")
    var wins = 0, ties = 0, losses = 0
    for (x, y) in zip(a, b) {
        if x > y { wins += 1 } else if x == y { ties += 1 } else if x < y { losses += 1 }
    }
    return (wins, ties, losses)
}
