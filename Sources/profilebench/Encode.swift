import ArgumentParser
import Datasets
import Embeddings
import Experiments
import Foundation
import ModelCatalog
import Runner

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute item embeddings with a built-in encoder and store them in the dataset.")

    @Option(help: "The HDF5 dataset (updated atomically).") var dataset: String
    @Option(help: "Encoder: hash-<d>, \(BuiltinModel.names(joinedBy: "or")).") var encoder: String
    @Option(help: "Use only the first n transformer layers.") var layers: Int?
    @Option(help: "Text template over item fields, e.g. \"{title} | {category}\".") var template: String?
    @Option(help: "Texts per batch (transformer encoders).") var batch: Int = 32

    func validate() throws {
        if let layers {
            guard let full = BuiltinModel(rawValue: encoder)?.layers else {
                throw ValidationError("--layers applies only to \(BuiltinModel.names(joinedBy: "and")) (got \(encoder))")
            }
            guard (1...full).contains(layers) else { throw ValidationError("--layers must be between 1 and \(full) for \(encoder) (got \(layers))") }
        }
        guard batch >= 1 else { throw ValidationError("--batch must be >= 1 (got \(batch))") }
    }

    func run() throws {
        try reportingErrors {
            // All of a model's layers is the model itself: the embeddings are stored under its plain name.
            let full = BuiltinModel(rawValue: encoder)?.layers
            let spec = EncoderSpec(name: encoder, layers: layers == full ? nil : layers, template: template)
            let resolver = makeResolver(batchSize: batch)
            let d = try DatasetIO.read(dataset)
            guard let provider = resolver.providers.first(where: { $0.dimension(of: spec) != nil }) else {
                throw EncoderUnavailable(message: resolver.unavailable[encoder] ?? "\(encoder) is not a built-in encoder (built-in: \(builtinEncoderNames))")
            }
            let start = Date()
            let table = try EmbeddingResolver.compute(spec, provider: provider, dataset: d, datasetPath: dataset, log: stderrLine)
            try DatasetIO.storeEmbeddings(table, in: dataset)
            let secs = Date().timeIntervalSince(start)
            print("wrote \(dataset): /embeddings/\(table.name) [\(table.rows) × \(table.dim)] in \(String(format: "%.2f", secs)) s "
                + "(\(String(format: "%.0f", Double(table.rows) / max(secs, 1e-9))) items/s)")
        }
    }
}

/// The encoders this build can compute.
func makeResolver(batchSize: Int = 32) -> EmbeddingResolver {
    EmbeddingResolver(providers: [HashEmbeddingProvider(), TransformerEmbeddingProvider(batchSize: batchSize)])
}

/// The encoding stage as the runner's source of item vectors: a stored table is read, a missing
/// one computed with the built-in encoder and stored in the dataset.
func makeEmbeddingSource(batchSize: Int = 32) -> EmbeddingSource {
    let resolver = makeResolver(batchSize: batchSize)
    return EmbeddingSource(dimension: { try resolver.dimension(of: $0, dataset: $1, datasetPath: $2) },
                           table: { try resolver.resolve($0, dataset: $1, datasetPath: $2, log: $3) })
}
