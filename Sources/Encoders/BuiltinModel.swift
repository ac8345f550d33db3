import Foundation

/// The sentence encoders that ProfileBench runs natively.
public enum BuiltinModel: String, CaseIterable, Sendable {
    /// sentence-transformers/all-MiniLM-L6-v2: BERT, 6 layers, 384 dimensions, 256 tokens.
    case miniLML6 = "minilm-l6"
    /// sentence-transformers/all-mpnet-base-v2: MPNet, 12 layers, 768 dimensions, 384 tokens.
    case mpnetBase = "mpnet-base"

    /// The model's folder name under the models folder.
    public var folderName: String {
        switch self {
        case .miniLML6: return "all-MiniLM-L6-v2"
        case .mpnetBase: return "all-mpnet-base-v2"
        }
    }

    /// The `model_type` its `config.json` must declare.
    var modelType: String {
        switch self {
        case .miniLML6: return "bert"
        case .mpnetBase: return "mpnet"
        }
    }
}

/// Default models folder: `$PROFILEBENCH_MODELS` or `models`, with subfolders
/// `all-MiniLM-L6-v2/` and `all-mpnet-base-v2/` (as `scripts/fetch-models.sh` lays them out).
public func defaultModelDirectory(for model: BuiltinModel) -> String {
    let root = ProcessInfo.processInfo.environment["PROFILEBENCH_MODELS"].flatMap { $0.isEmpty ? nil : $0 } ?? "models"
    return (root as NSString).appendingPathComponent(model.folderName)
}
