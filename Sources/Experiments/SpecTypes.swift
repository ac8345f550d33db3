import Retrieval
import Statistics

/// Which held-out part a `leave-last` or `temporal` protocol ranks: the test targets (the
/// reported number) or the validation targets (for tuning).
public enum ProtocolTargets: String, Equatable, Sendable, CaseIterable {
    case test, valid
}

/// A global cut-off of the `temporal` protocol: a unix time, or a quantile of all event times
/// (resolved against the dataset when the run starts).
public enum TimeCut: Equatable, Sendable {
    case time(Int64)
    case quantile(Double)
}

/// How each user's events are cut into what builds the profile and what is ranked.
public enum ProtocolSpec: Equatable, Sendable {
    /// History X, update Y and test Z fractions of each user's time-ordered events.
    case holdout(history: Double, update: Double, test: Double)
    /// Test-then-update over windows of `windowEvents` events or `windowDays` days, after the
    /// first `max(1, floor(n·history))` events built the profile.
    case prequential(history: Double, windowEvents: Int?, windowDays: Double?)
    /// Leave-last-out (RecBole's `LS` split, SASRec's protocol): the last event is the test
    /// target, the one before it the validation target (when `valid`), the rest the history.
    case leaveLast(valid: Bool, targets: ProtocolTargets)
    /// One global time cut (RecBole's `TO` split): events before `testFrom` are history (and,
    /// with `validFrom`, those in [validFrom, testFrom) the validation period), later ones ranked.
    case temporal(testFrom: TimeCut, validFrom: TimeCut?, targets: ProtocolTargets)
    /// The evaluation cases the dataset brings with it (`/cases/<split>`), ranked as they are.
    case cases(split: String)

    public var kind: String {
        switch self {
        case .holdout: return "holdout"
        case .prequential: return "prequential"
        case .leaveLast: return "leave-last"
        case .temporal: return "temporal"
        case .cases: return "cases"
        }
    }

    /// Parameters with defaults filled in, keys in alphabetical order.
    public var parameters: [(String, JSONParameter)] {
        switch self {
        case let .holdout(h, u, t): return [("history", .number(h)), ("test", .number(t)), ("update", .number(u))]
        case let .prequential(h, we, wd):
            var p: [(String, JSONParameter)] = [("history", .number(h))]
            if let wd { p.append(("window_days", .number(wd))) }
            if let we { p.append(("window_events", .number(Double(we)))) }
            return p
        case let .leaveLast(valid, targets):
            return [("targets", .text(targets.rawValue)), ("valid", .text(valid ? "true" : "false"))]
        case let .temporal(testFrom, validFrom, targets):
            var p: [(String, JSONParameter)] = [("targets", .text(targets.rawValue))]
            p.append(Self.cutParameter("test_from", testFrom))
            if let validFrom { p.append(Self.cutParameter("valid_from", validFrom)) }
            return p
        case let .cases(split):
            return [("split", .text(split))]
        }
    }

    static func cutParameter(_ key: String, _ cut: TimeCut) -> (String, JSONParameter) {
        switch cut {
        case .time(let t): return (key, .number(Double(t)))
        case .quantile(let q): return (key + "_quantile", .number(q))
        }
    }

    /// `holdout(history=0.6,test=0.2,update=0.2)`, `prequential(history=0.5,window_events=5)`,
    /// `leave-last(targets=test,valid=true)`, `temporal(targets=test,test_from_quantile=0.9)`,
    /// `cases(split=test)`.
    public var id: String {
        "\(kind)(" + parameters.map { "\($0.0)=\($0.1.text)" }.joined(separator: ",") + ")"
    }

    /// Whether lists are the dataset's evaluation cases (one per case, several per user).
    public var isCases: Bool {
        if case .cases = self { return true }
        return false
    }

    /// Whether each user has several ranked lists (steps) whose values are averaged.
    public var isStepwise: Bool {
        if case .prequential = self { return true }
        return false
    }
}

/// An encoder as a spec names it: a built-in (`hash-<d>`, `minilm-l6`, `mpnet-base`) or the name
/// of embeddings the dataset already holds.
public struct EncoderSpec: Equatable, Sendable {
    public var name: String
    public var layers: Int?
    public var template: String?

    public init(name: String, layers: Int? = nil, template: String? = nil) {
        self.name = name
        self.layers = layers
        self.template = template
    }

    /// The embedding name: the encoder name, with `-l<n>` when truncated to n layers.
    public var id: String { layers.map { "\(name)-l\($0)" } ?? name }
}

/// How `concat` scores an item against the kept window vectors.
public enum ConcatAggregate: String, Equatable, Sendable, CaseIterable {
    case max, mean, softmax
}

/// How `interests` scores an item against its k interest vectors.
public enum InterestAggregate: String, Equatable, Sendable, CaseIterable {
    case max, sum
}

