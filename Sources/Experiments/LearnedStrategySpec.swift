import JSON

/// How a learned strategy is trained (the `training` object of `attention`, `mlp` and `online`
/// with `projection`); docs/spec.md gives the ranges. Defaults are the engine's.
public struct TrainingSpec: Equatable, Sendable {
    public var epochs = 10
    public var batch = 256
    public var lr = 1e-3
    public var weightDecay = 0.01
    /// Sampled-softmax negatives per batch (uniform, logQ-corrected); 0 means the full softmax.
    public var negatives = 1024
    public var patience = 2
    /// Share of the training users held out as the validation slice (their last visible event).
    public var validation = 0.1
    /// Inverse temperature of the cosine softmax.
    public var scale = 20.0

    public init() {}

    public static let keys = ["epochs", "batch", "lr", "weight_decay", "negatives", "patience", "validation", "scale"]

    /// The values that differ from the defaults, alphabetically (they join the strategy id).
    var nonDefaultParameters: [(String, JSONParameter)] {
        let d = TrainingSpec()
        var p: [(String, JSONParameter)] = []
        if batch != d.batch { p.append(("batch", .number(Double(batch)))) }
        if epochs != d.epochs { p.append(("epochs", .number(Double(epochs)))) }
        if lr != d.lr { p.append(("lr", .number(lr))) }
        if negatives != d.negatives { p.append(("negatives", .number(Double(negatives)))) }
        if patience != d.patience { p.append(("patience", .number(Double(patience)))) }
        if scale != d.scale { p.append(("scale", .number(scale))) }
        if validation != d.validation { p.append(("validation", .number(validation))) }
        if weightDecay != d.weightDecay { p.append(("weight_decay", .number(weightDecay))) }
        return p
    }
}

/// How `attention` buckets an event's age (counted back from the user's newest event).
public enum AgeScale: String, Equatable, Sendable, CaseIterable {
    /// Bucket min(B−1, n), n events back.
    case position
    /// Bucket min(B−1, ⌊log₂(1 + n)⌋): 0, 1, 2–3, 4–7, … events back.
    case logPosition = "log-position"
    /// Bucket min(B−1, ⌊log₂(1 + Δdays)⌋).
    case logDays = "log-days"
}

/// `attention`: softmax attention pooling over the last `window` events (docs/spec.md).
public struct AttentionSpec: Equatable, Sendable {
    public var window = 50
    /// r of the d × r map W (nil: the embedding dimension d).
    public var dim: Int?
    public var age = AgeScale.logPosition
    public var buckets = 8
    public var training = TrainingSpec()
    public init() {}
}

/// The activation of `mlp`'s hidden layer.
public enum MLPActivation: String, Equatable, Sendable, CaseIterable { case gelu, relu }
/// What `mlp` adds its output to.
public enum MLPResidual: String, Equatable, Sendable, CaseIterable { case decay, mean, none }

/// `mlp`: a two-layer network over [mean, decayed mean, last event, log length] (docs/spec.md).
public struct MLPSpec: Equatable, Sendable {
    public var window = 50
    public var hidden = 256
    public var activation = MLPActivation.gelu
    public var layerNorm = true
    public var residual = MLPResidual.decay
    public var halfLifeEvents = 5.0
    public var training = TrainingSpec()
    public init() {}
}

/// The formula `online` starts from and that absorbs each chunk.
public enum OnlineInit: String, Equatable, Sendable, CaseIterable { case mean, decay }

/// `online`: P(t+1) = f(P(t), D(t+1)) — each chunk of events is absorbed by the `init` formula,
/// then `steps` gradient steps of rate `lr` on the chunk's next-item loss (docs/spec.md).
public struct OnlineSpec: Equatable, Sendable {
    public var initial = OnlineInit.mean
    /// For `init: decay` (in events).
    public var halfLifeEvents: Double?
    public var steps = 1
    public var lr = 0.5
    public var chunk = 5
    public var scale = 20.0
    public init() {}
}

extension SpecParser {
    static func parseTraining(_ v: JSONValue?, at p: String, _ r: Reader) throws -> TrainingSpec {
        var t = TrainingSpec()
        guard let v else { return t }
        let o = try r.object(v, at: p, keys: TrainingSpec.keys)
        t.epochs = try r.integer(o["epochs"], at: "\(p).epochs", in: 1...1000, default: t.epochs)
        t.batch = try r.integer(o["batch"], at: "\(p).batch", in: 1...65_536, default: t.batch)
        t.lr = try r.number(o["lr"], at: "\(p).lr", above: 0, atMost: 1, default: t.lr)
        t.weightDecay = try r.number(o["weight_decay"], at: "\(p).weight_decay", atLeast: 0, atMost: 10, default: t.weightDecay)
        t.negatives = try r.integer(o["negatives"], at: "\(p).negatives", in: 0...1_000_000, default: t.negatives)
        t.patience = try r.integer(o["patience"], at: "\(p).patience", in: 1...1000, default: t.patience)
        t.validation = try r.number(o["validation"], at: "\(p).validation", atLeast: 0, below: 1, default: t.validation)
        t.scale = try r.number(o["scale"], at: "\(p).scale", above: 0, atMost: 1000, default: t.scale)
        return t
    }

