import Foundation
import LinearAlgebra

/// A dense layer in PyTorch's layout: `y = x · Wᵀ + b`, W is `outputs × inputs`, row-major.
struct Linear {
    let weight: UnsafePointer<Float>
    let bias: UnsafePointer<Float>
    let inputs: Int
    let outputs: Int

    /// `y[rows × outputs] = x[rows × inputs] · Wᵀ + b`, one sgemm over all rows.
    /// - Complexity: 2·rows·inputs·outputs flops.
    func apply(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { (y + r * outputs).update(from: bias, count: outputs) }
        BLAS.sgemm(transA: false, transB: true, m: rows, n: outputs, k: inputs, alpha: 1,
                   a: x, lda: inputs, b: weight, ldb: inputs, beta: 1, c: y, ldc: outputs)
    }
}

/// Layer normalisation over the last axis: `γ · (x − mean) / √(var + ε) + β`, biased variance
/// (as `torch.nn.LayerNorm`).
struct LayerNorm {
    let gamma: UnsafePointer<Float>
    let beta: UnsafePointer<Float>
    let count: Int
    let eps: Float

    /// `x ← LayerNorm(x + residual)` for each of `rows` rows (post-LN residual block).
    func apply(_ x: UnsafeMutablePointer<Float>, adding residual: UnsafePointer<Float>?, rows: Int) {
        let n = count
        for r in 0..<rows {
            let row = UnsafeMutableBufferPointer(start: x + r * n, count: n)
            if let residual {
                let res = residual + r * n
                for i in 0..<n { row[i] += res[i] }
            }
            var sum: Float = 0
            for i in 0..<n { sum += row[i] }
            let mean = sum / Float(n)
            var squares: Float = 0
            for i in 0..<n { let d = row[i] - mean; squares += d * d }
            let inv = 1 / (squares / Float(n) + eps).squareRoot()
            for i in 0..<n { row[i] = (row[i] - mean) * inv * gamma[i] + beta[i] }
        }
    }
}

enum Kernels {
    /// GELU, erf form (PyTorch `gelu`, Hugging Face `hidden_act: "gelu"`): `x · ½(1 + erf(x/√2))`, in place.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let buffer = UnsafeMutableBufferPointer(start: x, count: count)
        let invSqrt2: Float = 0.70710678118654752440
        for i in 0..<count {
            let v = buffer[i]
            buffer[i] = 0.5 * v * (1 + erf(v * invSqrt2))
        }
    }

    /// Row-wise softmax of a `rows × cols` matrix, in place (max subtracted first).
    static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        for r in 0..<rows {
            let row = UnsafeMutableBufferPointer(start: x + r * cols, count: cols)
            var m = -Float.infinity
            for i in 0..<cols where row[i] > m { m = row[i] }
            var sum: Float = 0
            for i in 0..<cols { let e = exp(row[i] - m); row[i] = e; sum += e }
            let inv = 1 / sum
            for i in 0..<cols { row[i] *= inv }
        }
    }
}

/// Memory for weights the model rearranges (the fused QKV matrices); freed with the model.
final class FloatArena {
    private var blocks: [UnsafeMutableBufferPointer<Float>] = []

    func allocate(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        let block = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        block.initialize(repeating: 0)
        blocks.append(block)
        return block
    }

    deinit {
        for block in blocks { block.deallocate() }
    }
}
