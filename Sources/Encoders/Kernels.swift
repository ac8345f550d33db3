import Dispatch
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
    ///
    /// erf is the rational approximation `x·P(x²)/Q(x²)` on x clamped to [−4, 4] (the float32
    /// erf of Eigen and XLA): max abs error 4.5e-7 against the exact erf, so GELU is within
    /// 1e-6 of the exact value; unlike libm's `erff` the loop vectorises.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let buffer = UnsafeMutableBufferPointer(start: x, count: count)
        let invSqrt2: Float = 0.70710678118654752440
        for i in 0..<count {
            let v = buffer[i]
            buffer[i] = 0.5 * v * (1 + erf32(v * invSqrt2))
        }
    }

    /// erf(x) to 4.5e-7 absolute (see `gelu`).
    @inline(__always)
    static func erf32(_ x: Float) -> Float {
        let c = min(max(x, -4), 4)
        let x2 = c * c
        var p: Float = -2.72614225801306e-10
        p = p * x2 + 2.77068142495902e-08
        p = p * x2 - 2.10102402082508e-06
        p = p * x2 - 5.69250639462346e-05
        p = p * x2 - 7.34990630326855e-04
        p = p * x2 - 2.95459980854025e-03
        p = p * x2 - 1.60960333262415e-02
        var q: Float = -1.45660718464996e-05
        q = q * x2 - 2.13374055278905e-04
        q = q * x2 - 1.68282697438203e-03
        q = q * x2 - 7.37332916720468e-03
        q = q * x2 - 1.42647390514189e-02
        return c * p / q
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

/// Runs `body` over `0..<count` split into at most `Parallel.workers` contiguous ranges, on
/// that many threads (the element-wise work between two sgemm calls would otherwise leave the
/// second core idle). Small counts run inline.
enum Parallel {
    static let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

    static func chunks(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = min(workers, count / max(1, minimumChunk))
        if parts <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        workers(parts) { part in body((count * part / parts)..<(count * (part + 1) / parts)) }
    }

    /// Runs `body(0)`, …, `body(count − 1)` concurrently and returns when all are done. The
    /// callers hand each worker disjoint rows of the same buffers, which is why the body may
    /// capture unsafe pointers (not `Sendable`).
    static func workers(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 {
            if count == 1 { body(0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: count) { work($0) }
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
