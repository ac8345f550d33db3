import Datasets
import Encoders
import Experiments
import ModelCatalog

/// The native sentence encoders (`minilm-l6`, `mpnet-base`, optionally truncated to fewer
/// layers) as an embedding provider. Weights are read from `defaultModelDirectory(for:)`
/// (`$PROFILEBENCH_MODELS` or `models/`); a missing folder is an error that says how to fetch it.
public struct TransformerEmbeddingProvider: EmbeddingProvider {
    public var batchSize: Int

    public init(batchSize: Int = 32) { self.batchSize = batchSize }

    static func model(_ encoder: EncoderSpec) -> BuiltinModel? { BuiltinModel(rawValue: encoder.name) }

    public func dimension(of encoder: EncoderSpec) -> Int? { Self.model(encoder)?.dimension }

    public func encode(_ encoder: EncoderSpec, texts: [String], template: String,
                       progress: (Int) -> Void) throws -> (values: [Float], attributes: EmbeddingAttributes) {
        guard let model = Self.model(encoder) else { throw EncoderUnavailable(message: "\(encoder.name) is not a transformer encoder") }
        let enc = try SentenceEncoder(model: model, directory: defaultModelDirectory(for: model), layers: encoder.layers)
        let values = try withoutActuallyEscaping(progress) { p in
            try enc.encode(texts, batchSize: batchSize, progress: { p($0) })
        }
        return (values, EmbeddingAttributes(encoder: model.rawValue, dim: enc.dimension, layers: enc.layers, normalized: true,
                                            weightsSHA256: enc.weightsSHA256, textTemplate: template))
    }
}
