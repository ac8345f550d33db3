import Statistics

/// The `mlp` updater: profile = base + g(f), with the feature vector
/// f = [mean, decayed mean, last event vector, log(1 + n)] (3d + 1 values) of the newest
/// `window` events and g a two-layer network back to item space:
///
///     h = act(LN(f·W₁ + b₁))      (LayerNorm optional; act ReLU or GELU)
///     g = h·W₂ + b₂
///
/// mean = Σ wᵢxᵢ / Σ wᵢ and decayed mean = Σ wᵢδᵢxᵢ / Σ wᵢδᵢ with δᵢ = 2^(−Δᵢ/h), Δᵢ events
/// (or seconds) from event i to the newest one — the same formulas as the `mean` and `decay`
/// strategies; n is the number of events in the window. `base` is 0, the mean or the decayed
/// mean (a residual); with a residual, W₂ and b₂ start at 0, so the untrained model *is* that
/// strategy.
///
/// Tensors: `hidden.weight` [3d+1, hidden], `hidden.bias`, `norm.weight`, `norm.bias` (with
/// LayerNorm), `output.weight` [hidden, d], `output.bias` [d].
public struct MLPProfileModel<T: LearningScalar>: ProfileModel {
    public typealias HalfLife = Learning.HalfLife
    public enum Residual: String, Sendable { case none, mean, decayed }

    public struct Configuration: Sendable, Equatable {
        public var dim: Int
        public var hidden: Int
        public var activation: Activation
        public var layerNorm: Bool
        public var residual: Residual
        public var halfLife: HalfLife
        public var window: Int
        public var useEventWeights: Bool
        public var seed: UInt64

        public init(dim: Int, hidden: Int = 256, activation: Activation = .gelu, layerNorm: Bool = true,
                    residual: Residual = .decayed, halfLife: HalfLife = .events(5), window: Int = 50,
                    useEventWeights: Bool = true, seed: UInt64 = 0) {
            self.dim = dim
            self.hidden = hidden
            self.activation = activation
            self.layerNorm = layerNorm
            self.residual = residual
            self.halfLife = halfLife
            self.window = window
            self.useEventWeights = useEventWeights
            self.seed = seed
        }
    }

    public struct State {
        var features: Matrix<T>
        var preNorm: Matrix<T>
        var normCache: LayerNorm.Cache<T>?
        var preActivation: Matrix<T>
        var hidden: Matrix<T>
    }

    public let configuration: Configuration
    public var parameters = ParameterStore<T>()
    public let first: Dense
    public let norm: LayerNorm?
    public let second: Dense
    public var dim: Int { configuration.dim }
    public var window: Int { configuration.window }
    public var featureWidth: Int { 3 * configuration.dim + 1 }

    public init(_ c: Configuration) throws {
        guard c.dim >= 1 else { throw LearningError("mlp: dim must be >= 1 (got \(c.dim))") }
        guard c.hidden >= 1 else { throw LearningError("mlp: hidden must be >= 1 (got \(c.hidden))") }
        guard c.window >= 1 else { throw LearningError("mlp: window must be >= 1 (got \(c.window))") }
        try c.halfLife.validate("mlp")
        configuration = c
        var rng = SeededGenerator(seed: c.seed, stream: 0x6d6c70)  // "mlp"
        first = Dense("hidden", inputs: 3 * c.dim + 1, outputs: c.hidden, store: &parameters, rng: &rng)
        norm = c.layerNorm ? LayerNorm("norm", width: c.hidden, store: &parameters, rng: &rng) : nil
        second = Dense("output", inputs: c.hidden, outputs: c.dim, initializer: c.residual == .none ? nil : .zeros,
                       store: &parameters, rng: &rng)
    }

    /// The feature rows f (`count × (3d+1)`) and the residual base (`count × d`).
    public func features(_ batch: SequenceBatch, items: Matrix<T>) -> (features: Matrix<T>, base: Matrix<T>) {
        let d = dim
        let f: Matrix<T> = windowFeatures(batch, items: items, window: configuration.window, halfLife: configuration.halfLife,
                                          useEventWeights: configuration.useEventWeights)
        var base = Matrix<T>(rows: batch.count, cols: d)
        let from: Int
        switch configuration.residual {
        case .none: return (f, base)
        case .mean: from = 0
        case .decayed: from = d
        }
        for j in 0..<batch.count { for c in 0..<d { base[j, c] = f[j, from + c] } }
        return (f, base)
    }

    public func forward(_ batch: SequenceBatch, items: Matrix<T>) throws -> (profiles: Matrix<T>, state: State) {
        guard items.cols == dim else { throw LearningError("mlp: item table has \(items.cols) columns, model dim is \(dim)") }
        try batch.validate(itemCount: items.rows, typeCount: Int(Int32.max))
        let (f, base) = features(batch, items: items)
        return parameters.values.withUnsafeBufferPointer { p in
            let h1 = first.forward(f, parameters: p)
            var normCache: LayerNorm.Cache<T>?
            var pre = h1
            if let norm { (pre, normCache) = norm.forward(h1, parameters: p) }
            let h = configuration.activation.forward(pre)
            var y = second.forward(h, parameters: p)
            if configuration.residual != .none {
                for i in 0..<y.values.count { y.values[i] += base.values[i] }
            }
            return (y, State(features: f, preNorm: h1, normCache: normCache, preActivation: pre, hidden: h))
        }
    }

    public mutating func backward(state s: State, profileGradient g: Matrix<T>) {
        let first = first, norm = norm, second = second, act = configuration.activation
        parameters.withBuffers { p, grads in
            let gh = second.backward(s.hidden, outputGradient: g, parameters: p, gradients: grads)
            var gpre = act.backward(s.preActivation, outputGradient: gh)
            if let norm, let cache = s.normCache { gpre = norm.backward(cache, outputGradient: gpre, parameters: p, gradients: grads) }
            _ = first.backward(s.features, outputGradient: gpre, parameters: p, gradients: grads, needInputGradient: false)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
