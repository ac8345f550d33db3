import LinearAlgebra
import Statistics

/// Training throughput of the `attention` model on synthetic data of a given size (by default
/// Amazon Beauty's: 22,363 users, 12,101 items, 384-d vectors, ~9 events a user, holdout
/// 0.6/0.2/0.2 so each user shows its first n − 1 events), for a `bench train` line.
///
/// Reports examples/s and events/s (sequence entries/s) of the training loop, the flops and
/// time of its matrix products (counted at each gemm call), their achieved GFLOP/s, and the
/// rate of one large sgemm measured in the same process — the ceiling the training loop's
/// products are compared with.
public enum TrainingBenchmark {
    public struct Configuration: Sendable {
        public var users = 22_363
        public var items = 12_101
        public var dim = 384
        public var eventsPerUser = 9
        /// Events of each user the trainer sees (holdout: n − n_test with test 0.2 and n = 9 → 8).
        public var visiblePerUser = 8
        public var window = 50
        public var batchSize = 256
        public var negatives = 1024
        public var epochs = 1
        public var learningRate = 1e-3
        public var seed: UInt64 = 42
        public init() {}
    }

    public struct Result: Sendable {
        public var examples: Int
        public var events: Int
        public var seconds: Double
        public var examplesPerSecond: Double
        public var eventsPerSecond: Double
        public var gemmGFlop: Double
        public var gemmSeconds: Double
        /// GFLOP/s inside the training loop's gemm calls.
        public var gemmRate: Double
        /// gemm flops over the whole training time.
        public var overallRate: Double
        /// sgemm GFLOP/s of a 2048 × 2048 × d product in this process (the better of the
        /// measurements just before and just after training).
        public var sgemmReference: Double
        public var threads: Int
        public var trainLoss: Double
        /// ``ParameterStore/fingerprint()`` of the trained weights: two runs with the same
        /// configuration and thread count print the same value.
        public var weights: UInt64

        /// One line for `bench train`.
        public var line: String {
            func f(_ x: Double, _ digits: Int = 1) -> String {
                var s = "\((x * pow(10, Double(digits))).rounded() / pow(10, Double(digits)))"
                if s.hasSuffix(".0") && digits == 0 { s.removeLast(2) }
                return s
            }
            return "train bench: attention, \(examples) examples, \(events) events in \(f(seconds, 2)) s: "
                + "\(f(examplesPerSecond, 0)) examples/s, \(f(eventsPerSecond, 0)) events/s; gemm \(f(gemmGFlop)) GFLOP in \(f(gemmSeconds, 2)) s "
                + "= \(f(gemmRate)) GFLOP/s (\(f(100 * gemmRate / sgemmReference))% of sgemm's \(f(sgemmReference)) GFLOP/s), "
                + "\(f(100 * overallRate / sgemmReference))% over the whole loop; \(threads) BLAS threads; "
                + "weights fingerprint \(String(weights, radix: 16))"
        }
    }

    public static func run(_ c: Configuration = Configuration()) throws -> Result {
        var rng = SeededGenerator(seed: c.seed)
        var table = Matrix<Float>(rows: c.items, cols: c.dim)
        for r in 0..<c.items {
            var s = 0.0
            for k in 0..<c.dim {
                let v = 2 * rng.nextDouble() - 1
                table.values[r * c.dim + k] = Float(v)
                s += v * v
            }
            let inv = Float(1 / s.squareRoot())
            for k in 0..<c.dim { table.values[r * c.dim + k] *= inv }
        }
        var corpus = SequenceCorpus()
        for _ in 0..<c.users {
            let n = min(c.visiblePerUser, c.eventsPerUser)
            try corpus.addUser(items: (0..<n).map { _ in rng.uniformIndex(c.items) }, times: (0..<n).map { Int64($0) * 86_400 })
        }
        var model = try AttentionProfileModel<Float>(.init(dim: c.dim, window: c.window))
        let trainer = Trainer(.init(epochs: c.epochs, batchSize: c.batchSize, learningRate: c.learningRate,
                                    loss: ProfileLoss(kind: .sampled(negatives: c.negatives, proposal: .uniform)), seed: c.seed))
        let examples = corpus.allNextItemExamples(users: Array(0..<c.users))

        let reference = sgemmRate(m: 2048, n: 2048, k: c.dim)
        GemmMeter.flops = 0
        GemmMeter.nanoseconds = 0
        GemmMeter.enabled = true
        defer { GemmMeter.enabled = false }
        let report = try trainer.train(&model, corpus: corpus, items: table, training: examples)
        GemmMeter.enabled = false
        // The machine may be shared: the ceiling is the better of the rates before and after.
        let referenceAfter = sgemmRate(m: 2048, n: 2048, k: c.dim)
        let seconds = report.epochs.map(\.seconds).reduce(0, +)
        let events = report.epochs.map(\.events).reduce(0, +)
        let n = report.epochs.map(\.examples).reduce(0, +)
        let gemmSeconds = Double(GemmMeter.nanoseconds) * 1e-9
        return Result(examples: n, events: events, seconds: seconds, examplesPerSecond: Double(n) / seconds,
                      eventsPerSecond: Double(events) / seconds, gemmGFlop: GemmMeter.flops * 1e-9, gemmSeconds: gemmSeconds,
                      gemmRate: GemmMeter.flops * 1e-9 / gemmSeconds, overallRate: GemmMeter.flops * 1e-9 / seconds,
                      sgemmReference: max(reference, referenceAfter), threads: BLAS.threads, trainLoss: report.epochs.last?.trainLoss ?? .nan,
                      weights: model.parameters.fingerprint())
    }

    /// GFLOP/s of `C = A·Bᵀ` (m × k times (n × k)ᵀ), the best of 5 after a warm-up.
    public static func sgemmRate(m: Int, n: Int, k: Int) -> Double {
        var rng = SeededGenerator(seed: 1)
        let a: [Float] = (0..<(m * k)).map { _ in Float(rng.nextDouble() - 0.5) }
        let b: [Float] = (0..<(n * k)).map { _ in Float(rng.nextDouble() - 0.5) }
        var out = [Float](repeating: 0, count: m * n)
        var best = Double.infinity
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { cp in
                    for i in 0..<6 {
                        let t0 = GemmMeter.now()
                        BLAS.sgemm(transB: true, m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: k,
                                   c: cp.baseAddress!, ldc: n)
                        let t = Double(GemmMeter.now() - t0) * 1e-9
                        if i > 0 { best = min(best, t) }
                    }
                }
            }
        }
        return 2 * Double(m) * Double(n) * Double(k) / best * 1e-9
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
