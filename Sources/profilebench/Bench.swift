import ArgumentParser
import Encoders
import Foundation
import LinearAlgebra
import ModelCatalog
import Runner
import Statistics

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput against references measured in the same process.",
        subcommands: [BenchScoring.self, BenchEncode.self, BenchImport.self, BenchTrain.self])
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

struct BenchEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Native encoder throughput on a file of texts, with the share of the sgemm rate measured in the same process.")

    @Option(help: "\(BuiltinModel.names(joinedBy: "or")).") var encoder: String
    @Option(help: "A file with one text per line.") var texts: String
    @Option(help: "Use only the first n layers.") var layers: Int?
    @Option(help: "Texts per batch.") var batch: Int = 32
    @Option(help: "Use at most this many texts.") var limit: Int?

    func run() throws {
        try reportingErrors {
            guard let model = BuiltinModel(rawValue: encoder) else {
                throw ValidationError("--encoder must be \(BuiltinModel.names(joinedBy: "or")) (got \(encoder))")
            }
            guard let text = try? String(contentsOfFile: texts, encoding: .utf8) else {
                throw ValidationError("--texts: cannot read \(texts) as UTF-8 text")
            }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            if let limit { lines = Array(lines.prefix(limit)) }
            guard !lines.isEmpty else { throw ValidationError("--texts: \(texts) holds no text") }
            var t0 = DispatchTime.now().uptimeNanoseconds
            let enc = try SentenceEncoder(model: model, directory: defaultModelDirectory(for: model), layers: layers)
            let load = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let lengths = lines.map { enc.tokenize($0).count }
            let tokens = lengths.reduce(0, +)
            _ = try enc.encode(Array(lines.prefix(64)), batchSize: batch)   // warm-up
            t0 = DispatchTime.now().uptimeNanoseconds
            _ = try enc.encode(lines, batchSize: batch)
            let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            // Matrix-product work: per token and layer 24·h² (QKV, output, FFN), per text and layer 4·h·n² (attention).
            let h = Double(enc.dimension), L = Double(enc.layers)
            let flops = lengths.reduce(0.0) { $0 + L * (24 * h * h * Double($1) + 4 * h * Double($1 * $1)) }
            // sgemm alone, FFN-shaped: (batch tokens) × h × 4h.
            let m = 1024, n = 4 * enc.dimension, k = enc.dimension
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
            let sgemmRate = 2.0 * Double(m * n * k) / median(times) / 1e9
            print("encode bench: \(model.rawValue), \(enc.layers) layers, dim \(enc.dimension), batch \(batch), \(BLAS.threads) BLAS threads; load \(String(format: "%.2f", load)) s")
            print(String(format: "  %d texts, %d tokens in %.2f s: %.1f texts/s, %.0f tokens/s", lines.count, tokens, secs, Double(lines.count) / secs, Double(tokens) / secs))
            print(String(format: "  %.1f GFLOP/s in matrix products = %.0f%% of the %.1f GFLOP/s sgemm rate measured here", flops / secs / 1e9, 100 * flops / secs / 1e9 / sgemmRate, sgemmRate))
        }
    }
}
