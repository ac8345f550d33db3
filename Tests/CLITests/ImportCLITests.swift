import Datasets
import Foundation
import XCTest

/// `profilebench import` end to end: the shared datasets, errors, interruption.
final class ImportCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ n: String) -> String { dir.appendingPathComponent(n).path }

    /// The repository's `datasets/` folder (the public datasets, gzip-compressed, see its README).
    static let datasets = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("datasets")

    /// A file of `datasets/`; a missing one fails the test (the data is part of the repository).
    func dataset(_ p: String) throws -> String {
        let path = Self.datasets.appendingPathComponent(p).path
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(path) is missing: the datasets are part of the repository")
            throw CocoaError(.fileNoSuchFile)
        }
        return path
    }

    typealias Output = ProcessOutput

    @discardableResult
    func pb(_ args: String...) throws -> Output { try pb(args) }

    func leftovers() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") } }

    func testBeautyCSV() throws {
        let events = try dataset("amazon2014-beauty/events.csv.gz"), items = try dataset("amazon2014-beauty/items.csv.gz")
        let o = try pb("import", "csv", events, "--items", items, "--out", "beauty.h5")
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stdout.hasPrefix("wrote beauty.h5: 22,332 users, 12,086 items, 198,215 events\n"), o.stdout)
        XCTAssertTrue(o.stdout.contains("  dropped: none\n"), o.stdout)
        XCTAssertTrue(o.stdout.contains("events/s"), o.stdout)
        XCTAssertTrue(o.stderr.contains("import: reading"), "progress on stderr")
        let d = try DatasetIO.read(path("beauty.h5"))
        XCTAssertEqual(d.userCount, 22_332); XCTAssertEqual(d.itemCount, 12_086); XCTAssertEqual(d.eventCount, 198_215)
        let titles = try XCTUnwrap(d.field("title"))
        XCTAssertEqual(titles.filter(\.isEmpty).count, 0, "every item has a title")
        XCTAssertEqual(d.userIDs.first, "u100")  // the file's first row: u100,i9536,1405296000
        XCTAssertEqual(d.itemIDs.first, "i9536")
        XCTAssertEqual(d.eventTime.first, 1_405_296_000)
        let i = try XCTUnwrap(d.itemIDs.firstIndex(of: "i101"))
        XCTAssertEqual(titles[i], "Xtreme Brite Brightening Gel 1oz.")
    }

    func testML100KRecBole() throws {
        let o = try pb("import", "recbole", try dataset("ml-100k"), "--out", "ml.h5", "--quiet")
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stdout.hasPrefix("wrote ml.h5: 943 users, 1,682 items, 100,000 events\n"), o.stdout)
        XCTAssertEqual(o.stderr, "", "--quiet")
        let d = try DatasetIO.read(path("ml.h5"))
        XCTAssertEqual(d.userCount, 943); XCTAssertEqual(d.itemCount, 1_682); XCTAssertEqual(d.eventCount, 100_000)
        XCTAssertEqual(d.typeNames, ["rating"])
        XCTAssertEqual(d.eventValue?.count, 100_000)
        XCTAssertEqual(Set(d.eventValue ?? []), [1, 2, 3, 4, 5])
        let toy = try XCTUnwrap(d.itemIDs.firstIndex(of: "1"))
        XCTAssertEqual(d.field("movie_title")?[toy], "Toy Story")
        XCTAssertEqual(d.field("release_year")?[toy], "1995")
        XCTAssertEqual(d.field("class")?[toy], "Animation Children's Comedy")
        XCTAssertEqual(d.field("movie_title")?.filter(\.isEmpty).count, 0)
    }

    func testBadRowIsAnErrorAndLeavesNoOutput() throws {
        try "user_id,item_id,timestamp\nu,i,1\nu,i,later\n".write(toFile: path("e.csv"), atomically: true, encoding: .utf8)
        let o = try pb("import", "csv", "e.csv", "--out", "out.h5")
        XCTAssertEqual(o.status, 1)
        XCTAssertTrue(o.stderr.contains("error: e.csv:3: column timestamp: cannot read \"later\" as a time (unix seconds, unix milliseconds or ISO-8601)\n"), o.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.h5")))
        XCTAssertEqual(try leftovers(), [])
        let skipped = try pb("import", "csv", "e.csv", "--out", "out.h5", "--skip-bad-rows")
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertTrue(skipped.stdout.contains("  dropped: 1 unparsable time\n"), skipped.stdout)
    }

    func testInterruptedImportLeavesNoOutputFile() throws {
        guard let bin = CLITests.binary else { return XCTFail("profilebench executable not found") }
        // The events come through a FIFO that this test keeps open, so the import is mid-read
        // when it is interrupted.
        XCTAssertEqual(mkfifo(path("events.csv"), 0o600), 0)
        try "earlier".write(toFile: path("old.h5"), atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["import", "csv", "events.csv", "--out", "out.h5"]
        p.currentDirectoryURL = dir
        let e = Pipe()
        p.standardError = e
        p.standardOutput = Pipe()
        try p.run()
        let writer = try XCTUnwrap(FileHandle(forWritingAtPath: path("events.csv")))
        writer.write(Data(("user_id,item_id,timestamp\n" + (0..<5000).map { "u\($0 % 97),i\($0 % 31),\($0)\n" }.joined()).utf8))
        var seen = ""
        while !seen.contains("import: reading") {
            let chunk = e.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        Thread.sleep(forTimeInterval: 0.3)
        p.interrupt()
        p.waitUntilExit()
        try? writer.close()
        XCTAssertEqual(p.terminationStatus, 128 + SIGINT, seen)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.h5")))
        XCTAssertEqual(try leftovers(), [])

        // An import over an existing file that fails leaves the old file as it was.
        try "user_id,item_id,timestamp\n".write(toFile: path("empty.csv"), atomically: true, encoding: .utf8)
        let o = try pb("import", "csv", "empty.csv", "--out", "old.h5")
        XCTAssertEqual(o.status, 1)
        XCTAssertTrue(o.stderr.contains("error: empty.csv: nothing to import: no event was read"), o.stderr)
        XCTAssertEqual(try String(contentsOfFile: path("old.h5"), encoding: .utf8), "earlier")
    }

    func testEveryFormatThroughTheCLI() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ImportersTests/Fixtures").path
        let cases: [([String], String)] = [
            (["jsonl", "\(fixtures)/jsonl/events.jsonl", "--items", "\(fixtures)/jsonl/items.jsonl"], "3 users, 2 items, 3 events"),
            (["amazon", "\(fixtures)/amazon2014/reviews_Beauty_5.json", "--meta", "\(fixtures)/amazon2014/meta_Beauty.json.gz"], "2 users, 2 items, 3 events"),
            (["movielens", "\(fixtures)/movielens/ml-100k"], "3 users, 3 items, 4 events"),
            (["retailrocket", "\(fixtures)/retailrocket", "--min-user-events", "2"], "1 users, 1 items, 3 events"),
        ]
        for (args, expected) in cases {
            let o = try pb(["import"] + args + ["--out", "x.h5", "--quiet"])
            XCTAssertEqual(o.status, 0, o.stderr)
            XCTAssertTrue(o.stdout.hasPrefix("wrote x.h5: \(expected)\n"), o.stdout)
        }
    }

    /// MiniOneRec's Industrial_and_Scientific test split. Expected numbers, computed independently
    /// with Python (csv + ast.literal_eval + json over the gzip files): 4,532 rows; 2,011
    /// distinct user_id; 3,686 keys in item.json; 21,040 history items in all; each user's
    /// consecutive rows chain (the next history is the previous history plus its target, cut to
    /// the last 10 items), so a user's sequence is the first row's history followed by the
    /// targets of every row but the last, 10,956 items over all users.
    func testMiniOneRecIndustrialTestSplit() throws {
        let data = try dataset("minionerec-industrial")
        let o = try pb("import", "sequences", "--split", "test=\(data)/test.csv.gz", "--items", "\(data)/item.json.gz", "--out", "ind.h5")
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stdout.hasPrefix("wrote ind.h5: 2,011 users, 3,686 items, 10,956 events\n  cases test: 4,532\n  4,532 rows read in "), o.stdout)
        XCTAssertTrue(o.stdout.contains("  dropped: none\n"), o.stdout)
        XCTAssertTrue(o.stderr.contains("import: reading test="), o.stderr)
        let d = try DatasetIO.read(path("ind.h5"))
        XCTAssertEqual(d.userCount, 2_011); XCTAssertEqual(d.itemCount, 3_686); XCTAssertEqual(d.eventCount, 10_956)
        let test = try XCTUnwrap(d.cases["test"])
        XCTAssertEqual(Array(d.cases.keys), ["test"])
        XCTAssertEqual(test.count, 4_532)
        XCTAssertEqual(test.historyItem.count, 21_040)
        XCTAssertEqual(test.historyOffsets.count, 4_533)
        XCTAssertEqual(test.history(of: 0).map { test.historyItem[$0] }, [3112])  // line 2: A4042,…,[3112],114,…
        XCTAssertEqual(test.target[0], 114)
        XCTAssertEqual(d.userIDs[Int(test.user[0])], "A4042")
        XCTAssertEqual(test.history(of: 1).map { test.historyItem[$0] }, [3437, 642, 642, 2520])
        XCTAssertEqual(test.target[1], 1128)
        XCTAssertEqual(d.itemIDs[114], "114")
        XCTAssertEqual(d.field("title")?[0], "SUPCO SPP6 Relay/Capacitor Hard Start Kit with 500% Increase Starting Torque")
        XCTAssertEqual(d.field("brand")?[1], "Stanley")
        XCTAssertEqual(d.field("description")?[0].hasPrefix("Relay/CAPACITOR hard start kit"), true)
        XCTAssertEqual(d.field("title")?.filter(\.isEmpty).count, 0)
        let inspect = try pb("inspect", "ind.h5")
        XCTAssertTrue(inspect.stdout.contains("  cases:\n    test  4532 cases, 2011 users, history length min 1, median 4, max 10\n"), inspect.stdout)
    }

    func testSequencesBadRowAndSplitOptions() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ImportersTests/Fixtures/sequences").path
        let items = "\(fixtures)/items.json"
        let o = try pb("import", "sequences", "--split", "test=\(fixtures)/broken-sequence.csv", "--items", items, "--out", "s.h5")
        XCTAssertEqual(o.status, 1)
        XCTAssertTrue(o.stderr.contains("error: \(fixtures)/broken-sequence.csv:4: user A: history [0, 3] with target 4 does not continue"), o.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("s.h5")))
        XCTAssertEqual(try leftovers(), [])
        let skipped = try pb("import", "sequences", "--split", "test=\(fixtures)/broken-sequence.csv", "--items", items, "--out", "s.h5",
                             "--skip-bad-rows", "--quiet")
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        XCTAssertEqual(skipped.stderr, "", "--quiet")
        XCTAssertTrue(skipped.stdout.hasPrefix("wrote s.h5: 2 users, 6 items, 4 events\n  cases test: 3\n"), skipped.stdout)
        XCTAssertTrue(skipped.stdout.contains("  dropped: 1 inconsistent history\n"), skipped.stdout)
        let two = try pb("import", "sequences", "--split", "test=\(fixtures)/test.csv", "--split", "valid=\(fixtures)/valid.csv",
                         "--items", items, "--out", "two.h5", "--quiet")
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertTrue(two.stdout.hasPrefix("wrote two.h5: 3 users, 6 items, 9 events\n  cases test: 5\n  cases valid: 2\n"), two.stdout)
        XCTAssertEqual(try DatasetIO.read(path("two.h5")).cases["valid"]?.target, [3, 4])
        let noName = try pb("import", "sequences", "--split", "\(fixtures)/test.csv", "--items", items, "--out", "x.h5")
        XCTAssertNotEqual(noName.status, 0)
        XCTAssertTrue(noName.stderr.contains("--split expects NAME=FILE, e.g. test=test.csv (got \"\(fixtures)/test.csv\")"), noName.stderr)
        let twice = try pb("import", "sequences", "--split", "test=a.csv", "--split", "test=b.csv", "--items", items, "--out", "x.h5")
        XCTAssertNotEqual(twice.status, 0)
        XCTAssertTrue(twice.stderr.contains("--split test is given twice"), twice.stderr)
    }

    @discardableResult
    func pb(_ args: [String]) throws -> Output { try runProfileBench(args, in: dir) }
}
