/// Elementwise activations. Backward takes the forward input `x` and `∂L/∂y`, returns `∂L/∂x`.
public enum Activation: String, Sendable, CaseIterable {
    /// max(0, x); the derivative at 0 is taken as 0.
    case relu
    /// GELU, tanh approximation (Hendrycks & Gimpel 2016, eq. in §2; PyTorch
    /// `gelu(approximate="tanh")`): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    case gelu

    public func forward<T: LearningScalar>(_ x: Matrix<T>) -> Matrix<T> {
        var y = x
        y.values.withUnsafeMutableBufferPointer { v in
            switch self {
            case .relu: for i in 0..<v.count where v[i] < 0 { v[i] = 0 }
            case .gelu: for i in 0..<v.count { v[i] = Activation.gelu(v[i]) }
            }
        }
        return y
    }

    public func backward<T: LearningScalar>(_ x: Matrix<T>, outputGradient gy: Matrix<T>) -> Matrix<T> {
        precondition(x.rows == gy.rows && x.cols == gy.cols, "Activation: gradient shape mismatch")
        var gx = gy
        x.values.withUnsafeBufferPointer { xv in
            gx.values.withUnsafeMutableBufferPointer { g in
                switch self {
                case .relu: for i in 0..<g.count where !(xv[i] > 0) { g[i] = 0 }
                case .gelu: for i in 0..<g.count { g[i] *= Activation.geluDerivative(xv[i]) }
                }
            }
        }
        return gx
    }

    static let geluC: Double = (2 / Double.pi).squareRoot()

    static func gelu<T: LearningScalar>(_ x: T) -> T {
        let c = T(geluC)
        return x * (1 + T.tanh(c * (x + T(0.044715) * x * x * x))) / 2
    }

    /// d/dx of ``gelu(_:)``: ½(1 + t) + ½·x·(1 − t²)·c·(1 + 3·0.044715·x²), t = tanh(c(x + 0.044715x³)).
    static func geluDerivative<T: LearningScalar>(_ x: T) -> T {
        let c = T(geluC)
        let t = T.tanh(c * (x + T(0.044715) * x * x * x))
        return (1 + t) / 2 + x * (1 - t * t) * c * (1 + 3 * T(0.044715) * x * x) / 2
    }
}
