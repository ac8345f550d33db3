import XCTest
import HDF5Kit

/// `inspect` checks the embedding tables with the same code as `run`: a table `run` rejects
/// makes `inspect` exit 1 with the same `error:` line, naming the file and the object.
extension CLITests {
    /// `inspect d.h5` and `run` of a spec that uses `encoder` both exit 1 and print exactly
    /// `error: <message>` on stderr; `inspect` prints nothing on stdout.
    func assertInspectAndRunFail(encoder: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let i = try pb("inspect", "d.h5")
        XCTAssertEqual(i.status, 1, i.stderr, file: file, line: line)
        XCTAssertEqual(i.stderr, "error: \(message)\n", file: file, line: line)
        XCTAssertEqual(i.stdout, "", file: file, line: line)
        let r = try pb("run", try spec("s", encoder: encoder), "--out", "out", "--quiet")
        XCTAssertEqual(r.status, 1, r.stderr, file: file, line: line)
        XCTAssertEqual(r.stderr, i.stderr, "run and inspect print the same error", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out")), "no results folder", file: file, line: line)
    }

    func testInspectRejectsEmbeddingsWithTheWrongNumberOfRows() throws {
        try writeDataset("d.h5") { f in
            try self.basic(f)
            try f.write("/embeddings/x", [Float](repeating: 1, count: 32), shape: [4, 8])
        }
        try assertInspectAndRunFail(encoder: "x", "d.h5: /embeddings/x has shape [4, 8], expected [3, d] (one row per item)")
        // `validate` checks a stored table's type and shape too (not its values).
        let v = try pb("validate", "s.json")
        XCTAssertEqual(v.status, 1, v.stderr)
        XCTAssertEqual(v.stderr, "error: d.h5: /embeddings/x has shape [4, 8], expected [3, d] (one row per item)\n")
    }

    func testInspectRejectsANaNInAnEmbeddingRow() throws {
        try writeDataset("d.h5") { f in
            try self.basic(f)
            try f.write("/embeddings/x", (0..<24).map { $0 == 19 ? Float.nan : 0.5 }, shape: [3, 8])
        }
        try assertInspectAndRunFail(encoder: "x", "d.h5: /embeddings/x row 2 (item c) has a non-finite value (nan) in column 3")
    }

    func testInspectRejectsANonFloatEmbeddingTable() throws {
        try writeDataset("d.h5") { f in
            try self.basic(f)
            try f.writeStrings("/embeddings/x", ["a", "b", "c"])
        }
        try assertInspectAndRunFail(encoder: "x", "d.h5: /embeddings/x holds string elements, expected float32")
    }

    func testInspectListsValidEmbeddingTables() throws {
        try writeDataset("d.h5") { f in
            try self.basic(f)
            try f.write("/embeddings/x", [Float](repeating: 0.5, count: 24), shape: [3, 8])
        }
        let i = try pb("inspect", "d.h5")
        XCTAssertEqual(i.status, 0, i.stderr)
        XCTAssertTrue(i.stdout.hasSuffix("  embeddings:\n    x  3 × 8  encoder ?\n\n"), i.stdout)
    }
}
