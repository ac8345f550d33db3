import XCTest
@testable import Datasets
@testable import HDF5Kit

/// `/cases/<split>`: written and read back, every validation error, and h5py reading (and
/// writing) the same layout.
final class EvaluationCasesTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-cases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }
    func path(_ n: String) -> String { dir.appendingPathComponent(n).path }

    /// Two users, three items; `test` has three cases (one with an empty history), `valid` none.
    func sample() -> Dataset {
        var test = EvaluationCases.empty
        test.append(user: 0, history: [2, 0], times: [0, 1], target: 1)
        test.append(user: 1, history: [1], times: [0], target: 2)
        test.append(user: 0, history: [], times: [], target: 0)
        return Dataset(eventUser: [0, 0, 1], eventItem: [2, 0, 1], eventTime: [0, 1, 0],
                       itemIDs: ["10", "11", "12"], userIDs: ["alice", "bob"],
                       cases: ["test": test, "valid": .empty])
    }

    func testCasesRoundTrip() throws {
        let d = sample()
        XCTAssertEqual(d.cases["test"]?.count, 3)
        XCTAssertEqual(d.cases["test"]?.history(of: 0), 0..<2)
        XCTAssertEqual(d.cases["test"]?.history(of: 2), 3..<3)
        try DatasetIO.write(d, to: path("d.h5"))
        let r = try DatasetIO.read(path("d.h5"))
        XCTAssertEqual(r.cases, d.cases)
        XCTAssertEqual(r.cases["test"]?.historyOffsets, [0, 2, 3, 3])
        XCTAssertEqual(r.cases["valid"], .empty)
        let f = try HDF5File(path: path("d.h5"), mode: .readOnly)
        XCTAssertEqual(try f.info("/cases/test/history_offsets"), HDF5DatasetInfo(shape: [4], typeClass: .integer, elementSize: 8, isSigned: false))
        XCTAssertEqual(try f.info("/cases/test/user").elementSize, 4)
        XCTAssertEqual(try f.info("/cases/test/history_time"), HDF5DatasetInfo(shape: [3], typeClass: .integer, elementSize: 8, isSigned: true))
        let summary = try DatasetSummary.describe(r, path: path("d.h5"))
        XCTAssertTrue(summary.contains("  cases:\n    test  3 cases, 2 users, history length min 0, median 1, max 2\n    valid  0 cases, 0 users\n"), summary)
    }

    func testFileWithoutCasesReadsAsNone() throws {
        var d = sample()
        d.cases = [:]
        try DatasetIO.write(d, to: path("d.h5"))
        let r = try DatasetIO.read(path("d.h5"))
        XCTAssertEqual(r.cases, [:])
        XCTAssertFalse(try HDF5File(path: path("d.h5"), mode: .readOnly).exists("/cases"))
        XCTAssertTrue(try DatasetSummary.describe(r, path: path("d.h5")).contains("  cases: none\n"))
    }

    func testUInt64DatasetsKeepValuesAboveInt64Max() throws {
        let f = try HDF5File(path: path("u.h5"), mode: .create)
        try f.write("/x", [UInt64(0), 1 << 40, UInt64.max], shape: [3])
        try f.close()
        let g = try HDF5File(path: path("u.h5"), mode: .readOnly)
        XCTAssertEqual(try g.read("/x", as: UInt64.self).values, [0, 1 << 40, UInt64.max])
        XCTAssertEqual(try g.info("/x").isSigned, false)
    }

    func testSplitNameMustBeALinkName() {
        var d = sample()
        d.cases = ["a/b": .empty]
        XCTAssertThrowsError(try DatasetIO.write(d, to: path("d.h5"))) { e in
            XCTAssertEqual("\(e)", "\(self.path("d.h5")): /cases cannot hold a split named \"a/b\" (a split name is a non-empty name without '/')")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("d.h5")))
    }

    // MARK: Validation: one test per error, each naming the file and the object.

    /// Writes the sample, then replaces `/cases/test/<name>` with `values`.
    func corrupt<T: HDF5Scalar>(_ name: String, _ values: [T]) throws -> String {
        let p = path("bad-\(name).h5")
        try DatasetIO.write(sample(), to: p)
        let f = try HDF5File(path: p, mode: .readWrite)
        try f.remove("/cases/test/\(name)")
        try f.write("/cases/test/\(name)", values, shape: [values.count])
        try f.close()
        return p
    }

    func assertReadError(_ p: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try DatasetIO.read(p), file: file, line: line) { e in
            XCTAssertEqual("\(e)", "\(p): \(message)", file: file, line: line)
        }
    }

    func testOffsetsMustStartAtZero() throws {
        assertReadError(try corrupt("history_offsets", [UInt64(1), 2, 3, 3]), "/cases/test/history_offsets[0] = 1, expected 0")
    }

    func testOffsetsMustNotDecrease() throws {
        assertReadError(try corrupt("history_offsets", [UInt64(0), 3, 2, 3]), "/cases/test/history_offsets[2] = 2 is below history_offsets[1] = 3")
    }

    func testLastOffsetMustBeTheHistoryLength() throws {
        assertReadError(try corrupt("history_offsets", [UInt64(0), 2, 3, 4]), "/cases/test/history_offsets[3] = 4, expected 3 (the length of /cases/test/history_item)")
    }

    func testOffsetsNeedOneMoreRowThanCases() throws {
        assertReadError(try corrupt("history_offsets", [UInt64(0), 2, 3]), "/cases/test/history_offsets has 3 rows, expected 4 (the length of /cases/test/user, plus one)")
    }

    func testOffsetAboveInt64MaxIsOutOfRange() throws {
        assertReadError(try corrupt("history_offsets", [UInt64(0), 2, UInt64.max, 3]), "/cases/test/history_offsets has value 18446744073709551615 at row 2, out of range")
    }

    func testTargetsOnePerCase() throws {
        assertReadError(try corrupt("target", [UInt32(1), 2]), "/cases/test/target has 2 rows, expected 3 (the length of /cases/test/user)")
    }

    func testHistoryTimesOnePerHistoryItem() throws {
        assertReadError(try corrupt("history_time", [Int64(0), 1]), "/cases/test/history_time has 2 rows, expected 3 (the length of /cases/test/history_item)")
    }

    func testUserIDsWithinUsers() throws {
        assertReadError(try corrupt("user", [UInt32(0), 2, 0]), "/cases/test/user[1] = 2 is outside 0..<2 (the length of /users/id)")
    }

    func testHistoryItemsWithinItems() throws {
        assertReadError(try corrupt("history_item", [UInt32(2), 0, 3]), "/cases/test/history_item[2] = 3 is outside 0..<3 (the length of /items/id)")
    }

    func testNegativeHistoryItemIsOutOfRange() throws {
        assertReadError(try corrupt("history_item", [Int32(2), -1, 1]), "/cases/test/history_item[1] = -1 is outside 0..<3 (the length of /items/id)")
    }

    func testTargetsWithinItems() throws {
        assertReadError(try corrupt("target", [UInt32(1), 7, 0]), "/cases/test/target[1] = 7 is outside 0..<3 (the length of /items/id)")
    }

    func testMembersMustBeIntegers() throws {
        assertReadError(try corrupt("user", [Float(0), 1, 0]), "/cases/test/user holds float elements, expected integers")
    }

    func testMissingMember() throws {
        let p = path("missing.h5")
        try DatasetIO.write(sample(), to: p)
        let f = try HDF5File(path: p, mode: .readWrite)
        try f.remove("/cases/test/history_time")
        try f.close()
        assertReadError(p, "/cases/test/history_time is missing")
    }

    func testTwoDimensionalMember() throws {
        let p = path("2d.h5")
        try DatasetIO.write(sample(), to: p)
        let f = try HDF5File(path: p, mode: .readWrite)
        try f.remove("/cases/test/target")
        try f.write("/cases/test/target", [UInt32(1), 2, 0, 0, 0, 0], shape: [3, 2])
        try f.close()
        assertReadError(p, "/cases/test/target has shape [3, 2], expected a 1-D array")
    }

    // MARK: h5py

    /// h5py reads what we write, and we read what h5py writes (int64 offsets from Python ints).
    func testH5pyReadsAndWritesTheCasesLayout() throws {
        let python = try PythonWithH5py.interpreter()
        try DatasetIO.write(sample(), to: path("d.h5"))
        let script = """
        import sys, h5py, numpy as np
        with h5py.File(sys.argv[1], "r") as f:
            print(sorted(f["cases"].keys()))
            g = f["cases/test"]
            for k in ["user", "history_offsets", "history_item", "history_time", "target"]:
                print(k, g[k].dtype, g[k][...].tolist())
            print(f["cases/valid/history_offsets"][...].tolist())
            print(g["history_item"].compression, g["history_item"].chunks is not None)
        with h5py.File(sys.argv[2], "w") as f:
            f.attrs["format"] = "profilebench"; f.attrs["format_version"] = 1
            f["events/user"] = np.array([0, 0], np.uint32)
            f["events/item"] = np.array([0, 1], np.uint32)
            f["events/time"] = np.array([0, 1], np.int64)
            f["items/id"] = ["a", "b"]; f["users/id"] = ["u"]
            f["cases/test/user"] = [0, 0]
            f["cases/test/history_offsets"] = [0, 1, 3]
            f["cases/test/history_item"] = [0, 0, 1]
            f["cases/test/history_time"] = [0, 0, 1]
            f["cases/test/target"] = [1, 0]
        """
        let o = try runPython(python, script, [path("d.h5"), path("py.h5")])
        XCTAssertEqual(o, """
        ['test', 'valid']
        user uint32 [0, 1, 0]
        history_offsets uint64 [0, 2, 3, 3]
        history_item uint32 [2, 0, 1]
        history_time int64 [0, 1, 0]
        target uint32 [1, 2, 0]
        [0]
        gzip True

        """)
        let r = try DatasetIO.read(path("py.h5"))
        XCTAssertEqual(r.cases, ["test": EvaluationCases(user: [0, 0], historyOffsets: [0, 1, 3], historyItem: [0, 0, 1],
                                                         historyTime: [0, 0, 1], target: [1, 0])])
    }

    func runPython(_ python: String, _ script: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, String(decoding: e, as: UTF8.self))
        return String(decoding: o, as: UTF8.self)
    }
}

