import ArgumentParser
import Datasets

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a deterministic synthetic e-commerce dataset with planted interest drift.")

    @Option(help: "Output HDF5 file.") var out: String = "data/synthetic.h5"
    @Option(help: "Number of users.") var users: Int = 300
    @Option(help: "Number of items.") var items: Int = 600
    @Option(name: .customLong("events-per-user"), help: "Mean number of events per user.") var eventsPerUser: Int = 40
    @Option(help: "Share of users whose interest moves to another category (0...1).") var drift: Double = 0.8
    @Option(help: "Random seed.") var seed: UInt64 = 42

    func validate() throws {
        try requireAtLeast([("users", users, 1), ("events-per-user", eventsPerUser, 5)])
        guard items >= 12 else { throw ValidationError("--items must be >= 12, one per category (got \(items))") }
        guard (0...1).contains(drift) else { throw ValidationError("--drift must be between 0 and 1 (got \(drift))") }
    }

    func run() throws {
        try reportingErrors {
            var c = SyntheticConfig()
            c.users = users; c.items = items; c.eventsPerUser = eventsPerUser; c.drift = drift; c.seed = seed
            let d = Synthetic.generate(c)
            try DatasetIO.write(d, to: out)
            print("wrote \(out): \(d.userCount) users, \(d.itemCount) items, \(d.eventCount) events (seed \(seed), drift \(drift))")
        }
    }
}
