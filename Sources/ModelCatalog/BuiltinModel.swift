/// The sentence encoders that ProfileBench runs natively, with the facts of each checkpoint:
/// the one place that states them. The spec parser, the command line and the runner read them
/// here (without linking the encoders); `Encoders` loads the checkpoint, and
/// `ModelCatalogTests` checks these facts against the `config.json` it loads.
public enum BuiltinModel: String, CaseIterable, Sendable {
    /// sentence-transformers/all-MiniLM-L6-v2: BERT, 6 layers, 384 dimensions, 256 tokens.
    case miniLML6 = "minilm-l6"
    /// sentence-transformers/all-mpnet-base-v2: MPNet, 12 layers, 768 dimensions, 384 tokens.
    case mpnetBase = "mpnet-base"

    /// The Hugging Face checkpoint the weights come from.
    public var checkpoint: String { "sentence-transformers/\(folderName)" }

    /// The model's folder name under the models folder (as `scripts/fetch-models.sh` lays it out).
    public var folderName: String {
        switch self {
        case .miniLML6: return "all-MiniLM-L6-v2"
        case .mpnetBase: return "all-mpnet-base-v2"
        }
    }

    /// The `model_type` its `config.json` must declare: `bert` or `mpnet`.
    public var architecture: String {
        switch self {
        case .miniLML6: return "bert"
        case .mpnetBase: return "mpnet"
        }
    }

    /// Output dimension (`hidden_size`).
    public var dimension: Int {
        switch self {
        case .miniLML6: return 384
        case .mpnetBase: return 768
        }
    }

    /// Transformer blocks (`num_hidden_layers`): the most a spec's `layers` may ask for.
    public var layers: Int {
        switch self {
        case .miniLML6: return 6
        case .mpnetBase: return 12
        }
    }

    /// Longest token sequence, special tokens included (`max_seq_length` of
    /// sentence-transformers' `sentence_bert_config.json`).
    public var maxTokens: Int {
        switch self {
        case .miniLML6: return 256
        case .mpnetBase: return 384
        }
    }

    /// SHA-256 (hex) of the `model.safetensors` that `scripts/fetch-models.sh` installs (its
    /// `MINILM_SHA` and `MPNET_SHA`).
    public var weightsSHA256: String {
        switch self {
        case .miniLML6: return "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
        case .mpnetBase: return "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
        }
    }

    /// The names, joined for messages: `"minilm-l6 and mpnet-base"` with `conjunction: "and"`.
    public static func names(joinedBy conjunction: String) -> String {
        let names = allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + (names.count > 1 ? " \(conjunction) " : "") + (names.last ?? "")
    }
}

/// Every built-in encoder name, for messages: `hash-<d>, minilm-l6, mpnet-base`.
public let builtinEncoderNames = (["hash-<d>"] + BuiltinModel.allCases.map(\.rawValue)).joined(separator: ", ")
