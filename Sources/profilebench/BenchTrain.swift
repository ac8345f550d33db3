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
        guard users >= 2 else { throw ValidationError("--users must be >= 2 (got \(users))") }
        guard items >= 2 else { throw ValidationError("--items must be >= 2 (got \(items))") }
        guard dim >= 1 else { throw ValidationError("--dim must be >= 1 (got \(dim))") }
        guard epochs >= 1 else { throw ValidationError("--epochs must be >= 1 (got \(epochs))") }
        guard negatives >= 1 else { throw ValidationError("--negatives must be >= 1 (got \(negatives))") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be >= 1 (got \(batchSize))") }
        guard threads >= 0 else { throw ValidationError("--threads must be >= 0 (got \(threads))") }
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
