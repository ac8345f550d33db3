/// A paired significance test a comparison can run, named as specs, `compare --tests` and
/// comparison.json spell it (docs/statistics.md).
///
/// - `pairedT`: Student's paired t-test (`pairedTTest`, scipy's `ttest_rel`).
/// - `wilcoxon`: the Wilcoxon signed-rank test (`wilcoxonSignedRank`, scipy's `wilcoxon`).
/// - `randomization`: the paired sign-flip randomization test (`randomizationTest`).
///
/// The declaration order is the default order of a comparison; the first test decides the verdict.
public enum SignificanceTest: String, CaseIterable, Sendable {
    case pairedT = "paired-t"
    case wilcoxon
    case randomization

    /// The names in declaration order, the last two joined by `conjunction`: `paired-t, wilcoxon or randomization`.
    public static func names(joinedBy conjunction: String) -> String {
        listing(allCases.map(\.rawValue), conjunction)
    }
}

/// A multiple-testing correction of a family of p-values, named as specs, `compare --correction`
/// and comparison.json spell it.
///
/// - `holm`: Holm's step-down adjustment (`holm`), controls the family-wise error rate.
/// - `bh`: Benjamini–Hochberg (`benjaminiHochberg`), controls the false discovery rate.
/// - `unadjusted`: the raw p-values (spelled `none`).
public enum PValueCorrection: String, CaseIterable, Sendable {
    case holm
    case bh
    case unadjusted = "none"

    /// The names in declaration order, the last two joined by `conjunction`: `holm, bh or none`.
    public static func names(joinedBy conjunction: String) -> String {
        listing(allCases.map(\.rawValue), conjunction)
    }

    /// `p` adjusted over its family (NaN entries are left out of the family and stay NaN).
    public func adjust(_ p: [Double]) -> [Double] {
        switch self {
        case .holm: return Statistics.holm(p)
        case .bh: return benjaminiHochberg(p)
        case .unadjusted: return p
        }
    }
}

/// `a, b or c`.
private func listing(_ names: [String], _ conjunction: String) -> String {
    guard let last = names.last else { return "" }
    return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " \(conjunction) " + last
}
