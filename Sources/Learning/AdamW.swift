/// Adam with decoupled weight decay (Kingma & Ba 2015; Loshchilov & Hutter 2019, "AdamW"),
/// as PyTorch's `torch.optim.AdamW` computes it. At step t, for every scalar θ with gradient g:
///
///     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
///     m̂ = m / (1 − β₁ᵗ),     v̂ = v / (1 − β₂ᵗ)
///     θ ← θ − lr·λ·θ − lr·m̂ / (√v̂ + ε)
///
/// λ applies only to tensors marked `decays` (weight matrices), not to biases, gains or the
/// attention query. Moments are kept in the parameters' precision; the update runs over the
/// flat vector in index order. Defaults: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8, λ 0.01 (PyTorch's).
public struct AdamW: Sendable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double
    public private(set) var step = 0
    /// First and second moments, in the parameters' own precision (as PyTorch keeps them), so
    /// the float32 update runs on SIMD lanes.
    private var m: [Double] = []
    private var v: [Double] = []
    private var m32: [Float] = []
    private var v32: [Float] = []

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0.01) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Applies one update to `store` from its current gradients.
    public mutating func update<T>(_ store: inout ParameterStore<T>) {
        if T.self == Float.self {
            if m32.count != store.count { m32 = [Float](repeating: 0, count: store.count); v32 = m32; step = 0 }
            step += 1
            Self.apply(&store, &m32, &v32, step: step, learningRate, beta1, beta2, epsilon, weightDecay)
        } else {
            if m.count != store.count { m = [Double](repeating: 0, count: store.count); v = m; step = 0 }
            step += 1
            Self.apply(&store, &m, &v, step: step, learningRate, beta1, beta2, epsilon, weightDecay)
        }
    }

    private static func apply<T, S: LearningScalar>(_ store: inout ParameterStore<T>, _ m: inout [S], _ v: inout [S], step: Int,
                                                    _ lr: Double, _ beta1: Double, _ beta2: Double, _ epsilon: Double,
                                                    _ lambda: Double) {
        let c1 = S(1 - pow(beta1, Double(step))), c2 = S(1 - pow(beta2, Double(step)))
        let b1 = S(beta1), b2 = S(beta2), eps = S(epsilon), rate = S(lr)
        let tensors = store.tensors
        store.withMutableValues { theta, grad in
            m.withUnsafeMutableBufferPointer { mp in
                v.withUnsafeMutableBufferPointer { vp in
                    for p in tensors {
                        // θ·(1 − lr·λ) first (decoupled decay, as PyTorch), then the Adam step; in index order.
                        let shrink = S(p.decays ? 1 - lr * lambda : 1)
                        for i in p.range {
                            let g = S(grad[i])
                            let mi = b1 * mp[i] + (1 - b1) * g
                            let vi = b2 * vp[i] + (1 - b2) * g * g
                            mp[i] = mi
                            vp[i] = vi
                            theta[i] = T(S(theta[i]) * shrink - rate * (mi / c1) / (S.sqrt(vi / c2) + eps))
                        }
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
