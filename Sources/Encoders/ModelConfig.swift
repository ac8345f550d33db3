import Foundation

/// The fields of a Hugging Face `config.json` that the BERT and MPNet forward passes use.
struct ModelConfig: Decodable {
    var architectures: [String]?
    var modelType: String?
    var hiddenSize: Int
    var numHiddenLayers: Int
    var numAttentionHeads: Int
    var intermediateSize: Int
    var hiddenAct: String?
    var layerNormEps: Double?
    var maxPositionEmbeddings: Int
    var typeVocabSize: Int?
    var vocabSize: Int
    var padTokenId: Int?
    var positionEmbeddingType: String?
    var relativeAttentionNumBuckets: Int?

    enum CodingKeys: String, CodingKey {
        case architectures
        case modelType = "model_type"
        case hiddenSize = "hidden_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case hiddenAct = "hidden_act"
        case layerNormEps = "layer_norm_eps"
        case maxPositionEmbeddings = "max_position_embeddings"
        case typeVocabSize = "type_vocab_size"
        case vocabSize = "vocab_size"
        case padTokenId = "pad_token_id"
        case positionEmbeddingType = "position_embedding_type"
        case relativeAttentionNumBuckets = "relative_attention_num_buckets"
    }

    /// Reads and checks `path`.
    static func load(_ path: String) throws -> ModelConfig {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EncoderError(.invalidConfig, path: path, "not found")
        }
        let config: ModelConfig
        do {
            config = try JSONDecoder().decode(ModelConfig.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as DecodingError {
            throw EncoderError(.invalidConfig, path: path, "cannot be decoded: \(describe(error))")
        } catch {
            throw EncoderError(.invalidConfig, path: path, "cannot be read: \(error.localizedDescription)")
        }
        func check(_ ok: Bool, _ what: String) throws {
            if !ok { throw EncoderError(.invalidConfig, path: path, what) }
        }
        try check(config.hiddenSize > 0, "hidden_size must be > 0 (got \(config.hiddenSize))")
        try check(config.numAttentionHeads > 0 && config.hiddenSize % config.numAttentionHeads == 0,
                  "hidden_size \(config.hiddenSize) is not a multiple of num_attention_heads \(config.numAttentionHeads)")
        try check(config.numHiddenLayers > 0, "num_hidden_layers must be > 0 (got \(config.numHiddenLayers))")
        try check(config.intermediateSize > 0, "intermediate_size must be > 0 (got \(config.intermediateSize))")
        try check(config.vocabSize > 0, "vocab_size must be > 0 (got \(config.vocabSize))")
        try check(config.maxPositionEmbeddings > 0, "max_position_embeddings must be > 0 (got \(config.maxPositionEmbeddings))")
        try check((config.layerNormEps ?? 1e-12) > 0, "layer_norm_eps must be > 0")
        return config
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing key \"\(key.stringValue)\""
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            return "bad value at \(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        case .dataCorrupted(let c): return c.debugDescription
        @unknown default: return "\(error)"
        }
    }
}

/// sentence-transformers' `sentence_bert_config.json` (`max_seq_length`).
struct SentenceBertConfig: Decodable {
    var maxSeqLength: Int
    enum CodingKeys: String, CodingKey { case maxSeqLength = "max_seq_length" }

    static func load(_ path: String) throws -> SentenceBertConfig {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EncoderError(.invalidConfig, path: path, "not found (sentence-transformers' config with max_seq_length)")
        }
        do {
            let config = try JSONDecoder().decode(SentenceBertConfig.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            guard config.maxSeqLength >= 2 else {
                throw EncoderError(.invalidConfig, path: path, "max_seq_length must be ≥ 2 (got \(config.maxSeqLength))")
            }
            return config
        } catch let error as EncoderError {
            throw error
        } catch {
            throw EncoderError(.invalidConfig, path: path, "cannot be decoded: \(error)")
        }
    }
}
