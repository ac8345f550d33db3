import ArgumentParser
import Learning
import LinearAlgebra

struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training throughput of the attention updater on synthetic data of Amazon Beauty's size, against the sgemm rate measured in the same process.",
        discussion: """
        Defaults: 22,363 users, 12,101 items, 384-d, 8 visible events a user, window 50, batch 256, 1,024 sampled \
        negatives, one epoch (Learning's TrainingBenchmark). Prints examples/s, events/s, the GFLOP/s the training's \
        sgemm calls reach and their share of the raw sgemm rate.
        """)

    @Option(help: "Users of the synthetic corpus.") var users: Int = 22_363
    @Option(help: "Catalogue size.") var items: Int = 12_101
    @Option(help: "Embedding dimension.") var dim: Int = 384
    @Option(help: "Epochs to train.") var epochs: Int = 1
    @Option(help: "Sampled negatives per batch.") var negatives: Int = 1_024
    @Option(help: "Examples per mini-batch.") var batchSize: Int = 256
    @Option(help: "BLAS threads (0: OpenBLAS's own choice).") var threads: Int = 0

    func validate() throws {
        try requireAtLeast([("users", users, 2), ("items", items, 2), ("dim", dim, 1), ("epochs", epochs, 1),
                            ("negatives", negatives, 1), ("batch-size", batchSize, 1), ("threads", threads, 0)])
    }

    func run() throws {
        try reportingErrors {
            if threads > 0 { BLAS.threads = threads }
            var c = TrainingBenchmark.Configuration()
            c.users = users
            c.items = items
            c.dim = dim
            c.epochs = epochs
            c.negatives = negatives
            c.batchSize = batchSize
            print(try TrainingBenchmark.run(c).line)
        }
    }
}
