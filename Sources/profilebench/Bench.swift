import ArgumentParser
import Encoders
import Foundation
import ModelCatalog
import Runner

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

    func validate() throws {
        try requireAtLeast([("items", items, 1), ("dim", dim, 1), ("users", users, 1), ("k", k, 1), ("repeats", repeats, 1)])
        guard k <= items else { throw ValidationError("--k must be at most --items (got \(k) > \(items))") }
    }

    func run() throws {
        try reportingErrors {
            var c = ScoringBenchmark.Configuration()
            c.items = items
            c.dim = dim
            c.users = users
            c.k = k
            c.repeats = repeats
            print(ScoringBenchmark.run(c).line)
        }
    }
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

    /// The --encoder value as a built-in model.
    var model: BuiltinModel {
        get throws {
            guard let model = BuiltinModel(rawValue: encoder) else {
                throw ValidationError("--encoder must be \(BuiltinModel.names(joinedBy: "or")) (got \(encoder))")
            }
            return model
        }
    }

    func validate() throws {
        _ = try model
    }

    func run() throws {
        try reportingErrors {
            let model = try model
            guard let text = try? String(contentsOfFile: texts, encoding: .utf8) else {
                throw ValidationError("--texts: cannot read \(texts) as UTF-8 text")
            }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            if let limit { lines = Array(lines.prefix(limit)) }
            guard !lines.isEmpty else { throw ValidationError("--texts: \(texts) holds no text") }
            let result = try EncoderBenchmark.run(model: model, directory: defaultModelDirectory(for: model), layers: layers,
                                                  batchSize: batch, texts: lines)
            print(result.line)
        }
    }
}
