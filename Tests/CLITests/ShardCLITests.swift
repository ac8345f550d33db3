import Foundation
import XCTest

/// Beyond one machine: a grid split into shards (by users and by cells) and merged is the
/// unsharded run byte for byte; a run killed with SIGKILL mid-grid and resumed is the
/// uninterrupted run byte for byte; bad shard arguments and bad shard folders are clear errors
/// that write nothing.
final class ShardCLITests: XCTestCase {
    var dir: URL!
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The files an unsharded run and a merge must agree on, byte for byte.
    let compared = ["metrics.json", "per_user.csv", "comparison.json", "report.md", "report.html", "segments.csv", "per_step.csv", "pre_period.csv"]

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("data"), withIntermediateDirectories: true)
        setenv("PROFILEBENCH_MODELS", ShardCLITests.repo.appendingPathComponent("models").path, 1)
        XCTAssertEqual(try pb("synth", "--out", "data/synthetic.h5").status, 0)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    @discardableResult
    func pb(_ args: String...) throws -> ProcessOutput { try runProfileBench(args, in: dir) }

    func path(_ n: String) -> String { dir.appendingPathComponent(n).path }

    func exists(_ n: String) -> Bool { FileManager.default.fileExists(atPath: path(n)) }

    /// A 32-cell grid on hash encoders with `compare`, prequential, PCA and concat/max.
    func writeSmallSpec(_ name: String = "s.json", seed: Int = 42) throws {
        let text = """
        {"name": "small", "dataset": "data/synthetic.h5",
         "protocol": [{"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2}, {"kind": "prequential", "history": 0.5, "window_events": 5}],
         "encoders": [{"name": "hash-64"}, {"name": "hash-128"}],
         "strategies": [{"name": "static"}, {"name": "mean"}, {"name": "decay", "half_life_days": 14}, {"name": "concat", "window": 20, "aggregate": "max"}],
         "event_weights": {"view": 1, "click": 1, "cart": 2, "purchase": 3},
         "reductions": [{"method": "none"}, {"method": "pca", "components": 16}],
         "metrics": ["recall@10", "ndcg@10", "hit@10", "coverage@10"],
         "compare": {"baseline": "static", "tests": ["paired-t", "wilcoxon", "randomization"]}, "seed": \(seed)}
        """
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }

    func assertSameFiles(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for f in compared where exists("\(a)/\(f)") {
            let x = try Data(contentsOf: URL(fileURLWithPath: path("\(a)/\(f)"))), y = try Data(contentsOf: URL(fileURLWithPath: path("\(b)/\(f)")))
            XCTAssertFalse(x.isEmpty, "\(a)/\(f) is empty", file: file, line: line)
            XCTAssertEqual(x, y, "\(a)/\(f) and \(b)/\(f) differ", file: file, line: line)
        }
        XCTAssertTrue(exists("\(b)/metrics.json"), file: file, line: line)
    }

    /// Runs the N shards, two at a time (as independent processes would on a cluster), then merges.
    func shardAndMerge(spec: String, n: Int, by: String, into out: String) throws {
        let folders = (0..<n).map { "\(out)-part\($0)" }
        let statuses = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { statuses.deallocate() }
        let bin = try XCTUnwrap(CLITests.binary)
        let d = dir!
        let slots = UnsafeSendableStatuses(statuses)
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            for i in stride(from: lane, to: n, by: 2) {
                let r = try? runProcess(bin, ["run", spec, "--shard", "\(i)/\(n)", "--shard-by", by, "--out", folders[i], "--quiet"], in: d)
                slots.base[i] = r?.status ?? -1
            }
        }
        for i in 0..<n {
            XCTAssertEqual(statuses[i], 0, "shard \(i)/\(n) failed")
            XCTAssertTrue(exists("\(folders[i])/shard.rec"))
        }
        let m = try runProfileBench(["merge"] + folders + ["--out", out], in: dir)
        XCTAssertEqual(m.status, 0, m.stderr)
        XCTAssertTrue(m.stdout.contains("merged \(n) shards"), m.stdout)
    }

    func testQuickstartShardedOneThreeAndSevenWaysMergesToTheUnshardedRun() throws {
        try FileManager.default.copyItem(atPath: ShardCLITests.repo.appendingPathComponent("experiments/quickstart.json").path, toPath: path("quickstart.json"))
        let r = try pb("run", "quickstart.json", "--out", "whole", "--quiet")
        XCTAssertEqual(r.status, 0, r.stderr)
        for n in [1, 3, 7] {
            try shardAndMerge(spec: "quickstart.json", n: n, by: "users", into: "merged\(n)")
            try assertSameFiles("whole", "merged\(n)")
        }
        // A shard's users are those whose id hashes to it: the parts partition the users.
        let lines = (0..<3).map { i in (try? String(contentsOfFile: path("merged3-part\(i)/per_user.csv"), encoding: .utf8))?.split(separator: "\n").count ?? 0 }
        let whole = try String(contentsOfFile: path("whole/per_user.csv"), encoding: .utf8).split(separator: "\n").count
        XCTAssertEqual(lines.reduce(0, +) - 3, whole - 1)
        XCTAssertTrue(lines.allSatisfy { $0 > 1 }, "\(lines)")
    }

    func testSmallGridShardedByUsersAndByCellsMergesByteForByte() throws {
        try writeSmallSpec()
        XCTAssertEqual(try pb("run", "s.json", "--out", "whole", "--quiet").status, 0)
        try shardAndMerge(spec: "s.json", n: 3, by: "users", into: "users3")
        try assertSameFiles("whole", "users3")
        try shardAndMerge(spec: "s.json", n: 5, by: "cells", into: "cells5")
        try assertSameFiles("whole", "cells5")
        // By cells each part holds about a fifth of the 32 cells, every user in each.
        let cells = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("cells5-part0/metrics.json")))) as? [String: Any])
        XCTAssertEqual((cells["variants"] as? [Any])?.count, 7)   // cells 0, 5, …, 30 of 32
    }

    func testKilledRunResumesToTheUninterruptedBytes() throws {
        try writeSmallSpec()
        XCTAssertEqual(try pb("run", "s.json", "--out", "whole", "--quiet").status, 0)
        // Start a run, kill it with SIGKILL once a few cells are finished.
        let bin = try XCTUnwrap(CLITests.binary)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = ["run", "s.json", "--out", "resumed", "--quiet"]
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let cells = path("resumed/.cells")
        let deadline = Date().addingTimeInterval(120)
        var finished = 0
        while Date() < deadline {
            finished = ((try? FileManager.default.contentsOfDirectory(atPath: cells)) ?? []).filter { $0.hasSuffix(".rec") }.count
            if finished >= 4 || !p.isRunning { break }
            usleep(20_000)
        }
        XCTAssertTrue(p.isRunning, "the run finished before it could be killed")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        XCTAssertFalse(exists("resumed/metrics.json"), "a killed run left a metrics.json")
        let kept = try FileManager.default.contentsOfDirectory(atPath: cells).filter { $0.hasSuffix(".rec") }.count
        XCTAssertGreaterThanOrEqual(kept, 4)
        XCTAssertLessThan(kept, 32)
        let r = try pb("run", "s.json", "--out", "resumed")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("reused \(kept) finished cells"), r.stderr)
        try assertSameFiles("whole", "resumed")
        // The cells stay with the folder; --fresh recomputes them all.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cells).filter { $0.hasSuffix(".rec") }.count, 32)
        let f = try pb("run", "s.json", "--out", "resumed", "--fresh")
        XCTAssertEqual(f.status, 0, f.stderr)
        XCTAssertFalse(f.stderr.contains("reused"), f.stderr)
        try assertSameFiles("whole", "resumed")
    }

    func testBadShardArgumentsAreErrorsThatWriteNothing() throws {
        try writeSmallSpec()
        for (arg, message) in [("3/2", "--shard 3/2: i must be between 0 and N - 1 = 1 (got 3)"), ("0/0", "--shard 0/0: N must be at least 1 (got 0)"),
                               ("a/3", "--shard must be i/N with integers 0 <= i < N (got \"a/3\")")] {
            let r = try pb("run", "s.json", "--shard", arg, "--out", "bad")
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.stderr.contains(message), r.stderr)
            XCTAssertFalse(exists("bad"))
        }
        let by = try pb("run", "s.json", "--shard", "0/2", "--shard-by", "rows", "--out", "bad")
        XCTAssertNotEqual(by.status, 0)
        XCTAssertTrue(by.stderr.contains("--shard-by must be users or cells (got \"rows\")"), by.stderr)
    }

    func testBadShardFoldersAreErrorsNamingTheFolder() throws {
        try writeSmallSpec()
        try writeSmallSpec("other.json", seed: 43)
        for i in 0..<2 { XCTAssertEqual(try pb("run", "s.json", "--shard", "\(i)/2", "--out", "p\(i)", "--quiet").status, 0) }
        XCTAssertEqual(try pb("run", "other.json", "--shard", "1/2", "--out", "q1", "--quiet").status, 0)
        func mergeFails(_ folders: [String], _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try runProfileBench(["merge"] + folders + ["--out", "m"], in: dir)
            XCTAssertEqual(r.status, 1, r.stdout, file: file, line: line)
            XCTAssertTrue(r.stderr.contains(expected), r.stderr, file: file, line: line)
            XCTAssertFalse(exists("m"), "a failed merge wrote its folder", file: file, line: line)
        }
        try mergeFails(["p0", "q1"], "q1: is not a shard of the same run as p0: its spec_sha256 is")
        try mergeFails(["p0"], "merge: shard 1/2 missing")
        try mergeFails(["p0", "p1", "p1"], "p1: shard 1/2 is given twice (also p1)")
        try mergeFails(["p0", "whole-never-made"], "whole-never-made: no such folder")
        try FileManager.default.removeItem(atPath: path("p1/cells/3.rec"))
        try mergeFails(["p0", "p1"], "p1/cells/3.rec: no such file (the shard folder is incomplete)")
        try FileManager.default.removeItem(atPath: path("p1/shard.rec"))
        try mergeFails(["p0", "p1"], "p1/shard.rec: no such file")
        // A whole results folder is not a shard.
        XCTAssertEqual(try pb("run", "s.json", "--out", "whole", "--quiet").status, 0)
        try mergeFails(["whole"], "whole/shard.rec: no such file")
    }
}

/// Lets the two lanes of `shardAndMerge` write their own slots of one buffer.
struct UnsafeSendableStatuses: @unchecked Sendable {
    let base: UnsafeMutableBufferPointer<Int32>
    init(_ b: UnsafeMutableBufferPointer<Int32>) { base = b }
}