/// An update strategy with its parameters (defaults filled in).
public enum StrategySpec: Equatable, Sendable {
    case `static`
    case mean
    case decayDays(halfLife: Double)
    case decayEvents(halfLife: Double)
    case concat(window: Int, aggregate: ConcatAggregate, temperature: Double?)
    /// The seed's PCA of the concatenated profile: the last `window` weighted event vectors,
    /// reduced to their top `k` principal directions (thin SVD), scored by `aggregate`.
    case interests(window: Int, k: Int, aggregate: InterestAggregate, center: Bool)
    /// Learned: attention pooling over the behaviour window, trained on the visible events.
    case attention(AttentionSpec)
    /// Learned: a two-layer network over the window's summary features.
    case mlp(MLPSpec)
    /// Online gradient updates of a formula profile, chunk by chunk.
    case online(OnlineSpec)

    /// Whether the strategy trains a model on the protocol's visible events before ranking.
    public var trainsModel: Bool {
        switch self {
        case .attention, .mlp: return true
        default: return false
        }
    }

    public var name: String {
        switch self {
        case .static: return "static"
        case .mean: return "mean"
        case .decayDays, .decayEvents: return "decay"
        case .concat: return "concat"
        case .interests: return "interests"
        case .attention: return "attention"
        case .mlp: return "mlp"
        case .online: return "online"
        }
    }

    /// Parameters in alphabetical order.
    public var parameters: [(String, JSONParameter)] {
        switch self {
        case .static, .mean: return []
        case .decayDays(let h): return [("half_life_days", .number(h))]
        case .decayEvents(let h): return [("half_life_events", .number(h))]
        case let .concat(window, aggregate, temperature):
            var p: [(String, JSONParameter)] = [("aggregate", .text(aggregate.rawValue))]
            if let temperature { p.append(("temperature", .number(temperature))) }
            p.append(("window", .number(Double(window))))
            return p
        case let .interests(window, k, aggregate, center):
            return [("aggregate", .text(aggregate.rawValue)), ("center", .text(center ? "true" : "false")),
                    ("k", .number(Double(k))), ("window", .number(Double(window)))]
        case .attention(let a):
            // The window always; the other settings (and training's) only where not the default.
            let d = AttentionSpec()
            var p: [(String, JSONParameter)] = [("window", .number(Double(a.window)))]
            if a.age != d.age { p.append(("age", .text(a.age.rawValue))) }
            if a.buckets != d.buckets { p.append(("buckets", .number(Double(a.buckets)))) }
            if let r = a.dim { p.append(("dim", .number(Double(r)))) }
            return (p + a.training.nonDefaultParameters).sorted { $0.0 < $1.0 }
        case .mlp(let m):
            let d = MLPSpec()
            var p: [(String, JSONParameter)] = [("hidden", .number(Double(m.hidden))), ("window", .number(Double(m.window)))]
            if m.activation != d.activation { p.append(("activation", .text(m.activation.rawValue))) }
            if m.layerNorm != d.layerNorm { p.append(("layer_norm", .text(m.layerNorm ? "true" : "false"))) }
            if m.residual != d.residual { p.append(("residual", .text(m.residual.rawValue))) }
            if m.halfLifeEvents != d.halfLifeEvents { p.append(("half_life_events", .number(m.halfLifeEvents))) }
            return (p + m.training.nonDefaultParameters).sorted { $0.0 < $1.0 }
        case .online(let o):
            let d = OnlineSpec()
            var p: [(String, JSONParameter)] = [("init", .text(o.initial.rawValue)), ("lr", .number(o.lr)), ("steps", .number(Double(o.steps)))]
            if let h = o.halfLifeEvents { p.append(("half_life_events", .number(h))) }
            if o.chunk != d.chunk { p.append(("chunk", .number(Double(o.chunk)))) }
            if o.scale != d.scale { p.append(("scale", .number(o.scale))) }
            return p.sorted { $0.0 < $1.0 }
        }
    }

    /// `static`, `decay(half_life_days=14)`, `concat(aggregate=max,window=50)`.
    public var id: String {
        let p = parameters
        if p.isEmpty { return name }
        return name + "(" + p.map { "\($0.0)=\($0.1.text)" }.joined(separator: ",") + ")"
    }
}

/// A strategy or reduction parameter value.
public enum JSONParameter: Equatable, Sendable {
    case number(Double)
    case text(String)
    public var text: String {
        switch self {
        case .number(let d): return formatParameter(d)
        case .text(let s): return s
        }
    }
}

/// How the item embedding table is transformed before profiles are built.
public enum ReductionSpec: Equatable, Sendable {
    case none
    case pca(components: Int)
    case randomProjection(components: Int)

    public var method: String {
        switch self {
        case .none: return "none"
        case .pca: return "pca"
        case .randomProjection: return "random-projection"
        }
    }

    public var components: Int? {
        switch self {
        case .none: return nil
        case .pca(let k), .randomProjection(let k): return k
        }
    }

    /// `none`, `pca(64)`, `random-projection(32)`.
    public var id: String { components.map { "\(method)(\($0))" } ?? method }
}

