import Results
import JSON
import Statistics

/// A comparison broken down to one user segment (docs/statistics.md, "Segments").
public struct SegmentComparison: Sendable {
    public var protocolID: String
    /// `activity` (history length terciles) or `drift` (drift terciles).
    public var segmentation: String
    /// `low`, `mid` or `high`.
    public var segment: String
    /// The covariate's range over the segment's users.
    public var range: (lo: Double, hi: Double)
    public var users: Int
    public var comparisons: [PairedComparison]
}

/// comparison.json (docs/results.md): every variant against its baseline, per metric, with
/// the p-values adjusted over the whole file, and the same by user segment.
public struct ComparisonDocument: Sendable {
    public var settings: ComparisonSettings
    /// Set when two results folders were compared (baseline run, variant run).
    public var runs: (baseline: String, variant: String)?
    public var comparisons: [PairedComparison]
    public var segments: [SegmentComparison] = []
    public var splitTraffic: [SplitTrafficResult] = []

    public func json() -> JSONValue {
        var top: [(String, JSONValue)] = [
            ("alpha", .double(settings.alpha)),
            ("correction", .string(settings.correction.rawValue)),
            ("comparisons", .array(comparisons.map { Self.json($0, alpha: settings.alpha) })),
            ("tests", .array(settings.tests.map { .string($0.rawValue) })),
            ("seed", .int(Int(Int64(bitPattern: settings.seed)))),
            ("bootstrap_resamples", .int(settings.bootstrapResamples)),
            ("randomization_resamples", .int(settings.randomizationResamples)),
        ]
        if let runs {
            top.append(("baseline_run", .string(runs.baseline)))
            top.append(("variant_run", .string(runs.variant)))
        }
        if !segments.isEmpty {
            top.append(("segments", .array(segments.map { s in
                .object([
                    ("protocol", .string(s.protocolID)),
                    ("segmentation", .string(s.segmentation)),
                    ("segment", .string(s.segment)),
                    ("range", .array([.double(s.range.lo), .double(s.range.hi)])),
                    ("users", .int(s.users)),
                    ("comparisons", .array(s.comparisons.map { Self.json($0, alpha: settings.alpha) })),
                ])
            })))
        }
        if !splitTraffic.isEmpty { top.append(("split_traffic", .array(splitTraffic.map { $0.json() }))) }
        return .object(top)
    }

    static func json(_ c: PairedComparison, alpha: Double) -> JSONValue {
        func num(_ d: Double?) -> JSONValue { d.map { .double($0) } ?? .null }
        return .object([
            ("baseline", .string(c.baseline)),
            ("variant", .string(c.variant)),
            ("metric", .string(c.metric)),
            ("n", .int(c.n)),
            ("mean_baseline", .double(c.meanBaseline)),
            ("mean_variant", .double(c.meanVariant)),
            ("delta", .double(c.delta)),
            ("ci95", c.ci95.map { .array([.double($0.lo), .double($0.hi)]) } ?? .null),
            ("p", .object(c.p.map { ($0.test, num($0.value)) })),
            ("p_adjusted", .object(c.pAdjusted.map { ($0.test, num($0.value)) })),
            ("effect_size", num(c.effectSize)),
            ("wins", .int(c.wins)),
            ("ties", .int(c.ties)),
            ("losses", .int(c.losses)),
            ("protocol", .string(c.protocolID)),
            ("relative_delta", num(c.relativeDelta)),
            ("verdict", .string(c.verdict(alpha: alpha).rawValue)),
        ])
    }
}

