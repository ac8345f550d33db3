import Experiments
import Foundation
import JSON

/// manifest.json: what was run, on what, by which code (docs/results.md). Written and read by
/// the same code; its members keep the order below.
public struct Manifest: Sendable {
    /// One learned variant's weights file, as manifest.json's `trained_weights` lists it.
    public struct TrainedWeights: Sendable, Equatable {
        public var protocolID: String
        public var variant: String
        public var file: String
        public var sha256: String
        public var bytes: Int
        public var epochs: Int
        public var bestEpoch: Int
        public var trainingUsers: Int
        public var validationUsers: Int
        public var trainingExamples: Int
        public var validationExamples: Int
        public init(protocolID: String, variant: String, file: String, sha256: String, bytes: Int, epochs: Int, bestEpoch: Int,
                    trainingUsers: Int, validationUsers: Int, trainingExamples: Int, validationExamples: Int) {
            self.protocolID = protocolID; self.variant = variant; self.file = file; self.sha256 = sha256; self.bytes = bytes
            self.epochs = epochs; self.bestEpoch = bestEpoch; self.trainingUsers = trainingUsers; self.validationUsers = validationUsers
            self.trainingExamples = trainingExamples; self.validationExamples = validationExamples
        }
    }

    public var name: String
    public var specPath: String
    /// The spec as written (parsed JSON; a string when the source was not JSON).
    public var specJSON: JSONValue
    public var specSHA256: String
    public var dataset: String
    /// "" when the dataset could not be hashed.
    public var datasetSHA256: String
    public var datasetSummary: (users: Int, items: Int, events: Int)
    /// sha256 of the weights behind each encoder's embeddings, by encoder id ("" for none).
    public var weightsSHA256: [(encoder: String, sha256: String)]
    public var tool: String
    public var toolVersion: String
    public var gitCommit: String
    public var platform: String
    public var seed: Int
    /// ISO 8601.
    public var startTime: String
    public var endTime: String
    public var warnings: [String]
    /// Set when a variant trains: OpenBLAS's threads and $OPENBLAS_CORETYPE, and the weights.
    public var blasThreads: Int?
    public var openblasCoretype: String?
    public var trainedWeights: [TrainedWeights]?

    public init(name: String, specPath: String, specJSON: JSONValue, specSHA256: String, dataset: String, datasetSHA256: String,
                datasetSummary: (users: Int, items: Int, events: Int), weightsSHA256: [(encoder: String, sha256: String)],
                tool: String, toolVersion: String, gitCommit: String, platform: String, seed: Int, startTime: String,
                endTime: String, warnings: [String]) {
        self.name = name; self.specPath = specPath; self.specJSON = specJSON; self.specSHA256 = specSHA256; self.dataset = dataset
        self.datasetSHA256 = datasetSHA256; self.datasetSummary = datasetSummary; self.weightsSHA256 = weightsSHA256; self.tool = tool
        self.toolVersion = toolVersion; self.gitCommit = gitCommit; self.platform = platform; self.seed = seed
        self.startTime = startTime; self.endTime = endTime; self.warnings = warnings
    }

    /// The spec the manifest recorded, parsed again (relative dataset paths resolve from here,
    /// then from the folder of `spec_path`).
    ///
    /// - Throws: ``ResultsError`` naming the file when `spec` is not an object; the spec parser's
    ///   errors when it no longer parses.
    public func parsedSpec(file: String) throws -> ExperimentSpec {
        guard specJSON.objectValue != nil else { throw ResultsError("\(file): spec: expected an object (the spec to re-run)") }
        return try SpecParser.parse(text: JSONWriter.string(specJSON), path: specPath)
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)),
            ("spec_path", .string(specPath)),
            ("spec", specJSON),
            ("spec_sha256", .string(specSHA256)),
            ("dataset", .string(dataset)),
            ("dataset_sha256", .string(datasetSHA256)),
            ("dataset_summary", .object([("users", .int(datasetSummary.users)), ("items", .int(datasetSummary.items)),
                                         ("events", .int(datasetSummary.events))])),
            ("weights_sha256", .object(weightsSHA256.map { ($0.encoder, .string($0.sha256)) })),
            ("tool", .string(tool)),
            ("tool_version", .string(toolVersion)),
            ("git_commit", .string(gitCommit)),
            ("platform", .string(platform)),
            ("seed", .int(seed)),
            ("start_time", .string(startTime)),
            ("end_time", .string(endTime)),
            ("warnings", .array(warnings.map { .string($0) })),
        ]
        if let trainedWeights {
            members += [
                ("blas_threads", .int(blasThreads ?? 0)),
                ("openblas_coretype", .string(openblasCoretype ?? "")),
                ("trained_weights", .array(trainedWeights.map { t in
                    .object([
                        ("protocol", .string(t.protocolID)), ("variant", .string(t.variant)), ("file", .string(t.file)),
                        ("sha256", .string(t.sha256)), ("bytes", .int(t.bytes)), ("epochs", .int(t.epochs)), ("best_epoch", .int(t.bestEpoch)),
                        ("training_users", .int(t.trainingUsers)), ("validation_users", .int(t.validationUsers)),
                        ("training_examples", .int(t.trainingExamples)), ("validation_examples", .int(t.validationExamples)),
                    ])
                })),
            ]
        }
        return .object(members)
    }

    /// Reads `file` (a manifest.json).
    public static func load(_ file: String) throws -> Manifest {
        let f = try JSONFields(file: file, try JSONValue.read(results: file))
        let summary = try f.object("dataset_summary")
        var m = Manifest(
            name: try f.string("name"), specPath: try f.string("spec_path"), specJSON: try f.raw("spec"),
            specSHA256: try f.string("spec_sha256"), dataset: try f.string("dataset"), datasetSHA256: try f.string("dataset_sha256"),
            datasetSummary: (try summary.int("users"), try summary.int("items"), try summary.int("events")),
            weightsSHA256: try f.members("weights_sha256").map { k, v in
                guard let s = v.stringValue else { throw f.error("weights_sha256.\(k)", expected: "a string") }
                return (k, s)
            },
            tool: try f.string("tool"), toolVersion: try f.string("tool_version"), gitCommit: try f.string("git_commit"),
            platform: try f.string("platform"), seed: try f.int("seed"), startTime: try f.string("start_time"),
            endTime: try f.string("end_time"),
            warnings: try f.array("warnings").enumerated().map { i, w in
                guard let s = w.stringValue else { throw ResultsError("\(file): warnings[\(i)]: expected a string") }
                return s
            })
        if f.has("trained_weights") {
            m.blasThreads = try f.int("blas_threads")
            m.openblasCoretype = try f.string("openblas_coretype")
            m.trainedWeights = try f.objects("trained_weights").map { t in
                TrainedWeights(protocolID: try t.string("protocol"), variant: try t.string("variant"), file: try t.string("file"),
                               sha256: try t.string("sha256"), bytes: try t.int("bytes"), epochs: try t.int("epochs"),
                               bestEpoch: try t.int("best_epoch"), trainingUsers: try t.int("training_users"),
                               validationUsers: try t.int("validation_users"), trainingExamples: try t.int("training_examples"),
                               validationExamples: try t.int("validation_examples"))
            }
        }
        return m
    }
}
