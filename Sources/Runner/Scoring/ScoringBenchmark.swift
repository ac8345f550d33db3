import Foundation
import LinearAlgebra
import Statistics

/// Full-catalogue scoring throughput (sgemm + masking + top-K, ``ScoringEngine/rankProfiles(_:count:)``)
/// against the rate of the same-shaped sgemm alone, measured in the same process, for `bench scoring`.
///
/// Items and profiles are seeded Gaussian vectors (seed 7), L2-normalised; each profile has one
/// seen item masked. The flop count is 2 · users · items · dim per pass.
///
/// The benchmarks are a `bench` subcommand rather than an ordo-one/benchmark target: each one
/// reports a ratio to a reference measured in the same run (raw sgemm here, sentence-transformers
/// or pandas in a Python process elsewhere), which that package's harness does not time, and the
/// subcommand runs from the release binary users already build, with no extra toolchain step.
public enum ScoringBenchmark {
    public struct Configuration: Sendable {
        /// Catalogue size (default 50,000).
        public var items = 50_000
        /// Embedding dimension (default 384).
        public var dim = 384
        /// Profiles scored per pass (default 20,000).
        public var users = 20_000
        /// Top-K (default 10).
        public var k = 10
        /// Timed passes of each kind; the median is reported (default 3; fewer than 1 counts as 1).
        public var repeats = 3
        public init() {}
    }

    public struct Result: Sendable {
        public var configuration: Configuration
        /// Passes timed of each kind.
        public var repeats: Int
        public var threads: Int
        /// Median seconds of the sgemm alone over every profile.
        public var sgemmSeconds: Double
        /// Median seconds of the engine's scoring (sgemm + mask + top-K) over every profile.
        public var scoringSeconds: Double
        /// 2 · users · items · dim.
        public var flops: Double

        public var sgemmRate: Double { flops / sgemmSeconds / 1e9 }
        public var scoringRate: Double { flops / scoringSeconds / 1e9 }
        public var usersPerSecond: Double { Double(configuration.users) / scoringSeconds }
        /// Scoring's rate as a share of the sgemm rate, in percent.
        public var shareOfSgemm: Double { 100 * sgemmSeconds / scoringSeconds }

        /// The lines `bench scoring` prints.
        public var line: String {
            let c = configuration
            return ["scoring bench: \(c.users) profiles × \(c.items) items × \(c.dim) dims, top-\(c.k), \(threads) BLAS threads, median of \(repeats)",
                    String(format: "  sgemm alone:        %.3f s  %.1f GFLOP/s", sgemmSeconds, sgemmRate),
                    String(format: "  scoring (sgemm + mask + top-K): %.3f s  %.1f GFLOP/s  %.0f users/s", scoringSeconds, scoringRate, usersPerSecond),
                    String(format: "  share of sgemm rate: %.1f%%", shareOfSgemm)].joined(separator: "\n")
        }
    }

    /// Builds the data, times the sgemm alone and then the engine, `repeats` times each.
    ///
    /// - Complexity: O(repeats · users · items · dim).
    public static func run(_ c: Configuration) -> Result {
        let users = c.users, items = c.items, dim = c.dim
        let repeats = max(c.repeats, 1)
        var rng = SeededGenerator(seed: 7)
        var E = ItemSpace(rows: items, dim: dim, values: (0..<(items * dim)).map { _ in Float(rng.nextGaussian()) })
        E.normalizeRows()
        var P = ItemSpace(rows: users, dim: dim, values: (0..<(users * dim)).map { _ in Float(rng.nextGaussian()) })
        P.normalizeRows()
        let seen = (0..<users).map { _ in Int32(rng.uniformIndex(items)) }
        let engine = ScoringEngine.forBenchmark(items: E, seenItems: seen, k: c.k)
        let block = engine.vectorBlock
        // Reference: the same-shaped sgemm the engine issues, alone.
        var C = [Float](repeating: 0, count: block * items)
        var sgemmTimes: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            var done = 0
            while done < users {
                let m = min(block, users - done)
                P.values.withUnsafeBufferPointer { a in E.values.withUnsafeBufferPointer { b in C.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(transB: true, m: m, n: items, k: dim, a: a.baseAddress! + done * dim, lda: dim,
                               b: b.baseAddress!, ldb: dim, c: c.baseAddress!, ldc: items)
                } } }
                done += m
            }
            sgemmTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        var scoreTimes: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = engine.rankProfiles(P.values, count: users)
            scoreTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return Result(configuration: c, repeats: repeats, threads: BLAS.threads, sgemmSeconds: median(sgemmTimes),
                      scoringSeconds: median(scoreTimes), flops: 2.0 * Double(users) * Double(items) * Double(dim))
    }
}