/// The `compare` block: which baseline every variant is compared with, and how.
public struct CompareSpec: Equatable, Sendable {
    public var baseline: String
    /// The tests to run, in order; the first decides the verdict (default: every test).
    public var tests: [SignificanceTest]
    public var alpha: Double
    /// Default: Holm.
    public var correction: PValueCorrection
}

/// An outside model's ranking, a TREC run file (`qid Q0 docid rank score tag`), scored as a
/// variant of the grid with the same metric code and compared, paired by user, like any other.
public struct RunSpec: Equatable, Sendable {
    /// The run's name: its variant id is `run/<name>/none`.
    public var name: String
    /// The path as written in the spec.
    public var file: String
    /// The path to open (relative paths are tried from the working folder, then the spec's).
    public var path: String
    /// The encoder part of every run variant's id: no spec encoder may have this name.
    public static let encoderName = "run"
    /// `run/<name>/none`.
    public var variantID: String { "\(Self.encoderName)/\(name)/none" }
}

/// Reference numbers from a publication, shown beside the run's own (labelled as published)
/// in the reports: `{"source": "...", "rows": {"SASRec": {"hit@10": 0.109}}}`.
public struct PublishedSpec: Equatable, Sendable {
    public var source: String
    /// Model name → (metric name → value), in the spec's order.
    public var rows: [(model: String, values: [(metric: String, value: Double)])]
    public init(source: String, rows: [(model: String, values: [(metric: String, value: Double)])]) {
        self.source = source
        self.rows = rows
    }
    public static func == (a: PublishedSpec, b: PublishedSpec) -> Bool {
        a.source == b.source && a.rows.count == b.rows.count && zip(a.rows, b.rows).allSatisfy { x, y in
            x.model == y.model && x.values.count == y.values.count && zip(x.values, y.values).allSatisfy { $0 == $1 }
        }
    }
}

/// One cell of the variant grid: an encoder × strategy × reduction, or an outside run.
public struct Variant: Equatable, Sendable {
    public let encoder: EncoderSpec
    public let strategy: StrategySpec
    public let reduction: ReductionSpec
    /// Set for an outside model's run; `encoder`, `strategy` and `reduction` then only name it
    /// (encoder `run`, strategy `static`, reduction `none`) and are not used.
    public let run: RunSpec?
    public init(encoder: EncoderSpec, strategy: StrategySpec, reduction: ReductionSpec) {
        self.encoder = encoder
        self.strategy = strategy
        self.reduction = reduction
        self.run = nil
    }
    /// The variant of an outside run.
    public init(run: RunSpec) {
        self.encoder = EncoderSpec(name: RunSpec.encoderName)
        self.strategy = .static
        self.reduction = .none
        self.run = run
    }
    /// `<encoder>/<strategy>/<reduction>`, e.g. `minilm-l6-l3/decay(half_life_days=14)/pca(64)`;
    /// `run/<name>/none` for a run.
    public var id: String { run?.variantID ?? "\(encoder.id)/\(strategy.id)/\(reduction.id)" }
    /// The strategy part of the id: the strategy's id, or the run's name.
    public var strategyID: String { run?.name ?? strategy.id }
    /// The strategy name as metrics.json gives it: `run` for a run.
    public var strategyName: String { run == nil ? strategy.name : "run" }
}

/// A validated experiment spec.
public struct ExperimentSpec: Sendable {
    public var name: String
    /// The dataset path as written in the spec.
    public var dataset: String
    /// The dataset path to open (relative paths are tried from the working folder, then from the
    /// spec's folder).
    public var datasetPath: String
    public var protocols: [ProtocolSpec]
    public var encoders: [EncoderSpec]
    public var strategies: [StrategySpec]
    public var eventWeights: [(String, Double)]
    public var reductions: [ReductionSpec]
    public var metrics: [MetricSpec]
    public var excludeSeen: Bool
    public var compare: CompareSpec?
    public var seed: UInt64
    /// Evaluate only a seeded sample of this many users (of those with events); nil: all.
    public var sampleUsers: Int?
    /// Outside models' runs, each a variant after the grid's.
    public var runs: [RunSpec] = []
    /// Published reference numbers for the reports.
    public var published: PublishedSpec? = nil
    /// The spec file's path and bytes (for the manifest and its sha256).
    public var sourcePath: String
    public var sourceText: String

    /// Variants in grid order: encoders × reductions × strategies, then the runs.
    public var variants: [Variant] {
        var out: [Variant] = []
        for e in encoders { for r in reductions { for s in strategies { out.append(Variant(encoder: e, strategy: s, reduction: r)) } } }
        return out + runs.map { Variant(run: $0) }
    }

    /// The largest cut-off any metric needs.
    public var maxK: Int { metrics.map(\.k).max() ?? 1 }
}

/// Integral values print without a fractional part (`14`), others in shortest form (`0.5`).
public func formatParameter(_ d: Double) -> String {
    if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
    return "\(d)"
}
