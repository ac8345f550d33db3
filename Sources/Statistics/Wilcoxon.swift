/// The Wilcoxon signed-rank test of H₀: the differences a − b are symmetric about 0,
/// two-sided (Wilcoxon 1945), equal to `scipy.stats.wilcoxon(a, b)` with default arguments
/// (scipy 1.17: `zero_method="wilcox"`, `correction=False`, `method="auto"`).
///
/// Zero differences are dropped ("wilcox"); the remaining m differences are ranked by
/// absolute value, ties getting their average rank; R⁺ and R⁻ are the rank sums of the
/// positive and negative differences. The reported statistic is min(R⁺, R⁻). The p-value
/// follows scipy 1.17's `method="auto"` rule (checked in `scipy/stats/_wilcoxon.py`), which
/// looks at n, the number of pairs *including* zero differences:
///
/// - n ≤ 50, no zero difference and no tie: the exact null distribution of R⁺ (each of the
///   2ᵐ sign patterns equally likely), p = 2·min(P(R⁺ ≥ r⁺), P(R⁺ ≤ r⁺)), capped at 1.
/// - n ≤ 13 with zeros or ties: scipy runs `permutation_test`, which enumerates all sign
///   flips exactly (2ⁿ ≤ 9,999 resamples) with the same two-sided rule; here the same
///   distribution is counted over the (half-integer) average ranks, giving the same p.
/// - otherwise: the normal approximation without continuity correction,
///   z = (R⁺ − m(m+1)/4) / σ with σ² = (m(m+1)(2m+1) − Σ(tⱼ³ − tⱼ)/2) / 24 (tⱼ the sizes of
///   the tie groups among the non-zero |dᵢ|), p = 2·P(Z ≥ |z|).
///
/// - Parameters:
///   - a: the variant's per-user values.
///   - b: the baseline's values for the same users, same length.
/// - Returns: `nil` where scipy's p is NaN: no pairs, a NaN in the input, or every
///   difference zero with n > 13 (σ = 0). With every difference zero and n ≤ 13 scipy reports
///   statistic 0 and p 1, and so does this function.
/// - Complexity: O(n log n) for the ranks, plus O(m³) for the exact distribution
///   (m ≤ 50) or the enumeration over doubled ranks (m ≤ 13).
public func wilcoxonSignedRank(_ a: [Double], _ b: [Double]) -> TestResult? {
    let d = pairedDifferences(a, b, function: #function)
    let n = d.count
    guard n > 0, !d.contains(where: { $0.isNaN }) else { return nil }

    let nonZero = d.filter { $0 != 0 }
    let m = nonZero.count
    let ranks = SignedRanks(nonZero)
    let statistic = Double(min(ranks.doubledRankSumPlus, ranks.doubledRankSumMinus)) / 2

    if n <= 50 && m == n && !ranks.hasTies {
        // Ranks are 1…m: doubled ranks are even, halve them back to integers.
        let p = exactSignedRankP(ranks: ranks.doubledRanks.map { $0 / 2 },
                                 observed: ranks.doubledRankSumPlus / 2)
        return TestResult(statistic: statistic, p: p)
    }
    if n <= 13 {
        let p = exactSignedRankP(ranks: ranks.doubledRanks, observed: ranks.doubledRankSumPlus)
        return TestResult(statistic: statistic, p: p)
    }
    let mm = Double(m)
    let mean = mm * (mm + 1) * 0.25
    let sigma = ((mm * (mm + 1) * (2 * mm + 1) - ranks.tieCorrection / 2) / 24).squareRoot()
    let z = (Double(ranks.doubledRankSumPlus) / 2 - mean) / sigma
    guard !z.isNaN else { return nil }
    return TestResult(statistic: statistic, p: normalTwoSidedP(z: z))
}

/// Average ranks of |xᵢ| (1-based, ties averaged), kept doubled so that they are integers.
struct SignedRanks {
    /// 2 × the average rank of each value's |xᵢ|, in input order.
    var doubledRanks: [Int]
    /// 2 × R⁺ and 2 × R⁻.
    var doubledRankSumPlus = 0
    var doubledRankSumMinus = 0
    /// Σ (tⱼ³ − tⱼ) over tie groups of |xᵢ|.
    var tieCorrection = 0.0
    var hasTies = false

    init(_ x: [Double]) {
        let order = x.indices.sorted { abs(x[$0]) < abs(x[$1]) }
        doubledRanks = Array(repeating: 0, count: x.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && abs(x[order[end + 1]]) == abs(x[order[start]]) {
                end += 1
            }
            // Positions start…end hold ranks start+1 … end+1; their average, doubled:
            let doubled = start + end + 2
            for k in start...end { doubledRanks[order[k]] = doubled }
            let t = Double(end - start + 1)
            if end > start {
                hasTies = true
                tieCorrection += t * t * t - t
            }
            start = end + 1
        }
        for (value, rank) in zip(x, doubledRanks) {
            if value > 0 { doubledRankSumPlus += rank } else { doubledRankSumMinus += rank }
        }
    }
}

/// Two-sided p of the exact sign-flip distribution of S = Σ εᵢ rᵢ over εᵢ ∈ {0, 1}, all 2ᵐ
/// patterns equally likely: 2·min(P(S ≤ s), P(S ≥ s)), capped at 1.
///
/// The counts are built by the subset-sum recursion N_k(s) = N_{k−1}(s) + N_{k−1}(s − r_k)
/// (the classical recursion for the signed-rank distribution), in Double: every count is
/// an integer below 2^53 for m ≤ 52, so they are exact.
///
/// - Complexity: O(m · Σrᵢ) time, O(Σrᵢ) memory.
func exactSignedRankP(ranks: [Int], observed: Int) -> Double {
    let total = ranks.reduce(0, +)
    var counts = [Double](repeating: 0, count: total + 1)
    counts[0] = 1
    var reach = 0
    for r in ranks {
        reach += r
        var s = reach
        while s >= r {
            counts[s] += counts[s - r]
            s -= 1
        }
    }
    var atMost = 0.0, atLeast = 0.0
    for (s, c) in counts.enumerated() {
        if s <= observed { atMost += c }
        if s >= observed { atLeast += c }
    }
    let patterns = Double(sign: .plus, exponent: ranks.count, significand: 1)  // 2^m, exact
    return min(1, 2 * min(atMost, atLeast) / patterns)
}
