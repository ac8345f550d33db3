import Results
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

    /// Which way a metric moved, as the reports group it: `fell` is a failure, `rose` is the
    /// mirror image (higher by more than the tolerance, or higher with a significant test),
    /// `unchanged` everything in between.
    public enum Change: String, Sendable, CaseIterable {
        case fell, rose, unchanged, missing
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
        /// Paired-bootstrap 95% interval of the delta (current − baseline) over the users both
        /// runs scored; nil where there is no per-user value (coverage, or no per_user.csv).
        public var ci95: (lo: Double, hi: Double)? = nil
        /// The number of users both runs scored; nil where there is no per-user value.
        public var users: Int? = nil
        public var status: Status
        public var change: Change = .unchanged

        /// One line naming the variant, the metric, both values, the delta and p.
        public var line: String {
            func f(_ d: Double?) -> String { d.map { $0.isNaN ? "nan" : String(format: "%.6f", $0) } ?? "-" }
            let delta = self.delta.map { ($0 >= 0 ? "+" : "") + String(format: "%.6f", $0) } ?? "-"
            let p = self.p.map { String(format: "%.3g", $0) } ?? "n/a"
            return "\(status.rawValue) \(key) \(metric): baseline \(f(baseline)) current \(f(current)) delta \(delta) p \(p)"
        }
    }

    /// One input of a run as both manifests record it: the spec, the dataset and the weights
    /// (sha256) and the code (tool version and git commit).
    public struct InputChange: Sendable {
        /// `spec`, `dataset`, `weights` or `code`.
        public var what: String
        public var baseline: String
        public var current: String
        public var same: Bool { baseline == current }
    }

    public var findings: [Finding]
    /// The inputs of both runs, in the order spec, dataset, weights, code.
    public var provenance: [InputChange]
    /// The settings the findings were judged with.
    public var tolerance: Double = 0.005
    public var alpha: Double = 0.05
    /// The folders compared, as given.
    public var baselinePath: String = ""
    public var currentPath: String = ""
    /// The spec name both runs share (from the baseline's manifest; empty without one).
    public var specName: String = ""

    public var failures: [Finding] { findings.filter { $0.status != .ok } }
    public var passed: Bool { failures.isEmpty }
    /// The findings that moved the way `change` says, in finding order.
    public func findings(_ change: Change) -> [Finding] { findings.filter { $0.change == change } }

    /// Compares `current` with `baseline`: a metric fails when current < baseline − tolerance,
    /// or when current < baseline and the Holm-adjusted paired t-test p ≤ alpha (over every
    /// variant and per-user metric checked); a variant or metric absent from the current run
    /// fails unless `allowMissing`. Each per-user metric also gets a paired-bootstrap 95%
    /// interval of its delta (1,000 resamples, stream `check/bootstrap/<protocol>/<variant>/<metric>`
    /// of the baseline's seed).
    /// - Complexity: O(findings · users · 1,000) for the intervals.
    public static func run(baseline: ResultsFolder, current: ResultsFolder, tolerance: Double = 0.005, alpha: Double = 0.05,
                           allowMissing: Bool = false) -> RegressionCheck {
        var findings: [Finding] = []
        var raw: [Double] = []
        var tested: [Int] = []
        for v in baseline.variants {
            let cur = current.variant(v.key)
            for (metric, mean) in v.means {
                guard let c = cur?.mean(metric) else {
                    if !allowMissing {
                        findings.append(Finding(key: v.key, metric: metric, baseline: mean, current: nil, p: nil, status: .missing, change: .missing))
                    }
                    continue
                }
                var finding = Finding(key: v.key, metric: metric, baseline: mean, current: c, p: nil, status: .ok)
                if let x = baseline.perUser.column(v.key, metric: metric), let y = current.perUser.values(v.key, metric: metric) {
                    var now: [Double] = [], then: [Double] = []
                    for (user, value) in x { if let w = y[user] { then.append(value); now.append(w) } }
                    raw.append(pairedTTest(now, then)?.p ?? .nan)
                    tested.append(findings.count)
                    finding.users = now.count
                    if !now.isEmpty, !now.contains(where: \.isNaN), !then.contains(where: \.isNaN) {
                        let label = "check/bootstrap/\(v.key.protocolID)/\(v.key.id)/\(metric)"
                        finding.ci95 = pairedBootstrapCI(now, then, seed: Comparer.streamSeed(baseline.seed, label))
                    }
                }
                findings.append(finding)
            }
        }
        for (k, p) in zip(tested, holm(raw)) where !p.isNaN { findings[k].p = p }
        for i in findings.indices where findings[i].status != .missing {
            let f = findings[i]
            guard let c = f.current else { continue }
            let significant = f.p.map { $0 <= alpha } ?? false
            if c < f.baseline - tolerance { findings[i].status = .fellBeyondTolerance }
            else if c < f.baseline, significant { findings[i].status = .fellSignificantly }
            if findings[i].status != .ok { findings[i].change = .fell }
            else if c > f.baseline + tolerance || (c > f.baseline && significant) { findings[i].change = .rose }
        }
        let inputs: [(String, (Manifest) -> String)] = [
            ("spec", { noneIfEmpty($0.specSHA256) }), ("dataset", { noneIfEmpty($0.datasetSHA256) }),
            ("weights", { $0.weightsSHA256.map { "\($0.encoder)=\(noneIfEmpty($0.sha256))" }.joined(separator: ",") }),
            ("code", { m in noneIfEmpty([m.tool, m.toolVersion, m.gitCommit].filter { !$0.isEmpty }.joined(separator: " ")) }),
        ]
        let provenance = inputs.map { what, text in InputChange(what: what, baseline: text(baseline.manifest), current: text(current.manifest)) }
        return RegressionCheck(findings: findings, provenance: provenance, tolerance: tolerance, alpha: alpha,
                               baselinePath: baseline.path, currentPath: current.path,
                               specName: baseline.manifest.name)
    }

    /// The gate as `profilebench check` runs it: both folders must carry the manifest their run
    /// wrote and be runs of the same spec (by name); then ``run(baseline:current:tolerance:alpha:allowMissing:)``.
    /// - Throws: ``ResultsError`` naming the folder and what it lacks or which spec it is a run of.
    public static func gate(baseline: ResultsFolder, current: ResultsFolder, tolerance: Double = 0.005, alpha: Double = 0.05,
                            allowMissing: Bool = false) throws -> RegressionCheck {
        let a = try specName(of: baseline), b = try specName(of: current)
        guard a == b else {
            throw ResultsError("\(baseline.path) is a run of spec \"\(a)\" but \(current.path) is a run of spec \"\(b)\": "
                + "check compares two runs of the same spec (make the baseline from that spec, or pass the other baseline)")
        }
        return run(baseline: baseline, current: current, tolerance: tolerance, alpha: alpha, allowMissing: allowMissing)
    }

    /// The name of the spec a results folder is a run of, from its manifest.json.
    /// - Throws: ``ResultsError`` when the manifest names no spec.
    public static func specName(of folder: ResultsFolder) throws -> String {
        let name = folder.manifest.name.isEmpty ? folder.spec.name : folder.manifest.name
        guard !name.isEmpty else {
            throw ResultsError("\(folder.path)/manifest.json: name: expected the spec's name, found \"\"")
        }
        return name
    }

    static func noneIfEmpty(_ s: String) -> String { s.isEmpty ? "(none)" : s }
}
