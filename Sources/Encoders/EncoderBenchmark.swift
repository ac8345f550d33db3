import Foundation
import LinearAlgebra
import ModelCatalog
import Statistics

/// Native encoder throughput on a list of texts, with the share of the sgemm rate measured in
/// the same process, for `bench encode`.
///
/// The matrix-product work counted is, per layer, 24·h² flops a token (QKV, attention output,
/// FFN) and 4·h·n² a text of n tokens (attention scores and mixing). The sgemm reference is an
/// FFN-shaped product, 1024 × h × 4h, the median of 7 measurements of 4 calls each.
public enum EncoderBenchmark {
    public struct Result: Sendable {
        public var model: BuiltinModel
        public var layers: Int
        public var dimension: Int
        public var batchSize: Int
        public var threads: Int
        /// Seconds to load the weights.
        public var loadSeconds: Double
        public var texts: Int
        /// WordPiece tokens of every text, [CLS] and [SEP] included.
        public var tokens: Int
        /// Seconds to encode every text (after a warm-up batch of up to 64 texts).
        public var seconds: Double
        /// Matrix-product flops of the encoding, counted as above.
        public var flops: Double
        /// GFLOP/s of the FFN-shaped sgemm alone.
        public var sgemmRate: Double

        /// GFLOP/s the encoding reaches in matrix products.
        public var rate: Double { flops / seconds / 1e9 }

        /// The lines `bench encode` prints.
        public var line: String {
            ["encode bench: \(model.rawValue), \(layers) layers, dim \(dimension), batch \(batchSize), \(threads) BLAS threads; load \(String(format: "%.2f", loadSeconds)) s",
             String(format: "  %d texts, %d tokens in %.2f s: %.1f texts/s, %.0f tokens/s", texts, tokens, seconds, Double(texts) / seconds, Double(tokens) / seconds),
             String(format: "  %.1f GFLOP/s in matrix products = %.0f%% of the %.1f GFLOP/s sgemm rate measured here", rate, 100 * rate / sgemmRate, sgemmRate)]
                .joined(separator: "\n")
        }
    }

    /// Loads `model` from `directory` (its first `layers` blocks when given), encodes `texts`
    /// in batches of `batchSize` and measures the sgemm reference.
    ///
    /// - Throws: what loading the weights (``SentenceEncoder/init(model:directory:layers:)``) or encoding throws.
    public static func run(model: BuiltinModel, directory: String, layers: Int?, batchSize: Int, texts: [String]) throws -> Result {
        var t0 = DispatchTime.now().uptimeNanoseconds
        let enc = try SentenceEncoder(model: model, directory: directory, layers: layers)
        let load = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let lengths = texts.map { enc.tokenize($0).count }
        let tokens = lengths.reduce(0, +)
        _ = try enc.encode(Array(texts.prefix(64)), batchSize: batchSize)   // warm-up
        t0 = DispatchTime.now().uptimeNanoseconds
        _ = try enc.encode(texts, batchSize: batchSize)
        let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let h = Double(enc.dimension), L = Double(enc.layers)
        let flops = lengths.reduce(0.0) { $0 + L * (24 * h * h * Double($1) + 4 * h * Double($1 * $1)) }
        return Result(model: model, layers: enc.layers, dimension: enc.dimension, batchSize: batchSize, threads: BLAS.threads,
                      loadSeconds: load, texts: texts.count, tokens: tokens, seconds: secs, flops: flops,
                      sgemmRate: sgemmRate(hidden: enc.dimension))
    }

    /// GFLOP/s of a (1024 tokens) × h × 4h sgemm, the FFN's shape: the median of 7 measurements of 4 calls.
    static func sgemmRate(hidden: Int) -> Double {
        let m = 1024, n = 4 * hidden, k = hidden
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        var times: [Double] = []
        for _ in 0..<7 {
            let s = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<4 {
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    BLAS.sgemm(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
                } } }
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - s) / 1e9 / 4)
        }
        return 2.0 * Double(m * n * k) / median(times) / 1e9
    }
}
