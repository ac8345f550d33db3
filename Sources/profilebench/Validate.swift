import ArgumentParser
import Experiments
import Runner

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a spec and its dataset without running it.")

    @Argument(help: "An experiment spec (JSON).") var spec: String

    func run() throws {
        try reportingErrors {
            let s = try SpecParser.load(path: spec)
            let runner = ExperimentRunner(spec: s, embeddings: makeEmbeddingSource())
            let d = try runner.validate()
            print("\(spec): ok — \(s.variants.count) variants × \(s.protocols.count) protocol(s), \(s.metrics.count) metrics; "
                + "dataset \(s.datasetPath): \(d.userCount) users, \(d.itemCount) items, \(d.eventCount) events")
        }
    }
}
