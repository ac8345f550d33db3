import Statistics

/// A formula profile through a learned global matrix: profile = b·M, b the window's mean or
/// decayed mean (the `mean` / `decay` formulas, see ``MLPProfileModel``), M d × d
/// (`projection.weight`, identity at the start, so the untrained model is the formula).
///
/// This is the "global weight matrix learned on the training users" of the `online` strategy:
/// train it with ``Trainer``, then step each user's P on their new events through M with
/// ``OnlineUpdate/apply(profiles:targetOffsets:targets:items:projection:)`` and score P·M.
public struct LinearProfileModel<T: LearningScalar>: ProfileModel {
    public enum Base: String, Sendable { case mean, decayed }

    public struct Configuration: Sendable, Equatable {
        public var dim: Int
        public var base: Base
        public var halfLife: HalfLife
        public var window: Int
        public var useEventWeights: Bool
        public var seed: UInt64

        public init(dim: Int, base: Base = .mean, halfLife: HalfLife = .events(5), window: Int = 50,
                    useEventWeights: Bool = true, seed: UInt64 = 0) {
            self.dim = dim
            self.base = base
            self.halfLife = halfLife
            self.window = window
            self.useEventWeights = useEventWeights
            self.seed = seed
        }
    }

    public struct State { var base: Matrix<T> }

    public let configuration: Configuration
    public var parameters = ParameterStore<T>()
    public let projection: Dense
    public var dim: Int { configuration.dim }
    public var window: Int { configuration.window }

    public init(_ c: Configuration) throws {
        guard c.dim >= 1 else { throw LearningError("linear: dim must be >= 1 (got \(c.dim))") }
        guard c.window >= 1 else { throw LearningError("linear: window must be >= 1 (got \(c.window))") }
        try c.halfLife.validate("linear")
        configuration = c
        var rng = SeededGenerator(seed: c.seed, stream: 0x6c696e)  // "lin"
        projection = Dense("projection", inputs: c.dim, outputs: c.dim, bias: false, initializer: .identity,
                           store: &parameters, rng: &rng)
    }

    /// M as a matrix (for ``OnlineUpdate``).
    public var matrix: Matrix<T> {
        Matrix(rows: dim, cols: dim, values: parameters.values(of: projection.weight))
    }

    /// The formula profiles b, `count × d`.
    public func baseProfiles(_ batch: SequenceBatch, items: Matrix<T>) -> Matrix<T> {
        let d = dim
        let f: Matrix<T> = windowFeatures(batch, items: items, window: configuration.window, halfLife: configuration.halfLife,
                                          useEventWeights: configuration.useEventWeights)
        let from = configuration.base == .mean ? 0 : d
        var b = Matrix<T>(rows: batch.count, cols: d)
        for j in 0..<batch.count { for c in 0..<d { b[j, c] = f[j, from + c] } }
        return b
    }

    public func forward(_ batch: SequenceBatch, items: Matrix<T>) throws -> (profiles: Matrix<T>, state: State) {
        guard items.cols == dim else { throw LearningError("linear: item table has \(items.cols) columns, model dim is \(dim)") }
        try batch.validate(itemCount: items.rows, typeCount: Int(Int32.max))
        let b = baseProfiles(batch, items: items)
        let p = parameters.values.withUnsafeBufferPointer { projection.forward(b, parameters: $0) }
        return (p, State(base: b))
    }

    public mutating func backward(state s: State, profileGradient g: Matrix<T>) {
        let projection = projection
        parameters.withBuffers { p, grads in
            _ = projection.backward(s.base, outputGradient: g, parameters: p, gradients: grads, needInputGradient: false)
        }
    }
}
