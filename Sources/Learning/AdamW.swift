/// Adam with decoupled weight decay (Kingma & Ba 2015; Loshchilov & Hutter 2019, "AdamW"),
/// as PyTorch's `torch.optim.AdamW` computes it. At step t, for every scalar θ with gradient g:
///
///     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
///     m̂ = m / (1 − β₁ᵗ),     v̂ = v / (1 − β₂ᵗ)
///     θ ← θ − lr·λ·θ − lr·m̂ / (√v̂ + ε)
///
/// λ applies only to tensors marked `decays` (weight matrices), not to biases, gains or the
/// attention query. Moments are kept in float64; the update runs over the flat vector in
/// index order. Defaults: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8, λ 0.01 (PyTorch's).
public struct AdamW: Sendable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double
    public private(set) var step = 0
    private var m: [Double] = []
    private var v: [Double] = []

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
        if m.count != store.count {
            m = [Double](repeating: 0, count: store.count)
            v = m
            step = 0
        }
        step += 1
        let c1 = 1 - pow(beta1, Double(step)), c2 = 1 - pow(beta2, Double(step))
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon, lambda = weightDecay
        let tensors = store.tensors
        store.withMutableValues { theta, grad in
            m.withUnsafeMutableBufferPointer { mp in
                v.withUnsafeMutableBufferPointer { vp in
                    for p in tensors {
                        // θ·(1 − lr·λ) first (decoupled decay), then the Adam step; tensor by tensor, in index order.
                        let shrink = p.decays ? 1 - lr * lambda : 1
                        for i in p.range {
                            let g = Double(grad[i])
                            let mi = b1 * mp[i] + (1 - b1) * g
                            let vi = b2 * vp[i] + (1 - b2) * g * g
                            mp[i] = mi
                            vp[i] = vi
                            theta[i] = T(Double(theta[i]) * shrink - lr * (mi / c1) / ((vi / c2).squareRoot() + eps))
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
