import ArgumentParser
import Datasets
import Foundation

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a summary of a dataset.")

    @Argument(help: "An HDF5 dataset.") var dataset: String

    func run() throws {
        try reportingErrors {
            let d = try DatasetIO.read(dataset)
            print(try DatasetSummary.describe(d, path: dataset))
        }
    }
}
