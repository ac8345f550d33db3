/// The next-item loss a profile model is trained with.
///
/// With `normalize` on (the default), profiles are L2-normalised before the logits, so the loss
/// sees what scoring sees — the cosine with each item — and `scale` is an inverse temperature:
/// logits are `scale · cos(p, e_j)`. Off, logits are `scale · pᵀe_j`.
public struct ProfileLoss: Sendable, Equatable {
    public enum Proposal: Sendable, Equatable {
        case uniform
        /// Q(j) ∝ (training count of item j + 1)^power.
        case unigram(power: Double)
    }

    public enum Kind: Sendable, Equatable {
        /// Full softmax over the catalogue (exact; 4·rows·items·d flops per batch).
        case full
        /// Sampled softmax with `negatives` items per batch shared by its rows.
        case sampled(negatives: Int, proposal: Proposal)
    }

    public var kind: Kind
    public var scale: Double
    public var normalize: Bool
    /// Subtract log Q(j) from sampled logits (only matters for a non-uniform proposal).
    public var logQCorrection: Bool

    public init(kind: Kind = .sampled(negatives: 1024, proposal: .uniform), scale: Double = 20, normalize: Bool = true,
                logQCorrection: Bool = true) {
        self.kind = kind
        self.scale = scale
        self.normalize = normalize
        self.logQCorrection = logQCorrection
    }

    /// Loss and ∂loss/∂P through the optional normalisation. `negatives` and `logQ` are used
    /// by the sampled kind (the full kind ignores them); sampled needs one target per row.
    public func evaluate<T>(profiles p: Matrix<T>, items: Matrix<T>, targetOffsets: [Int], targets: [Int32],
                            negatives: [Int32], logQ: [Double]?, rowWeight: Double,
                            needGradient: Bool = true, forceFull: Bool = false) -> LossResult<T> {
        var q = p
        var norms: [T] = []
        if normalize { (q, norms) = L2Normalize.forward(p) }
        var r: LossResult<T>
        switch forceFull ? .full : kind {
        case .full:
            r = SoftmaxLoss.full(profiles: q, items: items, targetOffsets: targetOffsets, targets: targets,
                                 scale: scale, rowWeight: rowWeight, needGradient: needGradient)
        case .sampled:
            r = SoftmaxLoss.sampled(profiles: q, items: items, targets: targets, negatives: negatives,
                                    logQ: logQCorrection ? logQ : nil, scale: scale, rowWeight: rowWeight,
                                    needGradient: needGradient)
        }
        if normalize && needGradient { r.gradient = L2Normalize.backward(output: q, norms: norms, outputGradient: r.gradient) }
        return r
    }
}

/// The `online` updater's step: starting from a profile P (a formula or learned profile),
/// take `steps` plain gradient steps `P ← P − lr · ∇_P L(P)` on the user's next-item loss over
/// the new chunk of events D(t+1): L = LSE(ℓ) − (1/|D|) Σ_{t∈D} ℓ_t over the full catalogue
/// (``SoftmaxLoss/full``), ℓ = scale · cos(P, e) with `normalize`, else scale · Pᵀe.
/// Rows are independent, so many users step together: one sgemm per step for all of them.
/// `steps: 0` returns P unchanged, bit for bit.
/// - Complexity: 4·users·items·d flops per step.
public struct OnlineUpdate: Sendable, Equatable {
    public var steps: Int
    public var learningRate: Double
    public var scale: Double
    public var normalize: Bool

    public init(steps: Int, learningRate: Double, scale: Double = 20, normalize: Bool = true) {
        self.steps = steps
        self.learningRate = learningRate
        self.scale = scale
        self.normalize = normalize
    }

    /// Steps every row of `profiles` on its own targets (`targets[targetOffsets[b] ..< targetOffsets[b+1]]`).
    /// A row without targets is returned unchanged.
    ///
    /// With a `projection` M (d × d, e.g. ``LinearProfileModel/matrix``), the loss is taken at
    /// P·M — the profile that is scored — and the step is on P: ∇_P = ∇_{PM} · Mᵀ.
    public func apply<T>(profiles: Matrix<T>, targetOffsets: [Int], targets: [Int32], items: Matrix<T>,
                         projection: Matrix<T>? = nil) throws -> Matrix<T> {
        guard steps >= 0 else { throw LearningError("online: steps must be >= 0 (got \(steps))") }
        guard learningRate >= 0, learningRate.isFinite else { throw LearningError("online: lr must be finite and >= 0 (got \(learningRate))") }
        guard profiles.cols == items.cols else {
            throw LearningError("online: profiles have \(profiles.cols) columns, the item table \(items.cols)")
        }
        guard targetOffsets.count == profiles.rows + 1 else {
            throw LearningError("online: \(targetOffsets.count - 1) target lists for \(profiles.rows) profiles")
        }
        for (i, t) in targets.enumerated() where t < 0 || Int(t) >= items.rows {
            throw LearningError("online: target \(i) is item \(t), outside 0..<\(items.rows)")
        }
        if let m = projection, m.rows != profiles.cols || m.cols != profiles.cols {
            throw LearningError("online: the projection is \(m.rows)×\(m.cols), expected \(profiles.cols)×\(profiles.cols)")
        }
        var p = profiles
        guard steps > 0 else { return p }
        let loss = ProfileLoss(kind: .full, scale: scale, normalize: normalize)
        let lr = T(learningRate)
        for _ in 0..<steps {
            let scored = projection.map { OnlineUpdate.project(p, $0) } ?? p
            let r = loss.evaluate(profiles: scored, items: items, targetOffsets: targetOffsets, targets: targets,
                                  negatives: [], logQ: nil, rowWeight: 1)
            var g = r.gradient
            if let m = projection {
                var gp = Matrix<T>(rows: p.rows, cols: p.cols)
                r.gradient.values.withUnsafeBufferPointer { gq in
                    m.values.withUnsafeBufferPointer { mp in
                        gp.values.withUnsafeMutableBufferPointer { out in
                            matmul(gq.baseAddress, p.rows, p.cols, mp.baseAddress, p.cols, transB: true, into: out.baseAddress)
                        }
                    }
                }
                g = gp
            }
            for i in 0..<p.values.count { p.values[i] -= lr * g.values[i] }
        }
        return p
    }

    /// P·M, the profiles that are scored when a projection is used.
    public static func project<T>(_ p: Matrix<T>, _ m: Matrix<T>) -> Matrix<T> {
        var q = Matrix<T>(rows: p.rows, cols: m.cols)
        p.values.withUnsafeBufferPointer { pp in
            m.values.withUnsafeBufferPointer { mp in
                q.values.withUnsafeMutableBufferPointer { out in
                    matmul(pp.baseAddress, p.rows, p.cols, mp.baseAddress, m.cols, into: out.baseAddress)
                }
            }
        }
        return q
    }

    /// One user's profile after the steps on the chunk's items.
    public func apply<T>(profile: [T], chunk: [Int], items: Matrix<T>, projection: Matrix<T>? = nil) throws -> [T] {
        try apply(profiles: Matrix(rows: 1, cols: profile.count, values: profile), targetOffsets: [0, chunk.count],
                  targets: chunk.map { Int32($0) }, items: items, projection: projection).values
    }
}
