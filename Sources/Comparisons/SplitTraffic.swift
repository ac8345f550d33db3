import Results
import JSON
import Statistics

/// A simulated online A/B test of one (baseline, variant, metric): users are assigned to arm A
/// (scored with the baseline) or arm B (scored with the variant) by a seeded hash of their id,
/// as an online experiment assigns them, so each user contributes one arm's value only.
public struct SplitTrafficResult: Sendable {
    public var protocolID: String
    public var baseline: String
    public var variant: String
    public var metric: String
    public var usersA: Int, usersB: Int
    public var meanA: Double, meanB: Double
    /// Welch's t-test of B against A.
    public var welch: TestResult?
    /// Sample-ratio mismatch: chi-square of the arm sizes against an even split.
    public var srm: TestResult?
    /// CUPED with each user's pre-period metric as the covariate; nil without pre_period.csv.
    public var cuped: CUPEDEstimate?

    /// The CUPED-adjusted comparison of the arms (Deng et al. 2013).
    public struct CUPEDEstimate: Sendable {
        /// Users of both arms with a pre-period value (the others are left out of the estimate).
        public var users: Int
        public var theta: Double
        /// mean(B′) − mean(A′) of the adjusted values.
        public var delta: Double
        /// Welch's t-test on the adjusted values.
        public var welch: TestResult?
        /// 1 − var(y′)/var(y) over the pooled users.
        public var varianceReduction: Double
    }

    func json() -> JSONValue {
        func num(_ d: Double?) -> JSONValue { d.map { .double($0) } ?? .null }
        return .object([
            ("protocol", .string(protocolID)),
            ("baseline", .string(baseline)),
            ("variant", .string(variant)),
            ("metric", .string(metric)),
            ("users_a", .int(usersA)),
            ("users_b", .int(usersB)),
            ("mean_a", .double(meanA)),
            ("mean_b", .double(meanB)),
            ("delta", .double(meanB - meanA)),
            ("welch_t", num(welch?.statistic)),
            ("welch_p", num(welch?.p)),
            ("srm_chi2", num(srm?.statistic)),
            ("srm_p", num(srm?.p)),
            ("cuped", cuped.map { c in
                .object([("users", .int(c.users)), ("theta", .double(c.theta)), ("delta", .double(c.delta)),
                         ("welch_t", num(c.welch?.statistic)), ("welch_p", num(c.welch?.p)),
                         ("variance_reduction", .double(c.varianceReduction))])
            } ?? .null),
        ])
    }
}

extension ComparisonDocument {
    /// Arm B when the user's stream `split-traffic/<user id>` of the seed starts with an odd
    /// number: a fixed, seeded, roughly even assignment that does not depend on the variant.
    public static func arm(of user: String, seed: UInt64) -> Bool {
        Comparer.streamSeed(seed, "split-traffic/" + user) & 1 == 1
    }

    /// Split-traffic results for every (baseline, variant, metric) of `folder`.
    public static func splitTraffic(_ folder: ResultsFolder, settings: ComparisonSettings) throws -> [SplitTrafficResult] {
        var out: [SplitTrafficResult] = []
        for (base, v) in try baselinePairs(folder, baseline: settings.baseline) {
            for metric in folder.perUser.metrics {
                guard let b = folder.perUser.column(base, metric: metric), let a = folder.perUser.values(v, metric: metric) else { continue }
                var armA: [Double] = [], armB: [Double] = []
                // Pooled (y, x, arm B?) of the users with a pre-period value, for CUPED.
                let entry = folder.variant(v)
                let pre = entry.flatMap { folder.prePeriod?.values(protocolID: v.protocolID, encoder: $0.encoder, reduction: $0.reductionID, metric: metric) }
                var y: [Double] = [], x: [Double] = [], inB: [Bool] = []
                for (user, value) in b {
                    guard let variantValue = a[user] else { continue }
                    let isB = arm(of: user, seed: settings.seed)
                    if isB { armB.append(variantValue) } else { armA.append(value) }
                    if let covariate = pre?[user] {
                        y.append(isB ? variantValue : value); x.append(covariate); inB.append(isB)
                    }
                }
                var estimate: SplitTrafficResult.CUPEDEstimate? = nil
                if pre != nil, y.count >= 2 {
                    let c = Statistics.cuped(y: y, x: x)
                    let adjustedB = zip(c.adjusted, inB).filter { $0.1 }.map(\.0), adjustedA = zip(c.adjusted, inB).filter { !$0.1 }.map(\.0)
                    let meanB = adjustedB.reduce(0, +) / Double(max(1, adjustedB.count)), meanA = adjustedA.reduce(0, +) / Double(max(1, adjustedA.count))
                    estimate = .init(users: y.count, theta: c.theta, delta: meanB - meanA, welch: welchTTest(adjustedB, adjustedA),
                                     varianceReduction: c.varianceReduction)
                }
                let n = Double(armA.count + armB.count)
                let srm = armA.isEmpty || armB.isEmpty ? nil
                    : chiSquareGoodnessOfFit(observed: [Double(armA.count), Double(armB.count)], expected: [n / 2, n / 2])
                out.append(SplitTrafficResult(
                    protocolID: v.protocolID, baseline: base.id, variant: v.id, metric: metric,
                    usersA: armA.count, usersB: armB.count,
                    meanA: armA.isEmpty ? .nan : armA.reduce(0, +) / Double(armA.count),
                    meanB: armB.isEmpty ? .nan : armB.reduce(0, +) / Double(armB.count),
                    welch: welchTTest(armB, armA), srm: srm, cuped: estimate))
            }
        }
        return out
    }
}
