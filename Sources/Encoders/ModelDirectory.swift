import Foundation
import ModelCatalog

/// Default models folder: `$PROFILEBENCH_MODELS` or `models`, with subfolders
/// `all-MiniLM-L6-v2/` and `all-mpnet-base-v2/` (`BuiltinModel.folderName`, as
/// `scripts/fetch-models.sh` lays them out).
public func defaultModelDirectory(for model: BuiltinModel) -> String {
    let root = ProcessInfo.processInfo.environment["PROFILEBENCH_MODELS"].flatMap { $0.isEmpty ? nil : $0 } ?? "models"
    return (root as NSString).appendingPathComponent(model.folderName)
}