    static func parseAttention(_ o: [String: JSONValue], at p: String, _ r: Reader) throws -> StrategySpec {
        var s = AttentionSpec()
        s.window = try r.integer(o["window"], at: "\(p).window", in: 1...1000, default: s.window)
        if let v = o["dim"] { s.dim = try r.integer(v, at: "\(p).dim", in: 1...65_536, default: 0) }
        s.age = try r.choice(o["age"], at: "\(p).age", default: s.age)
        s.buckets = try r.integer(o["buckets"], at: "\(p).buckets", in: 1...64, default: s.buckets)
        s.training = try parseTraining(o["training"], at: "\(p).training", r)
        return .attention(s)
    }

    static func parseMLP(_ o: [String: JSONValue], at p: String, _ r: Reader) throws -> StrategySpec {
        var s = MLPSpec()
        s.window = try r.integer(o["window"], at: "\(p).window", in: 1...1000, default: s.window)
        s.hidden = try r.integer(o["hidden"], at: "\(p).hidden", in: 1...4096, default: s.hidden)
        s.activation = try r.choice(o["activation"], at: "\(p).activation", default: s.activation)
        if let v = o["layer_norm"] { s.layerNorm = try r.bool(v, at: "\(p).layer_norm") }
        s.residual = try r.choice(o["residual"], at: "\(p).residual", default: s.residual)
        s.halfLifeEvents = try r.number(o["half_life_events"], at: "\(p).half_life_events", above: 0, atMost: 1e6, default: s.halfLifeEvents)
        s.training = try parseTraining(o["training"], at: "\(p).training", r)
        return .mlp(s)
    }

    static func parseOnline(_ o: [String: JSONValue], at p: String, _ r: Reader) throws -> StrategySpec {
        var s = OnlineSpec()
        s.initial = try r.choice(o["init"], at: "\(p).init", default: s.initial)
        if s.initial == .decay {
            s.halfLifeEvents = try r.number(o["half_life_events"], at: "\(p).half_life_events", above: 0, atMost: 1e6, default: 5)
        } else if o["half_life_events"] != nil {
            throw SpecError(file: r.file, path: "\(p).half_life_events", message: "applies only with init decay (init is mean)")
        }
        s.steps = try r.integer(o["steps"], at: "\(p).steps", in: 0...100, default: s.steps)
        s.lr = try r.number(o["lr"], at: "\(p).lr", atLeast: 0, atMost: 1000, default: s.lr)
        s.chunk = try r.integer(o["chunk"], at: "\(p).chunk", in: 1...10_000, default: s.chunk)
        s.scale = try r.number(o["scale"], at: "\(p).scale", above: 0, atMost: 1000, default: s.scale)
        return .online(s)
    }
}

extension Reader {
    /// An optional integer in `range`, `d` when absent.
    func integer(_ v: JSONValue?, at p: String, in range: ClosedRange<Int>, default d: Int) throws -> Int {
        guard let v else { return d }
        guard let x = v.intValue else { throw SpecError(file: file, path: p, message: "must be an integer (got \(describe(v)))") }
        guard range.contains(x) else {
            throw SpecError(file: file, path: p, message: "must be between \(range.lowerBound) and \(range.upperBound) (got \(x))")
        }
        return x
    }

    /// An optional finite number with the given bounds, `d` when absent.
    func number(_ v: JSONValue?, at p: String, atLeast lo: Double? = nil, above gt: Double? = nil,
                atMost hi: Double? = nil, below lt: Double? = nil, default d: Double) throws -> Double {
        guard let v else { return d }
        let x = try number(v, at: p)
        var bounds: [String] = []
        if let lo { bounds.append(">= \(formatParameter(lo))") }
        if let gt { bounds.append("> \(formatParameter(gt))") }
        if let hi { bounds.append("<= \(formatParameter(hi))") }
        if let lt { bounds.append("< \(formatParameter(lt))") }
        let ok = x.isFinite && (lo.map { x >= $0 } ?? true) && (gt.map { x > $0 } ?? true) && (hi.map { x <= $0 } ?? true) && (lt.map { x < $0 } ?? true)
        guard ok else { throw SpecError(file: file, path: p, message: "must be \(bounds.joined(separator: " and ")) (got \(formatParameter(x)))") }
        return x
    }
}