/// A Python interpreter that has h5py: `python3` when it does, otherwise a virtual environment
/// in the package's `.build/venv-h5py`, created (and h5py installed from PyPI) on first use.
/// Failing to get one fails the test: it never skips.
enum PythonWithH5py {
    static let lock = NSLock()
    nonisolated(unsafe) static var cached: String?

    static func interpreter() throws -> String {
        lock.lock(); defer { lock.unlock() }
        if let cached { return cached }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let venv = root.appendingPathComponent(".build/venv-h5py")
        let venvPython = venv.appendingPathComponent("bin/python").path
        if let system = which("python3"), hasH5py(system) { cached = system; return system }
        if FileManager.default.isExecutableFile(atPath: venvPython), hasH5py(venvPython) { cached = venvPython; return venvPython }
        guard let system = which("python3") else { throw Failure("python3 not found on PATH (needed to check the files with h5py)") }
        try run(system, ["-m", "venv", venv.path], "creating \(venv.path)")
        try run(venvPython, ["-m", "pip", "install", "--quiet", "h5py"], "pip install h5py into \(venv.path)")
        guard hasH5py(venvPython) else { throw Failure("\(venvPython) still cannot import h5py") }
        cached = venvPython
        return venvPython
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static func hasH5py(_ python: String) -> Bool { (try? run(python, ["-c", "import h5py"], "")) != nil }

    @discardableResult
    static func run(_ exe: String, _ args: [String], _ what: String) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw Failure("\(what) failed: \(String(decoding: e, as: UTF8.self))") }
        return 0
    }
}