extension ComparisonSettings {
    /// Settings from a folder's spec `compare` block (via its manifest), with any of the
    /// given values taking precedence; nil baseline and no block is an error.
    public static func resolve(_ folder: ResultsFolder, baseline: String? = nil, tests: [SignificanceTest]? = nil, alpha: Double? = nil,
                               correction: PValueCorrection? = nil, requireBaseline: Bool = true) throws -> ComparisonSettings {
        let block = folder.manifest.specJSON["compare"]
        let b = baseline ?? block?["baseline"]?.stringValue
        if requireBaseline && b == nil {
            throw ResultsError("\(folder.path): the spec has no compare block; name a baseline with --baseline (a strategy such as static, or a variant id)")
        }
        var s = ComparisonSettings(baseline: b ?? "", seed: folder.seed)
        if let tests {
            s.tests = tests
        } else if let names = block?["tests"]?.arrayValue?.compactMap(\.stringValue) {
            s.tests = try names.map { t in
                guard let test = SignificanceTest(rawValue: t) else {
                    throw ResultsError("unknown test \"\(t)\": expected \(SignificanceTest.names(joinedBy: "or"))")
                }
                return test
            }
        }
        if let a = alpha ?? block?["alpha"]?.doubleValue { s.alpha = a }
        if let correction {
            s.correction = correction
        } else if let c = block?["correction"]?.stringValue {
            guard let known = PValueCorrection(rawValue: c) else {
                throw ResultsError("unknown correction \"\(c)\": expected \(PValueCorrection.names(joinedBy: "or"))")
            }
            s.correction = known
        }
        guard s.alpha > 0, s.alpha < 1 else { throw ResultsError("alpha must be between 0 and 1 (got \(s.alpha))") }
        return s
    }
}

extension ComparisonDocument {
    /// Every variant of `folder` against its baseline (same protocol, encoder and reduction,
    /// or the named variant), for every per-user metric, then by segment where the folder has
    /// segments.csv.
    public static func within(_ folder: ResultsFolder, settings: ComparisonSettings, segments: Bool = true) throws -> ComparisonDocument {
        let pairs = try baselinePairs(folder, baseline: settings.baseline)
        var comparisons: [PairedComparison] = []
        for (base, v) in pairs {
            for metric in folder.perUser.metrics {
                guard let b = folder.perUser.column(base, metric: metric), let a = folder.perUser.values(v, metric: metric) else { continue }
                comparisons.append(Comparer.compare(baseline: b, variant: a, protocolID: v.protocolID, baselineID: base.id,
                                                    variantID: v.id, metric: metric, settings: settings,
                                                    label: "\(v.protocolID)/\(v.id)/\(metric)"))
            }
        }
        Comparer.adjust(&comparisons, correction: settings.correction)
        var doc = ComparisonDocument(settings: settings, runs: nil, comparisons: comparisons)
        if segments { doc.segments = segmentComparisons(folder, pairs: pairs, settings: settings) }
        return doc
    }

    /// Each variant present in both folders (same protocol and id), users paired by id; `a`
    /// is the baseline run.
    public static func between(_ a: ResultsFolder, _ b: ResultsFolder, settings: ComparisonSettings) throws -> ComparisonDocument {
        var comparisons: [PairedComparison] = []
        for v in a.variants {
            guard b.variant(v.key) != nil else { continue }
            for metric in a.perUser.metrics where b.perUser.metrics.contains(metric) {
                guard let x = a.perUser.column(v.key, metric: metric), let y = b.perUser.values(v.key, metric: metric) else { continue }
                comparisons.append(Comparer.compare(baseline: x, variant: y, protocolID: v.protocolID, baselineID: v.id,
                                                    variantID: v.id, metric: metric, settings: settings,
                                                    label: "runs/\(v.protocolID)/\(v.id)/\(metric)"))
            }
        }
        guard !comparisons.isEmpty else {
            throw ResultsError("\(a.path) and \(b.path) have no variant and metric in common")
        }
        Comparer.adjust(&comparisons, correction: settings.correction)
        return ComparisonDocument(settings: settings, runs: (a.path, b.path), comparisons: comparisons)
    }

