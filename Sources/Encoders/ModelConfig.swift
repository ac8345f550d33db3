import Foundation
import JSON

/// The fields of a Hugging Face `config.json` that the BERT and MPNet forward passes use.
struct ModelConfig {
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

    /// Reads and checks `path`.
    static func load(_ path: String) throws -> ModelConfig {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EncoderError(.invalidConfig, path: path, "not found")
        }
        let config: ModelConfig
        do {
            let f = try JSONFields(reading: path)
            config = ModelConfig(
                architectures: try f.optional("architectures", f.strings), modelType: try f.optional("model_type", f.string),
                hiddenSize: try f.int("hidden_size"), numHiddenLayers: try f.int("num_hidden_layers"),
                numAttentionHeads: try f.int("num_attention_heads"), intermediateSize: try f.int("intermediate_size"),
                hiddenAct: try f.optional("hidden_act", f.string), layerNormEps: try f.optional("layer_norm_eps", f.double),
                maxPositionEmbeddings: try f.int("max_position_embeddings"), typeVocabSize: try f.optional("type_vocab_size", f.int),
                vocabSize: try f.int("vocab_size"), padTokenId: try f.optional("pad_token_id", f.int),
                positionEmbeddingType: try f.optional("position_embedding_type", f.string),
                relativeAttentionNumBuckets: try f.optional("relative_attention_num_buckets", f.int))
        } catch let error as JSONFieldError {
            throw EncoderError(.invalidConfig, path: path, "cannot be decoded: \(error.detail)")
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
}

/// sentence-transformers' `sentence_bert_config.json` (`max_seq_length`).
struct SentenceBertConfig {
    var maxSeqLength: Int

    static func load(_ path: String) throws -> SentenceBertConfig {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EncoderError(.invalidConfig, path: path, "not found (sentence-transformers' config with max_seq_length)")
        }
        do {
            let config = SentenceBertConfig(maxSeqLength: try JSONFields(reading: path).int("max_seq_length"))
            guard config.maxSeqLength >= 2 else {
                throw EncoderError(.invalidConfig, path: path, "max_seq_length must be ≥ 2 (got \(config.maxSeqLength))")
            }
            return config
        } catch let error as EncoderError {
            throw error
        } catch let error as JSONFieldError {
            throw EncoderError(.invalidConfig, path: path, "cannot be decoded: \(error.detail)")
        }
    }
}
