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

    @discardableResult
    func pb(_ args: [String]) throws -> Output { try runProfileBench(args, in: dir) }
}
