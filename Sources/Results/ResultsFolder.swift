import AtomicIO
import Experiments
import Foundation
import JSON

/// One results folder as a typed model (docs/results.md): what `run` builds in memory and
/// writes once, and what `compare`, `check`, `reproduce` and the reports read back — through
/// the same types, so they give the same answers on a folder written today or committed a year
/// ago. Every file a folder holds is written by ``files`` and read by ``load(_:)``; a missing
/// or malformed value is an error naming the file and the field.
public struct ResultsFolder: Sendable {
    /// Where the folder was read from, or is to be written.
    public var path: String
    public var manifest: Manifest
    /// The manifest's spec, parsed.
    public var spec: ExperimentSpec
    public var metrics: MetricsDocument
    public var timings: Timings
    public var perUser: PerUserTable
    /// segments.csv: per protocol, each scored unit's history length and drift.
    public var segments: SegmentTable
    /// per_step.csv (prequential runs): its metric columns and rows; nil when not written.
    public var perStep: [PerStepRow] = []
    public var perStepMetrics: [String]? = nil
    /// pre_period.csv, when the run wrote it (a spec with a `compare` block).
    public var prePeriod: PrePeriodTable? = nil
    /// training.csv: each learned variant's losses per epoch; nil when no variant trains.
    public var trainingEpochs: [TrainingEpoch]? = nil
    /// Trained weights by their file in the folder (`weights/<protocol>/<variant>.safetensors`):
    /// held when the model is built by a run, not read back (the manifest has their sha256).
    public var weights: [(file: String, data: Data)] = []

    public init(path: String, manifest: Manifest, spec: ExperimentSpec, metrics: MetricsDocument, timings: Timings,
                perUser: PerUserTable, segments: SegmentTable) {
        self.path = path; self.manifest = manifest; self.spec = spec; self.metrics = metrics; self.timings = timings
        self.perUser = perUser; self.segments = segments
    }

    public var variants: [VariantEntry] { metrics.variants }
    /// Distinct protocol ids, in metrics.json order.
    public var protocols: [String] {
        var out: [String] = []
        for v in variants where !out.contains(v.protocolID) { out.append(v.protocolID) }
        return out
    }
    /// training.csv's rows (none when no variant trains).
    public var training: [TrainingEpoch] { trainingEpochs ?? [] }
    /// The spec's seed.
    public var seed: UInt64 { spec.seed }
    public func variant(_ key: VariantKey) -> VariantEntry? { variants.first { $0.key == key } }

    /// The files of the folder apart from the reports and comparison.json, in the order they are
    /// written: name → bytes.
    public var files: [(name: String, data: Data)] {
        var out: [(String, Data)] = []
        func put(_ name: String, _ text: String) { out.append((name, Data(text.utf8))) }
        put("manifest.json", JSONWriter.string(manifest.json))
        put("metrics.json", JSONWriter.string(metrics.json))
        put("timings.json", JSONWriter.string(timings.json))
        put("per_user.csv", perUser.csv)
        put("segments.csv", segments.csv)
        if let m = perStepMetrics { put("per_step.csv", PerStepRow.csv(perStep, metrics: m)) }
        if let p = prePeriod { put("pre_period.csv", p.csv) }
        if let t = trainingEpochs {
            put("training.csv", TrainingEpoch.csv(t))
            for w in weights { out.append((w.file, w.data)) }
        }
        return out
    }

    /// Writes the folder to ``path`` with `extra` files (comparison.json, the reports) into a
    /// temporary folder renamed into place when complete; the finished cells of an earlier run
    /// (`.cells/`, for resuming) move into the new folder.
    public func write(extra: [(name: String, data: Data)]) throws {
        try AtomicIO.produceFolder(at: path) { tmp in
            try Self.keepCells(from: path, into: tmp)
            for (name, data) in files + extra {
                let url = URL(fileURLWithPath: tmp).appendingPathComponent(name)
                if name.contains("/") {
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                }
                try data.write(to: url)
            }
        }
    }

    /// Moves the finished cells of an earlier run of `out` (`.cells/`, for resuming) into the
    /// temporary folder `tmp` that replaces it.
    public static func keepCells(from out: String, into tmp: String) throws {
        let cells = URL(fileURLWithPath: out).appendingPathComponent(".cells").path
        guard FileManager.default.fileExists(atPath: cells) else { return }
        try FileManager.default.moveItem(atPath: cells, toPath: URL(fileURLWithPath: tmp).appendingPathComponent(".cells").path)
    }

    /// Reads the folder `path`: manifest.json, metrics.json, timings.json, per_user.csv and
    /// segments.csv, and per_step.csv, pre_period.csv and training.csv where present.
    public static func load(_ path: String) throws -> ResultsFolder {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw ResultsError("\(path): no such results folder")
        }
        // Files are named as the folder was given, so errors name the path the user typed.
        func url(_ name: String) -> String { (path.hasSuffix("/") ? path : path + "/") + name }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: url(name)) }
        let manifest = try Manifest.load(url("manifest.json"))
        let spec = try manifest.parsedSpec(file: url("manifest.json"))
        let metrics = try MetricsDocument.load(url("metrics.json"))
        var protocols: [String] = []
        for v in metrics.variants where !protocols.contains(v.protocolID) { protocols.append(v.protocolID) }
        let perUser = try PerUserTable.load(url("per_user.csv"), singleProtocol: protocols.count == 1 ? protocols[0] : nil)
        var folder = ResultsFolder(path: path, manifest: manifest, spec: spec, metrics: metrics, timings: try Timings.load(url("timings.json")),
                                   perUser: perUser, segments: try SegmentTable.load(url("segments.csv")))
        if exists("per_step.csv") { (folder.perStepMetrics, folder.perStep) = try PerStepRow.load(url("per_step.csv")) }
        if exists("pre_period.csv") { folder.prePeriod = try PrePeriodTable.load(url("pre_period.csv")) }
        if exists("training.csv") { folder.trainingEpochs = try TrainingEpoch.load(url("training.csv")) }
        return folder
    }
}
