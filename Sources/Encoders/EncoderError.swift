/// Why a sentence encoder could not be loaded or run: names the file (and tensor) involved,
/// what was expected and what was found.
public struct EncoderError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, for callers (and tests) that branch on it.
    public enum Kind: String, Sendable {
        /// The model folder or its weights file is absent (run `scripts/fetch-models.sh`).
        case missingModel
        /// `config.json` names an architecture this package does not implement.
        case unsupportedArchitecture
        /// A configuration file is absent, unreadable or has bad values.
        case invalidConfig
        /// The tokenizer files (`vocab.txt`, `tokenizer_config.json`) cannot be used.
        case invalidTokenizer
        /// The weights file is corrupt, or a tensor has the wrong dtype or shape.
        case invalidWeights
        /// A tensor the model needs is not in the checkpoint.
        case missingTensor
        /// The checkpoint holds tensors the model does not use.
        case unusedTensors
        /// A caller-supplied value is out of range (`layers`, `batchSize`).
        case invalidArgument
    }

    public let kind: Kind
    /// The file the problem is about, when there is one.
    public let path: String?
    public let message: String

    public init(_ kind: Kind, path: String? = nil, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }
}
