import ArgumentParser
import Foundation
import Reports

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the shard folders of one sharded run (run --shard i/N) into the results folder an unsharded run writes.")

    @Argument(help: "The shard folders (all N of them).") var folders: [String]
    @Option(help: "The merged results folder.") var out: String

    func run() throws {
        try reportingErrors {
            let result = try ShardMerge.merge(folders)
            try ResultsWriter.write(result, to: out)
            print("merged \(folders.count) shards: \(result.variants.count) cells, \(result.variants.first?.perUser.count ?? 0) units in the first; results: \(out)/")
        }
    }
}
