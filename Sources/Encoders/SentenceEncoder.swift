import Crypto
import Foundation
import ModelCatalog
import SafeTensors
import Tokenizers

/// A sentence-transformers encoder (all-MiniLM-L6-v2 or all-mpnet-base-v2) run natively:
/// BERT tokenization, the transformer on OpenBLAS, mean pooling and L2 normalisation. Produces
/// the token ids of the Hugging Face fast tokenizer and the vectors of sentence-transformers
/// (float32, within rounding).
///
/// Not thread-safe: use one encoder per thread (the matrix products use OpenBLAS's threads).
public final class SentenceEncoder {
    public let model: BuiltinModel
    public let directory: String
    private let tokenizer: BertTokenizer
    private let transformer: Transformer
    private var cachedSHA256: String?

    /// Loads a model folder (config.json, vocab.txt, tokenizer config, model.safetensors,
    /// sentence-transformers' sentence_bert_config.json for max_seq_length).
    ///
    /// - Parameter layers: use only the first `layers` transformer blocks (1…num_hidden_layers);
    ///   `nil` uses them all.
    /// - Throws: `EncoderError` naming the file and what is wrong; `.missingModel` (with the hint
    ///   to run `scripts/fetch-models.sh`) when the folder or its weights are absent.
    public init(model: BuiltinModel, directory: String, layers: Int? = nil) throws {
        self.model = model
        self.directory = directory
        func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let hint = "run scripts/fetch-models.sh to download the weights (PROFILEBENCH_MODELS sets the models folder)"

        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EncoderError(.missingModel, path: directory, "model folder for \(model.rawValue) not found; \(hint)")
        }
        let weightsPath = file("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsPath) else {
            throw EncoderError(.missingModel, path: weightsPath, "weights for \(model.rawValue) not found; \(hint)")
        }

        let configPath = file("config.json")
        let config = try ModelConfig.load(configPath)
        let kind: Transformer.Kind
        switch config.modelType {
        case "bert": kind = .bert
        case "mpnet": kind = .mpnet
        default:
            let described = config.modelType.map { "model_type \"\($0)\"" } ?? "no model_type"
            let archs = (config.architectures ?? []).joined(separator: ", ")
            throw EncoderError(.unsupportedArchitecture, path: configPath,
                               "unsupported architecture: \(described)\(archs.isEmpty ? "" : " (\(archs))"); supported: bert, mpnet")
        }
        guard kind.rawValue == model.architecture else {
            throw EncoderError(.unsupportedArchitecture, path: configPath,
                               "\(model.rawValue) needs model_type \"\(model.architecture)\", found \"\(kind.rawValue)\"")
        }
        guard (config.hiddenAct ?? "gelu") == "gelu" else {
            throw EncoderError(.unsupportedArchitecture, path: configPath,
                               "hidden_act \"\(config.hiddenAct ?? "")\" is not supported (only \"gelu\", the erf form)")
        }
        guard (config.positionEmbeddingType ?? "absolute") == "absolute" else {
            throw EncoderError(.unsupportedArchitecture, path: configPath,
                               "position_embedding_type \"\(config.positionEmbeddingType ?? "")\" is not supported (only \"absolute\")")
        }
        let usedLayers = layers ?? config.numHiddenLayers
        guard (1...config.numHiddenLayers).contains(usedLayers) else {
            throw EncoderError(.invalidArgument, path: configPath,
                               "layers must be between 1 and \(config.numHiddenLayers) for \(model.rawValue) (got \(usedLayers))")
        }

        let maxSeqLength = try SentenceBertConfig.load(file("sentence_bert_config.json")).maxSeqLength
        do {
            tokenizer = try BertTokenizer(directory: directory)
        } catch let error as TokenizerError {
            throw EncoderError(.invalidTokenizer, path: error.path, error.message)
        }
        // Every id the tokenizer can emit indexes the embedding table: check once here.
        let largest = tokenizer.maxID
        guard largest >= 0, Int(largest) < config.vocabSize else {
            throw EncoderError(.invalidTokenizer, path: file("vocab.txt"),
                               "the tokenizer produces ids up to \(largest) but the model's vocab_size is \(config.vocabSize)")
        }

        let weights: SafeTensorsFile
        do {
            weights = try SafeTensorsFile(path: weightsPath)
        } catch let error as SafeTensorsError {
            throw EncoderError(.invalidWeights, path: weightsPath, error.tensor.map { "tensor \($0): \(error.message)" } ?? error.message)
        }
        transformer = try Transformer(kind: kind, config: config, file: weights, layers: usedLayers,
                                      maxLength: maxSeqLength)
    }

    /// Output dimension (the hidden size).
    public var dimension: Int { transformer.hidden }

    /// Transformer blocks actually used.
    public var layers: Int { transformer.layers.count }

    /// Longest token sequence, special tokens included (sentence-transformers' max_seq_length).
    public var maxTokens: Int { transformer.maxLength }

    /// SHA-256 (hex) of `model.safetensors`, computed on first use from the mapped file.
    public var weightsSHA256: String {
        if let cachedSHA256 { return cachedSHA256 }
        let digest = SHA256.hash(data: transformer.file.fileBytes)
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        cachedSHA256 = hex
        return hex
    }

    /// Token ids with the special tokens (`[CLS] … [SEP]` or `<s> … </s>`), truncated at `maxTokens`.
    public func tokenize(_ text: String) -> [Int32] {
        tokenizer.encode(text, maxLength: maxTokens)
    }

    /// Row-major [texts.count × dimension], L2-normalised, in input order.
    ///
    /// Texts are sorted by token count and run `batchSize` at a time (similar lengths together);
    /// `progress` is called after each batch with the number of texts done so far.
    /// - Throws: `EncoderError.invalidArgument` when `batchSize < 1`.
    public func encode(_ texts: [String], batchSize: Int = 32, progress: ((_ done: Int) -> Void)? = nil) throws -> [Float] {
        guard batchSize >= 1 else {
            throw EncoderError(.invalidArgument, "batchSize must be ≥ 1 (got \(batchSize))")
        }
        let dim = dimension
        let tokens = texts.map(tokenize)
        let order = tokens.indices.sorted { (tokens[$0].count, $0) < (tokens[$1].count, $1) }
        var result = [Float](repeating: 0, count: texts.count * dim)
        var pooled = [Float](repeating: 0, count: min(batchSize, texts.count) * dim)
        var done = 0
        while done < order.count {
            let chunk = order[done..<min(done + batchSize, order.count)]
            let batch = chunk.map { tokens[$0] }
            pooled.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                transformer.encode(batch, into: base)
            }
            result.withUnsafeMutableBufferPointer { out in
                for (row, index) in chunk.enumerated() {
                    for k in 0..<dim { out[index * dim + k] = pooled[row * dim + k] }
                }
            }
            done += chunk.count
            progress?(done)
        }
        return result
    }
}
