import ArgumentParser
import Foundation
import Importers

/// `bench import`: `import csv` of a generated events file against `pandas.read_csv` of the
/// same file, whole process against whole process, in the same session.
struct BenchImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Time `import csv` of a generated events CSV against pandas.read_csv of the same file (whole processes).")

    @Option(help: "Events in the generated file.") var events: Int = 10_000_000
    @Option(help: "Distinct users.") var users: Int = 500_000
    @Option(help: "Distinct items.") var items: Int = 100_000
    @Option(help: "Folder for the generated CSV (kept and reused) and the output dataset.") var dir: String = "/tmp"
    @Option(help: "Repetitions of each timed command (the median is reported).") var repeats: Int = 3
    @Option(help: "Python interpreter for the pandas reference.") var python: String = "python3"

    func validate() throws {
        try requireAtLeast([("events", events, 1), ("users", users, 1), ("items", items, 1), ("repeats", repeats, 1)])
    }

    func run() throws {
        try reportingErrors {
            var c = ImportBenchmark.Configuration()
            c.events = events
            c.users = users
            c.items = items
            c.directory = dir
            c.repeats = repeats
            c.python = python
            let bench = ImportBenchmark(c)
            try bench.prepare(log: stderrLine)
            print(try bench.header())
            let me = Bundle.main.executablePath ?? CommandLine.arguments[0]
            print(try bench.run(executable: me).line)
        }
    }
}
