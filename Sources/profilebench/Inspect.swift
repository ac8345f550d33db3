import ArgumentParser
import Datasets
import Foundation

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a dataset as `run` reads it and print a summary.")

    @Argument(help: "An HDF5 dataset.") var dataset: String

    func run() throws {
        try reportingErrors {
            let d = try DatasetIO.read(dataset)
            print(try DatasetSummary.describe(d, path: dataset))
        }
    }
}
