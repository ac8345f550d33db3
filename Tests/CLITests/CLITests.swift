import XCTest
import Datasets
import HDF5Kit

/// End-to-end tests of the `profilebench` executable: stdout, files and exit codes.
final class CLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ n: String) -> String { dir.appendingPathComponent(n).path }

    static let binary: String? = {
        var candidates: [URL] = []
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
        var u = testBinary
        for _ in 0..<4 { u = u.deletingLastPathComponent(); candidates.append(u.appendingPathComponent("profilebench")) }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/profilebench"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path
    }()

    typealias Output = ProcessOutput

    @discardableResult
    func pb(_ args: String...) throws -> Output { try runProfileBench(args, in: dir) }

    func spec(_ name: String, dataset: String = "d.h5", metrics: String = "[\"recall@5\", \"ndcg@5\", \"coverage@5\"]",
              encoder: String = "hash-32", weights: String = "{\"view\": 1, \"purchase\": 3}", extra: String = "") throws -> String {
        let text = """
        {"name": "\(name)", "dataset": "\(dataset)",
         "protocol": [{"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2}, {"kind": "prequential", "window_events": 4}],
         "encoders": [{"name": "\(encoder)"}],
         "strategies": [{"name": "static"}, {"name": "mean"}, {"name": "decay", "half_life_days": 7}, {"name": "concat", "window": 5}],
         "reductions": [{"method": "none"}, {"method": "pca", "components": 8}],
         "event_weights": \(weights),
         "metrics": \(metrics), "seed": 5\(extra)}
        """
        try text.write(toFile: path("\(name).json"), atomically: true, encoding: .utf8)
        return "\(name).json"
    }

    func testSynthInspectValidateRunAndDeterminism() throws {
        let s = try pb("synth", "--out", "d.h5", "--users", "40", "--items", "60", "--seed", "3")
        XCTAssertEqual(s.status, 0, s.stderr)
        XCTAssertTrue(s.stdout.hasPrefix("wrote d.h5: 40 users, 60 items, "), s.stdout)
        let i = try pb("inspect", "d.h5")
        XCTAssertEqual(i.status, 0)
        XCTAssertTrue(i.stdout.contains("users   40 (40 with events, 0 without)"), i.stdout)
        XCTAssertTrue(i.stdout.contains("item fields: id, category, title"), i.stdout)
        let spec = try spec("t")
        let v = try pb("validate", spec)
        XCTAssertEqual(v.status, 0, v.stderr)
        XCTAssertTrue(v.stdout.contains("ok — 8 variants × 2 protocol(s), 3 metrics"), v.stdout)
        let r1 = try pb("run", spec, "--out", "r1")
        XCTAssertEqual(r1.status, 0, r1.stderr)
        XCTAssertTrue(r1.stdout.contains("hash-32/concat(aggregate=max,window=5)/pca(8)"), r1.stdout)
        XCTAssertTrue(r1.stderr.contains("[16/16]"), "progress on stderr")
        for f in ["manifest.json", "metrics.json", "timings.json", "per_user.csv", "report.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: path("r1/\(f)")), f)
        }
        let metrics = try String(contentsOfFile: path("r1/metrics.json"), encoding: .utf8)
        XCTAssertTrue(metrics.hasPrefix("{\n  \"metric_dialect\": \"trec\""))
        XCTAssertTrue(metrics.contains("\"id\": \"hash-32/decay(half_life_days=7)/pca(8)\""))
        XCTAssertTrue(metrics.contains("\"strategy\": {\n        \"name\": \"decay\",\n        \"half_life_days\": 7\n      }"), metrics)
        let csv = try String(contentsOfFile: path("r1/per_user.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("protocol,variant,user,recall@5,ndcg@5\n"), csv)
        // The embeddings were computed and stored in the dataset for next time.
        XCTAssertTrue(try pb("inspect", "d.h5").stdout.contains("hash-32  60 × 32  encoder hash-32, template \"{title}\""))
        // Same spec, same bits.
        let r2 = try pb("run", spec, "--out", "r2", "--quiet")
        XCTAssertEqual(r2.status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("r1/metrics.json"))), try Data(contentsOf: URL(fileURLWithPath: path("r2/metrics.json"))))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("r1/per_user.csv"))), try Data(contentsOf: URL(fileURLWithPath: path("r2/per_user.csv"))))
        // A rerun into an existing folder replaces it.
        XCTAssertEqual(try pb("run", spec, "--out", "r1", "--quiet").status, 0)
    }

    func testEvalJSONOutput() throws {
        try "q1 0 a 1\nq1 0 b 1\nq2 0 c 0\nq3 0 d 1\n".write(toFile: path("qrels"), atomically: true, encoding: .utf8)
        try "q1 Q0 x 1 0.9 t\nq1 Q0 b 2 0.5 t\nq1 Q0 a 3 0.5 t\n".write(toFile: path("run"), atomically: true, encoding: .utf8)
        let o = try pb("eval", "--qrels", "qrels", "--run", "run", "--metrics", "recall@2,mrr@10", "--json", "--per-query")
        XCTAssertEqual(o.status, 0, o.stderr)
        // q1: ranking x, b, a (tie at 0.5 by docid descending); recall@2 = 1/2, mrr = 1/2. q3 missing: 0.
        XCTAssertEqual(o.stdout, """
        {
          "metrics": {
            "recall@2": 0.25,
            "mrr@10": 0.25
          },
          "queries": 2,
          "skipped": 1,
          "missing": 1,
          "per_query": {
            "q1": {
              "recall@2": 0.5,
              "mrr@10": 0.5
            },
            "q3": {
              "recall@2": 0.0,
              "mrr@10": 0.0
            }
          }
        }

        """)
        let bad = try pb("eval", "--qrels", "qrels", "--run", "run", "--metrics", "ndcg@x")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("\"ndcg@x\" is not a per-query metric"), bad.stderr)
    }

    func testInterruptedRunLeavesEarlierResultsAndNoPartialOutput() throws {
        XCTAssertEqual(try pb("synth", "--out", "d.h5", "--users", "3000", "--items", "4000", "--events-per-user", "60").status, 0)
        try FileManager.default.createDirectory(atPath: path("out"), withIntermediateDirectories: true)
        try "earlier".write(toFile: path("out/marker"), atomically: true, encoding: .utf8)
        let s = try spec("big", encoder: "hash-128")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary ?? "")
        p.arguments = ["run", s, "--out", "out"]
        p.currentDirectoryURL = dir
        let e = Pipe()
        p.standardError = e
        p.standardOutput = Pipe()
        try p.run()
        // Wait for the first ranking step, then interrupt.
        var seen = ""
        while !seen.contains("[1/") {
            let chunk = e.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        p.interrupt()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 128 + SIGINT, seen)
        XCTAssertEqual(try String(contentsOfFile: path("out/marker"), encoding: .utf8), "earlier")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
        // The dataset (rewritten with the new embeddings before ranking) is intact and readable.
        XCTAssertEqual(try pb("inspect", "d.h5").status, 0)
    }

    // MARK: - Bad input: a clear message, exit 1, no results folder.

    func assertFails(_ args: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let bin = Self.binary ?? ""
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = args
        p.currentDirectoryURL = dir
        let e = Pipe()
        p.standardError = e
        p.standardOutput = Pipe()
        try p.run()
        let err = String(decoding: e.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 1, err, file: file, line: line)
        XCTAssertTrue(err.contains(message), "stderr was: \(err)", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out")), "no results folder", file: file, line: line)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [], file: file, line: line)
    }

    func writeDataset(_ name: String, _ body: (HDF5File) throws -> Void) throws {
        let f = try HDF5File(path: path(name), mode: .create)
        try f.setAttribute("format", .string("profilebench"), on: "/")
        try f.setAttribute("format_version", .int(1), on: "/")
        try body(f)
        try f.close()
    }

    func basic(_ f: HDF5File, items: [UInt32] = [0, 1, 2, 0, 1, 2], n: Int = 6, types: Bool = true) throws {
        if types {
            try f.write("/events/type", (0..<n).map { UInt8($0 % 2) }, shape: [n])
            try f.setAttribute("names", .strings(["view", "purchase"]), on: "/events/type")
        }
        try f.write("/events/user", [UInt32](repeating: 0, count: n), shape: [n])
        try f.write("/events/item", Array(items.prefix(n)), shape: [n])
        try f.write("/events/time", (0..<n).map { Int64($0) }, shape: [n])
        try f.writeStrings("/items/id", ["a", "b", "c"])
        try f.writeStrings("/items/title", ["x y", "y z", "z"])
        try f.writeStrings("/users/id", ["u"])
    }

    func testMissingDatasetFile() throws {
        try assertFails(["run", try spec("s", dataset: "nope.h5"), "--out", "out"], "nope.h5: no such file")
    }

    func testNotHDF5() throws {
        try "hello".write(toFile: path("d.h5"), atomically: true, encoding: .utf8)
        try assertFails(["run", try spec("s"), "--out", "out"], "d.h5: is not an HDF5 file")
    }

    func testMissingObject() throws {
        try writeDataset("d.h5") { f in
            try f.write("/events/user", [UInt32(0)], shape: [1])
            try f.write("/events/item", [UInt32(0)], shape: [1])
            try f.writeStrings("/items/id", ["a"])
            try f.writeStrings("/users/id", ["u"])
        }
        try assertFails(["run", try spec("s"), "--out", "out"], "d.h5: /events/time is missing")
    }

    func testMisShapedEvents() throws {
        try writeDataset("d.h5") { f in
            try f.write("/events/user", [UInt32(0), 0], shape: [2])
            try f.write("/events/item", [UInt32(0)], shape: [1])
            try f.write("/events/time", [Int64(0), 1], shape: [2])
            try f.writeStrings("/items/id", ["a"])
            try f.writeStrings("/users/id", ["u"])
        }
        try assertFails(["run", try spec("s"), "--out", "out"], "d.h5: /events/item has 1 rows, expected 2 (the length of /events/user)")
    }

    func testItemIdOutOfRange() throws {
        try writeDataset("d.h5") { try self.basic($0, items: [0, 1, 7, 0, 1, 2]) }
        try assertFails(["run", try spec("s"), "--out", "out"], "d.h5: /events/item has id 7 at row 2, outside 0..<3 (the length of /items/id)")
    }

    func testEmptyDataset() throws {
        try writeDataset("d.h5") { try self.basic($0, n: 0) }
        try assertFails(["run", try spec("s"), "--out", "out"], "d.h5: /events holds no events: the dataset is empty")
    }

    func testNaNEmbeddings() throws {
        try writeDataset("d.h5") { f in
            try self.basic(f)
            try f.write("/embeddings/custom", (0..<24).map { $0 == 8 ? Float.nan : 1 }, shape: [3, 8])
        }
        try assertFails(["run", try spec("s", encoder: "custom"), "--out", "out"],
                        "d.h5: /embeddings/custom row 1 (item b) has a non-finite value (nan) in column 0")
    }

    func testMisShapedEmbeddings() throws {
        try writeDataset("d.h5") { f in
            try self.basic(f)
            try f.write("/embeddings/custom", [Float](repeating: 1, count: 16), shape: [2, 8])
        }
        try assertFails(["run", try spec("s", encoder: "custom"), "--out", "out"],
                        "d.h5: /embeddings/custom has shape [2, 8], expected [3, d] (one row per item)")
    }

    func testZeroNormEmbeddingsWarnButRun() throws {
        try writeDataset("d.h5") { f in
            try self.basic(f, n: 6)
            try f.write("/embeddings/custom", (0..<24).map { $0 < 8 ? 0 : Float($0 % 5) }, shape: [3, 8])
        }
        let s = try spec("s", encoder: "custom")
        let o = try pb("run", s, "--out", "out")
        XCTAssertEqual(o.status, 0, o.stderr)
        XCTAssertTrue(o.stderr.contains("warning: d.h5: /embeddings/custom has 1 all-zero rows"), o.stderr)
    }

    func testUnknownEventTypeAndEncoder() throws {
        try writeDataset("d.h5") { try self.basic($0, types: false) }
        try assertFails(["run", try spec("s"), "--out", "out"],
                        "s.json: event_weights.view names an event type that d.h5 does not have (the dataset has no /events/type)")
        try writeDataset("d2.h5") { try self.basic($0) }
        try assertFails(["validate", try spec("s2", dataset: "d2.h5", encoder: "glove")],
                        "s2.json: encoders[0] d2.h5: has no /embeddings/glove, and glove is not a built-in encoder")
        try assertFails(["run", try spec("s3", dataset: "d2.h5", weights: "{\"veiw\": 2}"), "--out", "out"],
                        "s3.json: event_weights.veiw names an event type that d2.h5 does not have (the dataset's event types: view, purchase); did you mean \"view\"?")
    }

    func testBadSpecs() throws {
        try writeDataset("d.h5") { try self.basic($0) }
        try assertFails(["run", try spec("s", metrics: "[\"recall@ten\"]"), "--out", "out"], "s.json: metrics[0] \"recall@ten\" is not a metric")
        try "{\"name\": \"x\",\n \"dataset\": }".write(toFile: path("bad.json"), atomically: true, encoding: .utf8)
        try assertFails(["run", "bad.json", "--out", "out"], "bad.json: is not valid JSON: line 2, column 13: expected a value, found '}'")
        try assertFails(["validate", "missing.json"], "missing.json: no such file")
    }
}
