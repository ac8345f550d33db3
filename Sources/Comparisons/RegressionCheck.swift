import Statistics

/// The CI regression gate (`profilebench check`): every variant and metric of a baseline run
/// against the same in a current run.
public struct RegressionCheck: Sendable {
    public enum Status: String, Sendable {
        case ok = "ok"
        /// Lower by more than the tolerance.
        case fellBeyondTolerance = "FAIL"
        /// Lower with a significant (Holm-adjusted) paired t-test.
        case fellSignificantly = "FAIL (significant)"
        case missing = "MISSING"
    }

    public struct Finding: Sendable {
        public var key: VariantKey
        public var metric: String
        public var baseline: Double
        /// nil when missing from the current run.
        public var current: Double?
        public var delta: Double? { current.map { $0 - baseline } }
        /// Holm-adjusted paired t-test p over the users both runs scored; nil for coverage,
        /// or where the test is undefined (no spread in the differences).
        public var p: Double?
        public var status: Status

        /// One line naming the variant, the metric, both values, the delta and p.
        public var line: String {
            func f(_ d: Double?) -> String { d.map { $0.isNaN ? "nan" : String(format: "%.6f", $0) } ?? "-" }
            let delta = self.delta.map { ($0 >= 0 ? "+" : "") + String(format: "%.6f", $0) } ?? "-"
            let p = self.p.map { String(format: "%.3g", $0) } ?? "n/a"
            return "\(status.rawValue) \(key) \(metric): baseline \(f(baseline)) current \(f(current)) delta \(delta) p \(p)"
        }
    }

    public var findings: [Finding]
    /// Provenance differences: (what, baseline value, current value), for spec, dataset, weights.
    public var provenance: [(what: String, baseline: String, current: String, same: Bool)]

    public var failures: [Finding] { findings.filter { $0.status != .ok } }
    public var passed: Bool { failures.isEmpty }

    /// Compares `current` with `baseline`: a metric fails when current < baseline − tolerance,
    /// or when current < baseline and the Holm-adjusted paired t-test p ≤ alpha (over every
    /// variant and per-user metric checked); a variant or metric absent from the current run
    /// fails unless `allowMissing`.
    public static func run(baseline: ResultsFolder, current: ResultsFolder, tolerance: Double = 0.005, alpha: Double = 0.05,
                           allowMissing: Bool = false) -> RegressionCheck {
        var findings: [Finding] = []
        var raw: [Double] = []
        var tested: [Int] = []
        for v in baseline.variants {
            let cur = current.variant(v.key)
            for (metric, mean) in v.means {
                guard let c = cur?.mean(metric) else {
                    if !allowMissing { findings.append(Finding(key: v.key, metric: metric, baseline: mean, current: nil, p: nil, status: .missing)) }
                    continue
                }
                findings.append(Finding(key: v.key, metric: metric, baseline: mean, current: c, p: nil, status: .ok))
                if let x = baseline.perUser.column(v.key, metric: metric), let y = current.perUser.values(v.key, metric: metric) {
                    var a: [Double] = [], b: [Double] = []
                    for (user, value) in x { if let w = y[user] { b.append(value); a.append(w) } }
                    raw.append(pairedTTest(a, b)?.p ?? .nan)
                    tested.append(findings.count - 1)
                }
            }
        }
        for (k, p) in zip(tested, holm(raw)) where !p.isNaN { findings[k].p = p }
        for i in findings.indices where findings[i].status != .missing {
            let f = findings[i]
            guard let c = f.current else { continue }
            if c < f.baseline - tolerance { findings[i].status = .fellBeyondTolerance }
            else if c < f.baseline, let p = f.p, p <= alpha { findings[i].status = .fellSignificantly }
        }
        func text(_ folder: ResultsFolder, _ key: String) -> String {
            guard let v = folder.manifest?[key] else { return "(none)" }
            if let s = v.stringValue { return s.isEmpty ? "(none)" : s }
            if let o = v.objectValue { return o.map { "\($0.0)=\($0.1.stringValue.map { $0.isEmpty ? "(none)" : $0 } ?? "?")" }.joined(separator: ",") }
            return "?"
        }
        let provenance = [("spec", "spec_sha256"), ("dataset", "dataset_sha256"), ("weights", "weights_sha256")].map { what, key in
            let a = text(baseline, key), b = text(current, key)
            return (what, a, b, a == b)
        }
        return RegressionCheck(findings: findings, provenance: provenance)
    }
}
