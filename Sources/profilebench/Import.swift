import ArgumentParser
import Datasets
import Foundation
import Importers

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import events (and item text) from a researcher's files into a ProfileBench dataset.",
        discussion: """
        Streaming: memory grows with the number of users, items and events kept, not with the \
        input text. Gzip input is read transparently. Users and items get dense ids in order of \
        first appearance among the events kept. The output replaces --out only when complete. \
        See docs/import.md.
        """,
        subcommands: [ImportCSV.self, ImportJSONL.self, ImportAmazon.self, ImportRecBole.self,
                      ImportMovieLens.self, ImportRetailRocket.self, ImportSequences.self])
}

/// Options every importer takes.
struct CommonImportOptions: ParsableArguments {
    @Option(help: "Output HDF5 dataset (replaced only when the import is complete).") var out: String
    @Option(name: .customLong("min-user-events"), help: "Iterative k-core: keep users with at least this many events.")
    var minUserEvents: Int = 0
    @Option(name: .customLong("min-item-events"), help: "Iterative k-core: keep items with at least this many events.")
    var minItemEvents: Int = 0
    @Flag(help: "Drop exact duplicate events (same user, item, time, type and value), keeping the first.")
    var dedupe = false
    @Flag(name: .customLong("skip-bad-rows"), help: "Count bad rows by reason and go on (otherwise the first one is an error).")
    var skipBadRows = false
    @Flag(name: .customLong("drop-unknown-items"), help: "Drop events whose item is not in the item file.")
    var dropUnknownItems = false
    @Flag(help: "No progress on stderr.") var quiet = false

    func validate() throws {
        try requireAtLeast([("min-user-events", minUserEvents, 0), ("min-item-events", minItemEvents, 0)])
    }

    var importOptions: ImportOptions {
        var o = ImportOptions()
        o.minUserEvents = minUserEvents
        o.minItemEvents = minItemEvents
        o.dedupe = dedupe
        o.skipBadRows = skipBadRows
        o.dropUnknownItems = dropUnknownItems
        if !quiet { o.progress = { n in stderrLine("import: \(grouped(n)) rows read") } }
        return o
    }

    /// Runs `body`, writes the dataset atomically and prints the summary.
    func run(_ what: String, _ body: (ImportOptions) throws -> ImportResult) throws {
        try runImport(what, out: out, quiet: quiet, options: importOptions, body)
    }
}

/// Runs an importer, writes its dataset atomically to `out` and prints the summary (stdout) and
/// the progress and warnings (stderr).
func runImport(_ what: String, out: String, quiet: Bool, options: ImportOptions,
               _ body: (ImportOptions) throws -> ImportResult) throws {
    try reportingErrors {
        let t0 = DispatchTime.now().uptimeNanoseconds
        if !quiet { stderrLine("import: reading \(what)") }
        let result = try body(options)
        let tRead = DispatchTime.now().uptimeNanoseconds
        if !quiet { stderrLine("import: writing \(out)") }
        try DatasetIO.write(result.dataset, to: out)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let readSeconds = Double(tRead - t0) / 1e9
        let s = result.summary
        print("wrote \(out): \(grouped(s.users)) users, \(grouped(s.items)) items, \(grouped(s.events)) events")
        for split in result.dataset.cases.keys.sorted() {
            print("  cases \(split): \(grouped(result.dataset.cases[split]!.count))")
        }
        print(String(format: "  %@ rows read in %.2f s (%.2f s reading, %@ events/s overall)", grouped(s.rows), seconds, readSeconds,
                     grouped(Int((Double(s.rows) / max(seconds, 1e-9)).rounded()))))
        let droppedTotal = s.dropped.reduce(0) { $0 + $1.count }
        print(droppedTotal == 0 ? "  dropped: none"
              : "  dropped: \(s.dropped.map { "\(grouped($0.count)) \($0.reason)" }.joined(separator: ", "))")
        for note in s.notes { print("  \(note)") }
        for w in s.warnings { stderrLine("warning: \(w)") }
    }
}

/// Column names for the event files (detected from common names when not given).
struct ColumnOptions: ParsableArguments {
    @Option(name: .customLong("user-col"), help: "Column (field) holding the user id.") var userCol: String?
    @Option(name: .customLong("item-col"), help: "Column (field) holding the item id.") var itemCol: String?
    @Option(name: .customLong("time-col"), help: "Column (field) holding the time.") var timeCol: String?
    @Option(name: .customLong("type-col"), help: "Column (field) holding the event type.") var typeCol: String?
    @Option(name: .customLong("value-col"), help: "Column (field) holding the value (rating, quantity).") var valueCol: String?

    var names: ColumnMapping.Names {
        ColumnMapping.Names(user: userCol, item: itemCol, time: timeCol, type: typeCol, value: valueCol)
    }
}

struct ImportCSV: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csv",
        abstract: "A delimited events file with a header (delimiter sniffed: comma, tab or semicolon; RFC 4180 quoting).")

    @Argument(help: "The events file (.csv, .tsv, possibly .gz).") var events: String
    @Option(help: "Item file: an id column and text fields (each other column becomes /items/<column>).") var items: String?
    @Option(help: "User file: its ids are checked against the events' users.") var users: String?
    @Option(help: "Delimiter (a single character, or \"tab\"); sniffed when not given.") var delimiter: String?
    @OptionGroup var columns: ColumnOptions
    @OptionGroup var common: CommonImportOptions

    func validate() throws {
        if let d = delimiter, d != "tab", d.utf8.count != 1 {
            throw ValidationError("--delimiter must be one character or \"tab\" (got \"\(d)\")")
        }
    }

    func run() throws {
        var c = CSVImporter.Config()
        c.columns = columns.names
        c.items = items
        c.users = users
        c.delimiter = delimiter.map { $0 == "tab" ? 0x09 : $0.utf8.first! }
        try common.run(events) { try CSVImporter.run(events: events, config: c, options: $0) }
    }
}

