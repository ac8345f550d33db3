import Statistics

/// An affine layer `Y = X·W + b` on a batch of rows: `X` `n × in`, `W` `in × out` (row-major),
/// `b` `out` (optional).
///
/// Backward, for an upstream gradient `G = ∂L/∂Y`:
/// `∂L/∂W += Xᵀ·G`, `∂L/∂b += Σ_rows G`, `∂L/∂X = G·Wᵀ` — three sgemm calls and one column sum
/// in row order.
/// - Complexity: 2·n·in·out flops forward, 4·n·in·out backward.
public struct Dense: Sendable {
    public let inputs: Int
    public let outputs: Int
    public let weight: Parameter
    public let bias: Parameter?

    /// Adds `name.weight` (`[in, out]`, Xavier-uniform unless `initializer` says otherwise) and,
    /// with `bias`, `name.bias` (`[out]`, zeros) to `store`.
    public init<T>(_ name: String, inputs: Int, outputs: Int, bias: Bool = true, initializer: Initializer? = nil,
                   store: inout ParameterStore<T>, rng: inout SeededGenerator) {
        self.inputs = inputs
        self.outputs = outputs
        weight = store.add("\(name).weight", shape: [inputs, outputs],
                           initializer: initializer ?? .xavierUniform(fanIn: inputs, fanOut: outputs),
                           decays: true, rng: &rng)
        self.bias = bias ? store.add("\(name).bias", shape: [outputs], initializer: .zeros, decays: false, rng: &rng) : nil
    }

    public func forward<T>(_ x: Matrix<T>, parameters p: UnsafeBufferPointer<T>) -> Matrix<T> {
        precondition(x.cols == inputs, "Dense: input has \(x.cols) columns, expected \(inputs)")
        var y = Matrix<T>(rows: x.rows, cols: outputs)
        let pw = p.baseAddress! + weight.offset
        x.values.withUnsafeBufferPointer { xp in
            y.values.withUnsafeMutableBufferPointer { yp in
                matmul(xp.baseAddress, x.rows, inputs, pw, outputs, into: yp.baseAddress)
                if let bias {
                    let b = p.baseAddress! + bias.offset
                    for i in 0..<x.rows {
                        let row = yp.baseAddress! + i * outputs
                        for j in 0..<outputs { row[j] += b[j] }
                    }
                }
            }
        }
        return y
    }

    /// Accumulates the parameter gradients of `G = ∂L/∂Y` at input `x` into `g`; returns ∂L/∂X
    /// (skipped, an empty matrix, when `needInputGradient` is false).
    public func backward<T>(_ x: Matrix<T>, outputGradient gy: Matrix<T>, parameters p: UnsafeBufferPointer<T>,
                            gradients g: UnsafeMutableBufferPointer<T>, needInputGradient: Bool = true) -> Matrix<T> {
        precondition(gy.rows == x.rows && gy.cols == outputs, "Dense: gradient shape \(gy.rows)×\(gy.cols), expected \(x.rows)×\(outputs)")
        var gx = Matrix<T>(rows: needInputGradient ? x.rows : 0, cols: inputs)
        x.values.withUnsafeBufferPointer { xp in
            gy.values.withUnsafeBufferPointer { gp in
                // ∂W += Xᵀ G: (in × n)·(n × out)
                matmul(xp.baseAddress, inputs, x.rows, gp.baseAddress, outputs, transA: true,
                       into: g.baseAddress! + weight.offset, accumulate: true)
                if let bias {
                    let gb = g.baseAddress! + bias.offset
                    for i in 0..<x.rows {
                        let row = gp.baseAddress! + i * outputs
                        for j in 0..<outputs { gb[j] += row[j] }
                    }
                }
                if needInputGradient {
                    gx.values.withUnsafeMutableBufferPointer { gxp in
                        // ∂X = G Wᵀ: (n × out)·(out × in)
                        matmul(gp.baseAddress, x.rows, outputs, p.baseAddress! + weight.offset, inputs, transB: true,
                               into: gxp.baseAddress)
                    }
                }
            }
        }
        return gx
    }
}
