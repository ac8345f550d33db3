/// Holm's step-down adjusted p-values, controlling the family-wise error rate (Holm 1979,
/// "A simple sequentially rejective multiple test procedure", Scand. J. Statist. 6(2)).
///
/// With the m p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎:
/// p̃₍ᵢ₎ = min(1, maxⱼ≤ᵢ (m − j + 1)·p₍ⱼ₎). Rejecting where p̃ ≤ α is Holm's procedure at
/// level α. Same as R's `p.adjust(p, "holm")` and statsmodels' `multipletests(p, method="holm")`.
///
/// NaN values (a test that was undefined) are left out of the family, as R does: they do not
/// count in m and come back as NaN in their place. Ties keep input order.
///
/// - Returns: adjusted p-values in input order, each ≥ its raw value, capped at 1, and
///   monotone in the raw values.
/// - Complexity: O(m log m).
public func holm(_ p: [Double]) -> [Double] {
    var adjusted = [Double](repeating: .nan, count: p.count)
    let order = p.indices.filter { !p[$0].isNaN }.sorted { (p[$0], $0) < (p[$1], $1) }
    let m = order.count
    var runningMax = 0.0
    for (rank, index) in order.enumerated() {
        runningMax = max(runningMax, Double(m - rank) * p[index])
        adjusted[index] = min(1, runningMax)
    }
    return adjusted
}

/// Benjamini–Hochberg adjusted p-values ("q-values"), controlling the false discovery rate
/// for independent or positively dependent tests (Benjamini & Hochberg 1995, "Controlling
/// the false discovery rate", JRSS B 57(1)).
///
/// With the m p-values sorted ascending: p̃₍ᵢ₎ = min(1, minⱼ≥ᵢ m·p₍ⱼ₎ / j). Rejecting where
/// p̃ ≤ q is the BH step-up procedure at FDR q. Same as R's `p.adjust(p, "BH")` and
/// `scipy.stats.false_discovery_control(p)`.
///
/// NaN values are left out of the family (not counted in m) and come back as NaN, as in R.
///
/// - Returns: adjusted p-values in input order, each ≥ its raw value, capped at 1, and
///   monotone in the raw values.
/// - Complexity: O(m log m).
public func benjaminiHochberg(_ p: [Double]) -> [Double] {
    var adjusted = [Double](repeating: .nan, count: p.count)
    let order = p.indices.filter { !p[$0].isNaN }.sorted { (p[$0], $0) < (p[$1], $1) }
    let m = order.count
    var runningMin = 1.0
    for (rank, index) in order.enumerated().reversed() {
        runningMin = min(runningMin, Double(m) / Double(rank + 1) * p[index])
        adjusted[index] = runningMin
    }
    return adjusted
}
