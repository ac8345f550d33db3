import ArgumentParser
import Foundation
import LinearAlgebra
import Runner
import Statistics

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput against references measured in the same process.",
        subcommands: [BenchScoring.self, BenchImport.self])
}

struct BenchScoring: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scoring",
        abstract: "Full-catalogue scoring (sgemm + masking + top-K) against the raw sgemm rate, same process.")

    @Option(help: "Catalogue size.") var items: Int = 50_000
    @Option(help: "Embedding dimension.") var dim: Int = 384
    @Option(help: "Profiles to score.") var users: Int = 20_000
    @Option(help: "Top-K.") var k: Int = 10
    @Option(help: "Repetitions (the median is reported).") var repeats: Int = 3

    func run() throws {
        try reportingErrors {
            var rng = SeededGenerator(seed: 7)
            var E = ItemSpace(rows: items, dim: dim, values: (0..<(items * dim)).map { _ in Float(rng.nextGaussian()) })
            E.normalizeRows()
            var P = ItemSpace(rows: users, dim: dim, values: (0..<(users * dim)).map { _ in Float(rng.nextGaussian()) })
            P.normalizeRows()
            let seen = (0..<users).map { _ in Int32(rng.uniformIndex(items)) }
            let engine = ScoringEngine.forBenchmark(items: E, seenItems: seen, k: k)
            let block = engine.vectorBlock
            // Reference: the same-shaped sgemm the engine issues, alone.
            var C = [Float](repeating: 0, count: block * items)
            var sgemmTimes: [Double] = []
            for _ in 0..<max(repeats, 1) {
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
            for _ in 0..<max(repeats, 1) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = engine.rankProfiles(P.values, count: users)
                scoreTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            let flops = 2.0 * Double(users) * Double(items) * Double(dim)
            let sg = median(sgemmTimes), sc = median(scoreTimes)
            print("scoring bench: \(users) profiles × \(items) items × \(dim) dims, top-\(k), \(BLAS.threads) BLAS threads, median of \(max(repeats, 1))")
            print(String(format: "  sgemm alone:        %.3f s  %.1f GFLOP/s", sg, flops / sg / 1e9))
            print(String(format: "  scoring (sgemm + mask + top-K): %.3f s  %.1f GFLOP/s  %.0f users/s", sc, flops / sc / 1e9, Double(users) / sc))
            print(String(format: "  share of sgemm rate: %.1f%%", 100 * sg / sc))
        }
    }
}

func median(_ x: [Double]) -> Double {
    let s = x.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
