import Statistics

/// The tests and settings of a comparison (a spec's `compare` block, or `compare`'s flags).
public struct ComparisonSettings: Sendable, Equatable {
    /// A strategy id or name (`static`, `decay(half_life_days=14)`) or a full variant id.
    public var baseline: String
    /// The tests to run, in this order; the first one decides the verdict.
    public var tests: [SignificanceTest]
    public var alpha: Double
    public var correction: PValueCorrection
    /// The spec seed every resampling stream is derived from.
    public var seed: UInt64
    public var bootstrapResamples = 1_000
    public var randomizationResamples = 10_000

    public init(baseline: String, tests: [SignificanceTest] = SignificanceTest.allCases, alpha: Double = 0.05,
                correction: PValueCorrection = .holm, seed: UInt64) {
        self.baseline = baseline
        self.tests = tests
        self.alpha = alpha
        self.correction = correction
        self.seed = seed
    }
}

/// One (baseline, variant, metric) comparison over the users both variants scored.
public struct PairedComparison: Sendable {
    public var protocolID: String
    public var baseline: String
    public var variant: String
    public var metric: String
    /// Users paired (scored by both).
    public var n: Int
    public var meanBaseline: Double
    public var meanVariant: Double
    /// meanVariant − meanBaseline.
    public var delta: Double
    /// delta / meanBaseline; nil when the baseline mean is 0.
    public var relativeDelta: Double?
    /// Paired-bootstrap 95% interval of the delta.
    public var ci95: (lo: Double, hi: Double)?
    /// Raw p-values by test name (`SignificanceTest.rawValue`, as comparison.json keys them), in
    /// settings order; nil where the test is undefined (for example every difference zero for the t-test).
    public var p: [(test: String, value: Double?)]
    /// p-values adjusted over the comparison's family, same order.
    public var pAdjusted: [(test: String, value: Double?)]
    /// Cohen's d_z; nil when the differences have no spread.
    public var effectSize: Double?
    public var wins: Int, ties: Int, losses: Int

    /// The verdict at `alpha` by the first test's adjusted p (docs/statistics.md).
    public func verdict(alpha: Double) -> Verdict {
        guard let first = pAdjusted.first?.value, first <= alpha, delta != 0 else { return .noDifference }
        return delta > 0 ? .better : .worse
    }
}

/// What a comparison says in words.
public enum Verdict: String, Sendable {
    case better, worse
    case noDifference = "no detectable difference"
}

public enum Comparer {
    /// Compares the per-user values of `variant` against `baseline`, pairing users by id.
    /// `label` names the random streams (bootstrap, randomization), so each comparison's
    /// interval and p depend only on the seed, the label and the data.
    ///
    /// - Complexity: O(n · (bootstrapResamples + randomizationResamples)).
    public static func compare(baseline: [(user: String, value: Double)], variant: [String: Double], protocolID: String,
                               baselineID: String, variantID: String, metric: String,
                               settings: ComparisonSettings, label: String) -> PairedComparison {
        // Users both scored, in the baseline's file order (dense user id), so the means are
        // summed as metrics.json sums them and nothing depends on hashing.
        var b: [Double] = [], a: [Double] = []
        for (user, value) in baseline {
            if let v = variant[user] { b.append(value); a.append(v) }
        }
        let n = a.count
        let mb = n > 0 ? b.reduce(0, +) / Double(n) : .nan, ma = n > 0 ? a.reduce(0, +) / Double(n) : .nan
        let delta = ma - mb
        var ci: (Double, Double)? = nil
        if n > 0 {
            ci = pairedBootstrapCI(a, b, resamples: settings.bootstrapResamples,
                                   seed: streamSeed(settings.seed, "compare/bootstrap/" + label))
        }
        var p: [(String, Double?)] = []
        for t in settings.tests {
            switch t {
            case .pairedT: p.append((t.rawValue, pairedTTest(a, b)?.p))
            case .wilcoxon: p.append((t.rawValue, wilcoxonSignedRank(a, b)?.p))
            case .randomization:
                p.append((t.rawValue, n > 0 ? randomizationTest(a, b, resamples: settings.randomizationResamples,
                                                                seed: streamSeed(settings.seed, "compare/randomization/" + label)) : nil))
            }
        }
        let wtl = winsTiesLosses(a, b)
        return PairedComparison(protocolID: protocolID, baseline: baselineID, variant: variantID, metric: metric, n: n,
                                meanBaseline: mb, meanVariant: ma, delta: delta,
                                relativeDelta: mb != 0 && n > 0 ? delta / mb : nil, ci95: ci, p: p, pAdjusted: p,
                                effectSize: cohensDPaired(a, b), wins: wtl.wins, ties: wtl.ties, losses: wtl.losses)
    }

    /// Adjusts each test's p-values over the whole family `comparisons` (every variant and
    /// metric) with `correction`.
    public static func adjust(_ comparisons: inout [PairedComparison], correction: PValueCorrection) {
        guard let tests = comparisons.first?.p.map(\.test) else { return }
        for (j, _) in tests.enumerated() {
            let raw = comparisons.map { $0.p[j].value ?? .nan }
            let adjusted = correction.adjust(raw)
            for i in comparisons.indices {
                comparisons[i].pAdjusted[j].value = adjusted[i].isNaN ? nil : adjusted[i]
            }
        }
    }

    /// A 64-bit seed for the stream `label` of the spec seed.
    public static func streamSeed(_ seed: UInt64, _ label: String) -> UInt64 {
        var g = SeededGenerator(seed: seed, label: label)
        return g.next()
    }
}
