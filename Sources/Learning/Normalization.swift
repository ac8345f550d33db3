import Statistics

/// Layer normalisation (Ba, Kiros & Hinton 2016) over each row's `width` features:
/// `x̂ = (x − μ) / √(σ² + ε)` with the row's mean μ and biased variance σ², then `y = γ ⊙ x̂ + β`.
///
/// Backward, with `ĝ = γ ⊙ ∂L/∂y` and `s = 1/√(σ² + ε)`:
/// `∂L/∂x = s · (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂))`, `∂L/∂γ += Σ_rows ∂L/∂y ⊙ x̂`, `∂L/∂β += Σ_rows ∂L/∂y`.
/// - Complexity: O(n·width).
public struct LayerNorm: Sendable {
    public let width: Int
    public let epsilon: Double
    public let gain: Parameter
    public let shift: Parameter

    /// What backward needs from forward: x̂ and s per row.
    public struct Cache<T: LearningScalar>: Sendable {
        public var normalized: Matrix<T>
        public var inverseStd: [T]
    }

    /// Adds `name.weight` (γ, ones) and `name.bias` (β, zeros).
    public init<T>(_ name: String, width: Int, epsilon: Double = 1e-5, store: inout ParameterStore<T>,
                   rng: inout SeededGenerator) {
        self.width = width
        self.epsilon = epsilon
        gain = store.add("\(name).weight", shape: [width], initializer: .ones, decays: false, rng: &rng)
        shift = store.add("\(name).bias", shape: [width], initializer: .zeros, decays: false, rng: &rng)
    }

    public func forward<T>(_ x: Matrix<T>, parameters p: UnsafeBufferPointer<T>) -> (Matrix<T>, Cache<T>) {
        precondition(x.cols == width, "LayerNorm: input has \(x.cols) columns, expected \(width)")
        var y = Matrix<T>(rows: x.rows, cols: width)
        var xhat = Matrix<T>(rows: x.rows, cols: width)
        var inv = [T](repeating: 0, count: x.rows)
        let g = p.baseAddress! + gain.offset, b = p.baseAddress! + shift.offset
        let n = T(width)
        x.values.withUnsafeBufferPointer { xv in
            xhat.values.withUnsafeMutableBufferPointer { h in
                y.values.withUnsafeMutableBufferPointer { yv in
                    for r in 0..<x.rows {
                        let o = r * width
                        var mean: T = 0
                        for j in 0..<width { mean += xv[o + j] }
                        mean /= n
                        var variance: T = 0
                        for j in 0..<width { let c = xv[o + j] - mean; variance += c * c }
                        variance /= n
                        let s = 1 / T.sqrt(variance + T(epsilon))
                        inv[r] = s
                        for j in 0..<width {
                            let v = (xv[o + j] - mean) * s
                            h[o + j] = v
                            yv[o + j] = g[j] * v + b[j]
                        }
                    }
                }
            }
        }
        return (y, Cache(normalized: xhat, inverseStd: inv))
    }

    public func backward<T>(_ cache: Cache<T>, outputGradient gy: Matrix<T>, parameters p: UnsafeBufferPointer<T>,
                            gradients grads: UnsafeMutableBufferPointer<T>) -> Matrix<T> {
        let rows = cache.normalized.rows
        precondition(gy.rows == rows && gy.cols == width, "LayerNorm: gradient shape mismatch")
        var gx = Matrix<T>(rows: rows, cols: width)
        let g = p.baseAddress! + gain.offset
        let dg = grads.baseAddress! + gain.offset, db = grads.baseAddress! + shift.offset
        let n = T(width)
        cache.normalized.values.withUnsafeBufferPointer { h in
            gy.values.withUnsafeBufferPointer { d in
                gx.values.withUnsafeMutableBufferPointer { out in
                    for r in 0..<rows {
                        let o = r * width
                        var meanG: T = 0, meanGH: T = 0
                        for j in 0..<width {
                            let gh = d[o + j] * g[j]
                            meanG += gh
                            meanGH += gh * h[o + j]
                            dg[j] += d[o + j] * h[o + j]
                            db[j] += d[o + j]
                        }
                        meanG /= n
                        meanGH /= n
                        let s = cache.inverseStd[r]
                        for j in 0..<width {
                            out[o + j] = s * (d[o + j] * g[j] - meanG - h[o + j] * meanGH)
                        }
                    }
                }
            }
        }
        return gx
    }
}

/// Scales each row to unit Euclidean length: `y = x / ‖x‖` (a zero row stays zero).
///
/// Backward: `∂L/∂x = (∂L/∂y − y·(yᵀ ∂L/∂y)) / ‖x‖` (zero for a zero row). Profiles are scored
/// by cosine, so the losses see the direction only when this layer is on.
public enum L2Normalize {
    public static func forward<T: LearningScalar>(_ x: Matrix<T>) -> (Matrix<T>, norms: [T]) {
        var y = x
        var norms = [T](repeating: 0, count: x.rows)
        y.values.withUnsafeMutableBufferPointer { v in
            for r in 0..<x.rows {
                let o = r * x.cols
                var s: T = 0
                for j in 0..<x.cols { s += v[o + j] * v[o + j] }
                let n = T.sqrt(s)
                norms[r] = n
                if n > 0 { for j in 0..<x.cols { v[o + j] /= n } }
            }
        }
        return (y, norms)
    }

    public static func backward<T: LearningScalar>(output y: Matrix<T>, norms: [T], outputGradient gy: Matrix<T>) -> Matrix<T> {
        var gx = gy
        y.values.withUnsafeBufferPointer { yv in
            gx.values.withUnsafeMutableBufferPointer { g in
                for r in 0..<y.rows {
                    let o = r * y.cols
                    guard norms[r] > 0 else {
                        for j in 0..<y.cols { g[o + j] = 0 }
                        continue
                    }
                    var dot: T = 0
                    for j in 0..<y.cols { dot += yv[o + j] * g[o + j] }
                    let inv = 1 / norms[r]
                    for j in 0..<y.cols { g[o + j] = (g[o + j] - yv[o + j] * dot) * inv }
                }
            }
        }
        return gx
    }
}