struct ImportRecBole: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recbole",
        abstract: "RecBole atomic files (.inter, .item, .user with typed headers), as a folder or as files.")

    @Argument(help: "A folder holding NAME.inter (and NAME.item, NAME.user), or the files.") var inputs: [String]
    @OptionGroup var columns: ColumnOptions
    @OptionGroup var common: CommonImportOptions

    func run() throws {
        try common.run(inputs.joined(separator: ", ")) { try RecBoleImporter.run(inputs, columns: columns.names, options: $0) }
    }
}

struct ImportJSONL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jsonl",
        abstract: "JSON lines: one event object per line, fields mapped by name as in csv.")

    @Argument(help: "The events file (.jsonl, possibly .gz).") var events: String
    @Option(help: "Item file (JSON lines): an id field and text fields.") var items: String?
    @OptionGroup var columns: ColumnOptions
    @OptionGroup var common: CommonImportOptions

    func run() throws {
        try common.run(events) { try JSONLImporter.run(events: events, items: items, columns: columns.names, options: $0) }
    }
}

struct ImportAmazon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amazon",
        abstract: "Amazon review data, the 2014 or the 2018 release (detected): reviews and optional metadata.")

    @Argument(help: "The reviews file (JSON lines, possibly .gz).") var reviews: String
    @Option(help: "The metadata file (2014: Python literals; 2018: JSON), possibly .gz.") var meta: String?
    @OptionGroup var common: CommonImportOptions

    func run() throws {
        try common.run(reviews) { try AmazonImporter.run(reviews: reviews, meta: meta, options: $0) }
    }
}

struct ImportMovieLens: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "movielens",
        abstract: "MovieLens: ML-100K (u.data, u.item), ML-1M/10M (ratings.dat, movies.dat) or ML-latest/20M/25M (ratings.csv, movies.csv).")

    @Argument(help: "The folder of the release (or its ratings file).") var path: String
    @OptionGroup var common: CommonImportOptions

    func run() throws {
        try common.run(path) { try MovieLensImporter.run(path, options: $0) }
    }
}

struct ImportRetailRocket: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retailrocket",
        abstract: "RetailRocket: events.csv (view, addtocart, transaction) and item_properties*.csv for category ids.")

    @Argument(help: "The folder holding events.csv (and item_properties_part1.csv, _part2.csv), or events.csv.") var path: String
    @OptionGroup var common: CommonImportOptions

    func run() throws {
        try common.run(path) { try RetailRocketImporter.run(path, options: $0) }
    }
}

struct ImportSequences: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sequences",
        abstract: "Benchmark case files (one row per case: user_id, history_item_id list, item_id target) and their item JSON.",
        discussion: """
        Each --split NAME=FILE becomes /cases/NAME (the file's rows in order); the events are each \
        user's sequence rebuilt from the cases, time = position. Item ids are kept as given \
        (ITEMS keys 0…N-1). See docs/import.md.
        """)

    @Option(name: .customLong("split"), help: ArgumentHelp("A case file, as NAME=FILE (e.g. test=test.csv.gz); repeat for more splits (users are numbered in the order given).", valueName: "name=file"))
    var splits: [String]
    @Option(help: "The item metadata: a JSON object keyed by item id (title, description, brand, categories).") var items: String
    @Option(help: "Output HDF5 dataset (replaced only when the import is complete).") var out: String
    @Flag(name: .customLong("skip-bad-rows"), help: "Count bad rows by reason and go on (otherwise the first one is an error).")
    var skipBadRows = false
    @Flag(help: "No progress on stderr.") var quiet = false

    /// The parsed --split values.
    var parsedSplits: [SequencesImporter.Split] {
        get throws {
            try splits.map { s in
                guard let eq = s.firstIndex(of: "=") else {
                    throw ValidationError("--split expects NAME=FILE, e.g. test=test.csv (got \"\(s)\")")
                }
                let name = String(s[..<eq]), file = String(s[s.index(after: eq)...])
                guard DatasetIO.isValidSplitName(name) else {
                    throw ValidationError("--split \"\(s)\": \"\(name)\" cannot name a split (a non-empty name without '/', e.g. test)")
                }
                guard !file.isEmpty else { throw ValidationError("--split \"\(s)\": no file after '='") }
                return SequencesImporter.Split(name: name, path: file)
            }
        }
    }

    func validate() throws {
        let parsed = try parsedSplits
        guard !parsed.isEmpty else { throw ValidationError("give at least one --split NAME=FILE") }
        var seen = Set<String>()
        for s in parsed where !seen.insert(s.name).inserted {
            throw ValidationError("--split \(s.name) is given twice")
        }
    }

    func run() throws {
        var o = ImportOptions()
        o.skipBadRows = skipBadRows
        if !quiet { o.progress = { n in stderrLine("import: \(grouped(n)) rows read") } }
        let splits = try parsedSplits
        try runImport(splits.map { "\($0.name)=\($0.path)" }.joined(separator: ", "), out: out, quiet: quiet, options: o) {
            try SequencesImporter.run(splits: splits, items: items, options: $0)
        }
    }
}