    /// (baseline, variant) pairs in metrics.json order; a baseline is not compared with itself.
    /// An outside run's variant (strategy `run`) has no strategy of its own encoder to be compared
    /// with; named as the baseline (by its name or its id), every variant is compared with it.
    public static func baselinePairs(_ folder: ResultsFolder, baseline named: String) throws -> [(VariantKey, VariantKey)] {
        var out: [(VariantKey, VariantKey)] = []
        var baseline = named
        if !baseline.contains("/"), let run = folder.variants.first(where: { $0.isOutsideRun && $0.strategyID == baseline }) {
            baseline = run.id
        }
        for v in folder.variants {
            if !baseline.contains("/") && v.isOutsideRun { continue }
            let base: VariantEntry
            if baseline.contains("/") {
                guard let b = folder.variant(VariantKey(protocolID: v.protocolID, id: baseline)) else {
                    throw ResultsError("\(folder.path): baseline \"\(baseline)\" is not a variant of the run (protocol \(v.protocolID))")
                }
                base = b
            } else {
                let same = folder.variants.filter { $0.protocolID == v.protocolID && $0.encoder == v.encoder && $0.reductionID == v.reductionID }
                var found = same.filter { $0.strategyID == baseline }
                if found.isEmpty { found = same.filter { $0.strategyName == baseline } }
                guard found.count == 1 else {
                    let what = found.isEmpty ? "no strategy" : "\(found.count) strategies (\(found.map(\.strategyID).joined(separator: ", ")))"
                    throw ResultsError("\(folder.path): baseline \"\(baseline)\" matches \(what) of \(v.encoder)/…/\(v.reductionID) under \(v.protocolID); name a strategy id or a full variant id")
                }
                base = found[0]
            }
            if base.key != v.key { out.append((base.key, v.key)) }
        }
        return out
    }

    /// Terciles of history length (`activity`) and of drift per protocol; each segment repeats
    /// the comparisons on its users, p adjusted over all segment comparisons together.
    static func segmentComparisons(_ folder: ResultsFolder, pairs: [(VariantKey, VariantKey)],
                                   settings: ComparisonSettings) -> [SegmentComparison] {
        var out: [SegmentComparison] = []
        for p in folder.protocols {
            guard let covariates = folder.segments[p], !covariates.isEmpty else { continue }
            let axes: [(String, [(String, Double)])] = [
                ("activity", covariates.map { ($0.user, Double($0.historyEvents)) }),
                ("drift", covariates.filter { !$0.drift.isNaN }.map { ($0.user, $0.drift) }),
            ]
            for (name, values) in axes where values.count >= 3 {
                for (segment, users) in terciles(values) where !users.isEmpty {
                    let members = Set(users.map(\.0))
                    var comparisons: [PairedComparison] = []
                    for (base, v) in pairs where v.protocolID == p {
                        for metric in folder.perUser.metrics {
                            guard let b = folder.perUser.column(base, metric: metric), let a = folder.perUser.values(v, metric: metric) else { continue }
                            comparisons.append(Comparer.compare(baseline: b.filter { members.contains($0.user) }, variant: a, protocolID: p,
                                                                baselineID: base.id, variantID: v.id, metric: metric, settings: settings,
                                                                label: "segment/\(name)/\(segment)/\(p)/\(v.id)/\(metric)"))
                        }
                    }
                    let xs = users.map(\.1)
                    out.append(SegmentComparison(protocolID: p, segmentation: name, segment: segment,
                                                 range: (xs.min()!, xs.max()!), users: users.count, comparisons: comparisons))
                }
            }
        }
        // One family: every segment comparison.
        var all = out.flatMap(\.comparisons)
        Comparer.adjust(&all, correction: settings.correction)
        var k = 0
        for i in out.indices {
            for j in out[i].comparisons.indices { out[i].comparisons[j] = all[k]; k += 1 }
        }
        return out
    }

    /// Splits (user, value) at the 1/3 and 2/3 quantiles (NumPy's linear rule): low ≤ q₁ <
    /// mid ≤ q₂ < high. Ties at a cut stay together, so the groups can differ in size.
    static func terciles(_ values: [(String, Double)]) -> [(String, [(String, Double)])] {
        let sorted = values.map(\.1).sorted()
        let q1 = percentile(sorted: sorted, 1.0 / 3), q2 = percentile(sorted: sorted, 2.0 / 3)
        return [("low", values.filter { $0.1 <= q1 }),
                ("mid", values.filter { $0.1 > q1 && $0.1 <= q2 }),
                ("high", values.filter { $0.1 > q2 })]
    }
}
