import Statistics

/// The `attention` updater: profile = Σᵢ αᵢ W xᵢ over the newest `window` events, with
/// αᵢ = softmax(qᵀW xᵢ + b_type[typeᵢ] + b_age[bucketᵢ] + log wᵢ) (see ``AttentionPooling``);
/// with `rank` r < d the pooled r-vector is mapped back to item space by a learned `r × d`
/// matrix (`output.weight`, no bias).
///
/// `identity` initialisation (W = I, q = 0, biases 0; needs r = d) makes the model the
/// weighted mean of the window, Σ wᵢxᵢ / Σ wᵢ (wᵢ the event weights, or 1 with
/// `useEventWeights` off): training starts from the `mean` strategy.
///
/// Tensors: `attention.weight` [d, r], `attention.query` [r], `attention.type_bias` [types],
/// `attention.age_bias` [buckets], and `output.weight` [r, d] when r < d.
public struct AttentionProfileModel<T: LearningScalar>: ProfileModel {
    public enum Initialization: String, Sendable { case identity, xavier }

    public struct Configuration: Sendable, Equatable {
        public var dim: Int
        /// r; nil means d.
        public var rank: Int?
        public var typeCount: Int
        public var ageBuckets: AgeBucketing
        public var window: Int
        public var useEventWeights: Bool
        public var initialization: Initialization
        public var seed: UInt64

        public init(dim: Int, rank: Int? = nil, typeCount: Int = 1, ageBuckets: AgeBucketing = .logPosition(buckets: 8),
                    window: Int = 50, useEventWeights: Bool = true, initialization: Initialization = .identity, seed: UInt64 = 0) {
            self.dim = dim
            self.rank = rank
            self.typeCount = typeCount
            self.ageBuckets = ageBuckets
            self.window = window
            self.useEventWeights = useEventWeights
            self.initialization = initialization
            self.seed = seed
        }
    }

    public struct State {
        var events: Matrix<T>
        var sequences: PackedSequences
        var cache: AttentionPooling.Cache<T>
        var pooled: Matrix<T>
    }

    public let configuration: Configuration
    public var parameters = ParameterStore<T>()
    public let pooling: AttentionPooling
    public let output: Dense?
    public var dim: Int { configuration.dim }
    public var window: Int { configuration.window }

    public init(_ c: Configuration) throws {
        let r = c.rank ?? c.dim
        guard c.dim >= 1 else { throw LearningError("attention: dim must be >= 1 (got \(c.dim))") }
        guard r >= 1 && r <= c.dim else { throw LearningError("attention: rank must be in 1...\(c.dim) (got \(r))") }
        guard c.window >= 1 else { throw LearningError("attention: window must be >= 1 (got \(c.window))") }
        guard c.typeCount >= 1 else { throw LearningError("attention: typeCount must be >= 1 (got \(c.typeCount))") }
        if c.initialization == .identity && r != c.dim {
            throw LearningError("attention: identity initialisation needs rank == dim (got rank \(r), dim \(c.dim))")
        }
        configuration = c
        var rng = SeededGenerator(seed: c.seed, stream: 0x617474)  // "att"
        pooling = AttentionPooling("attention", inputs: c.dim, rank: r, typeCount: c.typeCount, bucketCount: c.ageBuckets.count,
                                   identity: c.initialization == .identity, store: &parameters, rng: &rng)
        output = r < c.dim ? Dense("output", inputs: r, outputs: c.dim, bias: false, store: &parameters, rng: &rng) : nil
    }

    /// Packs the batch's windows for ``AttentionPooling`` (types, age buckets, log-weights).
    func pack(_ batch: SequenceBatch) -> PackedSequences {
        var s = PackedSequences()
        s.rows.reserveCapacity(batch.rows.count)
        for j in 0..<batch.count {
            let range = windowRange(batch, j, window: configuration.window)
            guard let newest = range.last else { s.endSequence(); continue }
            let tNewest = batch.eventTimes[Int(batch.rows[newest])]
            for k in range {
                let row = Int(batch.rows[k])
                let bucket = configuration.ageBuckets.bucket(eventsBack: newest - k, secondsBack: tNewest - batch.eventTimes[row])
                s.append(row: row, type: Int(batch.eventTypes[row]), bucket: bucket,
                         weight: configuration.useEventWeights ? batch.eventWeights[row] : 1)
            }
            s.endSequence()
        }
        return s
    }

    public func forward(_ batch: SequenceBatch, items: Matrix<T>) throws -> (profiles: Matrix<T>, state: State) {
        guard items.cols == dim else { throw LearningError("attention: item table has \(items.cols) columns, model dim is \(dim)") }
        try batch.validate(itemCount: items.rows, typeCount: configuration.typeCount)
        let x = batch.gatherEvents(items)
        let seq = pack(batch)
        return parameters.values.withUnsafeBufferPointer { p in
            let (u, cache) = pooling.forward(x, sequences: seq, parameters: p)
            let profiles = output?.forward(u, parameters: p) ?? u
            return (profiles, State(events: x, sequences: seq, cache: cache, pooled: u))
        }
    }

    public mutating func backward(state s: State, profileGradient g: Matrix<T>) {
        let pooling = pooling, output = output
        parameters.withBuffers { p, grads in
            let gu = output?.backward(s.pooled, outputGradient: g, parameters: p, gradients: grads) ?? g
            _ = pooling.backward(s.events, sequences: s.sequences, cache: s.cache, outputGradient: gu, parameters: p, gradients: grads)
        }
    }
}
