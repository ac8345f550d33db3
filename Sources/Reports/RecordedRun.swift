import Experiments
import Foundation
import Results

/// What a results folder's manifest.json recorded of its run: the spec to re-run and the
/// dataset's sha256 (`reproduce`). Only manifest.json is read: large studies commit their
/// results without per_user.csv, which a re-run writes anew.
public struct RecordedRun: Sendable {
    public var spec: ExperimentSpec
    /// The dataset's sha256 when the run recorded one.
    public var datasetSHA256: String?

    /// Reads `<folder>/manifest.json` and parses its `spec`. Relative dataset paths resolve as
    /// they did: from here, then from the folder of the manifest's `spec_path`.
    ///
    /// - Throws: ``ResultsError`` naming the manifest when it is missing, not JSON, or has no
    ///   spec object; the spec parser's errors when the spec no longer parses.
    public static func load(folder: String) throws -> RecordedRun {
        let manifest = try Manifest.load((folder.hasSuffix("/") ? folder : folder + "/") + "manifest.json")
        let spec = try manifest.parsedSpec(file: "\(folder)/manifest.json")
        return RecordedRun(spec: spec, datasetSHA256: manifest.datasetSHA256.isEmpty ? nil : manifest.datasetSHA256)
    }

    /// A warning when the dataset's sha256 is no longer the recorded one; nil when it is, or
    /// when none was recorded.
    public func datasetChange() throws -> String? {
        guard let recorded = datasetSHA256 else { return nil }
        let now = try Hashing.sha256(file: spec.datasetPath)
        return now == recorded ? nil : "\(spec.datasetPath) has sha256 \(now), the run recorded \(recorded)"
    }
}
