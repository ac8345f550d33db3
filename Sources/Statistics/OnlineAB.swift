// Tests for a simulated online A/B experiment: two independent groups of users.

/// Welch's unequal-variances t-test of H₀: mean(x) = mean(y), two-sided (Welch 1947,
/// "The generalization of Student's problem when several different population variances
/// are involved", Biometrika 34), equal to `scipy.stats.ttest_ind(x, y, equal_var=False)`.
///
/// t = (x̄ − ȳ) / √(sₓ²/nₓ + s_y²/n_y), with the Welch–Satterthwaite degrees of freedom
/// ν = (sₓ²/nₓ + s_y²/n_y)² / ((sₓ²/nₓ)²/(nₓ − 1) + (s_y²/n_y)²/(n_y − 1)) and p from
/// Student's t with ν (non-integer) degrees of freedom. Like scipy, when both variances are 0
/// ν is taken as 1 (it does not matter: t is ±∞ and p is 0 when the means differ).
///
/// - Returns: `nil` where scipy's statistic is NaN: a group with fewer than two values, both
///   groups constant with equal means, or NaN in the input.
/// - Complexity: O(nₓ + n_y).
public func welchTTest(_ x: [Double], _ y: [Double]) -> TestResult? {
    guard x.count >= 2, y.count >= 2 else { return nil }
    let nx = Double(x.count), ny = Double(y.count)
    let mx = numpyMean(x), my = numpyMean(y)
    let vx = scipyVariance(x, ddof: 1, mean: mx) / nx
    let vy = scipyVariance(y, ddof: 1, mean: my) / ny
    var df = (vx + vy) * (vx + vy) / (vx * vx / (nx - 1) + vy * vy / (ny - 1))
    if df.isNaN { df = 1 }
    let t = (mx - my) / (vx + vy).squareRoot()
    guard !t.isNaN else { return nil }
    return TestResult(statistic: t, p: studentTTwoSidedP(t: t, degreesOfFreedom: df))
}

/// Pearson's chi-square goodness-of-fit test (Pearson 1900), equal to
/// `scipy.stats.chisquare(observed, expected)`: χ² = Σ (Oᵢ − Eᵢ)² / Eᵢ with k − 1 degrees of
/// freedom, p = Q((k − 1)/2, χ²/2) (``chiSquareSurvival(_:degreesOfFreedom:)``). Used for the
/// sample-ratio-mismatch check of an A/B split.
///
/// - Precondition: the same number k ≥ 2 of observed and expected counts, every expected
///   count > 0, and Σ O = Σ E to a relative 1e-8 (scipy raises an error otherwise: a mismatch
///   is a bug in the caller, not a property of the data).
/// - Complexity: O(k).
public func chiSquareGoodnessOfFit(observed: [Double], expected: [Double]) -> TestResult {
    precondition(observed.count == expected.count,
                 "chiSquareGoodnessOfFit: \(observed.count) observed but \(expected.count) expected counts")
    precondition(observed.count >= 2, "chiSquareGoodnessOfFit: needs at least 2 categories")
    precondition(expected.allSatisfy { $0 > 0 }, "chiSquareGoodnessOfFit: expected counts must be > 0")
    let totalObserved = numpySum(observed), totalExpected = numpySum(expected)
    precondition(abs(totalObserved - totalExpected) <= 1e-8 * max(abs(totalObserved), abs(totalExpected)),
                 "chiSquareGoodnessOfFit: observed total \(totalObserved) differs from expected total \(totalExpected)")
    let terms = zip(observed, expected).map { (o, e) in (o - e) * (o - e) / e }
    let statistic = numpySum(terms)
    let p = chiSquareSurvival(statistic, degreesOfFreedom: Double(observed.count - 1))
    return TestResult(statistic: statistic, p: p)
}

/// CUPED variance reduction with a pre-experiment covariate (Deng, Xu, Kohavi & Walker 2013,
/// "Improving the sensitivity of online controlled experiments by utilizing pre-experiment
/// data", WSDM): yᵢ' = yᵢ − θ(xᵢ − x̄) with θ = cov(x, y) / var(x), which keeps the mean of y
/// and minimises the variance of y'.
///
/// - Parameters:
///   - y: the metric in the experiment period, per user.
///   - x: the same users' covariate (typically the metric before the experiment), same length.
/// - Returns: the adjusted values, θ, and the fraction of variance removed,
///   1 − var(y')/var(y) = corr(x, y)² (0 when var(y) = 0). With fewer than two users or a
///   constant x there is nothing to regress on: θ = 0 (the minimum-norm least-squares
///   coefficient) and y is returned unchanged.
/// - Complexity: O(n).
public func cuped(y: [Double], x: [Double]) -> (adjusted: [Double], theta: Double, varianceReduction: Double) {
    precondition(y.count == x.count,
                 "cuped: y and x must have the same length (got \(y.count) and \(x.count))")
    guard y.count >= 2 else { return (y, 0, 0) }
    let mx = numpyMean(x), my = numpyMean(y)
    let varianceX = scipyVariance(x, ddof: 1, mean: mx)
    let varianceY = scipyVariance(y, ddof: 1, mean: my)
    let covariance = numpySum(zip(x, y).map { ($0 - mx) * ($1 - my) }) / Double(y.count - 1)
    guard varianceX > 0 else { return (y, 0, 0) }
    let theta = covariance / varianceX
    let adjusted = zip(y, x).map { $0 - theta * ($1 - mx) }
    let adjustedMean = numpyMean(adjusted)
    let varianceAdjusted = scipyVariance(adjusted, ddof: 1, mean: adjustedMean)
    let reduction = varianceY > 0 ? 1 - varianceAdjusted / varianceY : 0
    return (adjusted, theta, reduction)
}
