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
    private var decayMask: [Bool] = []

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
            decayMask = [Bool](repeating: false, count: store.count)
            for p in store.tensors where p.decays { for i in p.range { decayMask[i] = true } }
            step = 0
        }
        step += 1
        let c1 = 1 - pow(beta1, Double(step)), c2 = 1 - pow(beta2, Double(step))
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon, lambda = weightDecay
        store.withMutableValues { theta, grad in
            m.withUnsafeMutableBufferPointer { mp in
                v.withUnsafeMutableBufferPointer { vp in
                    decayMask.withUnsafeBufferPointer { dm in
                        for i in 0..<theta.count {
                            let g = Double(grad[i])
                            mp[i] = b1 * mp[i] + (1 - b1) * g
                            vp[i] = b2 * vp[i] + (1 - b2) * g * g
                            let mhat = mp[i] / c1, vhat = vp[i] / c2
                            var t = Double(theta[i])
                            if dm[i] { t -= lr * lambda * t }
                            t -= lr * mhat / (vhat.squareRoot() + eps)
                            theta[i] = T(t)
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
