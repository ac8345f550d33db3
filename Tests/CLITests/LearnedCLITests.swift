import Foundation
import XCTest

/// The learned strategies through the CLI: training.csv, the weights files with their sha256 in
/// the manifest, training seconds in timings.json, two runs with the same bytes, `reproduce`
/// retraining to the same weights, and a protocol with nothing to train on rejected.
final class LearnedCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-learned-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let s = try pb("synth", "--out", "d.h5", "--users", "80", "--items", "120", "--seed", "3")
        XCTAssertEqual(s.status, 0, s.stderr)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    @discardableResult
    func pb(_ args: String...) throws -> ProcessOutput { try runProfileBench(args, in: dir) }

    func data(_ name: String) throws -> Data { try Data(contentsOf: dir.appendingPathComponent(name)) }

    func writeSpec(protocol p: String = #"{"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2}"#) throws {
        let text = """
        {"name": "learned", "dataset": "d.h5", "protocol": \(p),
         "encoders": [{"name": "hash-32"}],
         "strategies": [{"name": "decay", "half_life_events": 5},
                        {"name": "attention", "window": 20, "training": {"epochs": 2, "negatives": 32}},
                        {"name": "mlp", "hidden": 16, "training": {"epochs": 2, "negatives": 0}},
                        {"name": "online", "steps": 2}],
         "event_weights": {"view": 1, "click": 1, "cart": 2, "purchase": 3},
         "metrics": ["hit@10", "ndcg@10"], "compare": {"baseline": "decay", "tests": ["paired-t"]}, "seed": 9}
        """
        try text.write(to: dir.appendingPathComponent("s.json"), atomically: true, encoding: .utf8)
    }

    func testTwoRunsGiveTheSameMetricsAndWeightsAndReproduceRetrains() throws {
        try writeSpec()
        let a = try pb("run", "s.json", "--out", "a")
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertTrue(a.stderr.contains("trained in"), a.stderr)
        let b = try pb("run", "s.json", "--out", "b", "--quiet")
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertEqual(try data("a/metrics.json"), try data("b/metrics.json"))

        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: data("a/manifest.json")) as? [String: Any])
        let trained = try XCTUnwrap(manifest["trained_weights"] as? [[String: Any]])
        XCTAssertEqual(trained.map { $0["variant"] as? String }, ["hash-32/attention(epochs=2,negatives=32,window=20)/none",
                                                                  "hash-32/mlp(epochs=2,hidden=16,negatives=0,window=50)/none"])
        XCTAssertNotNil(manifest["blas_threads"] as? Int)
        for t in trained {
            let file = try XCTUnwrap(t["file"] as? String)
            XCTAssertTrue(file.hasPrefix("weights/holdout(history=0.6,test=0.2,update=0.2)/hash-32/"), file)
            let bytes = try data("a/" + file)
            XCTAssertEqual(bytes, try data("b/" + file), "weights differ between two runs: \(file)")
            XCTAssertEqual(t["bytes"] as? Int, bytes.count)
            let sha = try runProcess("/usr/bin/sha256sum", [dir.appendingPathComponent("a/" + file).path], in: dir).stdout
            XCTAssertEqual(t["sha256"] as? String, String(sha.prefix(64)))
        }

        let csv = try XCTUnwrap(String(data: data("a/training.csv"), encoding: .utf8)).split(separator: "\n")
        XCTAssertEqual(csv.first, "protocol,variant,epoch,train_loss,validation_loss,validation_hit@10,best,examples,events,seconds,examples_per_second,events_per_second")
        XCTAssertEqual(csv.count, 1 + trained.reduce(0) { $0 + ($1["epochs"] as! Int) })
        let timings = try XCTUnwrap(JSONSerialization.jsonObject(with: data("a/timings.json")) as? [String: Any])
        let variants = try XCTUnwrap(timings["variants"] as? [[String: Any]])
        XCTAssertEqual(variants.filter { $0["training_seconds"] != nil }.count, 2)
        let html = try XCTUnwrap(String(data: data("a/report.html"), encoding: .utf8))
        XCTAssertTrue(html.contains("<h3>Training</h3>"))
        XCTAssertTrue(html.contains("loss per epoch"))
        let md = try XCTUnwrap(String(data: data("a/report.md"), encoding: .utf8))
        XCTAssertTrue(md.contains("## Training"))

        let r = try pb("reproduce", "a", "--quiet")
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("reproduced: metrics.json is byte-identical"), r.stdout)
        XCTAssertTrue(r.stdout.contains("the 2 trained weights files have the same sha256"), r.stdout)
    }

    func testReproduceFailsWhenARecordedWeightsHashDiffers() throws {
        try writeSpec()
        XCTAssertEqual(try pb("run", "s.json", "--out", "a", "--quiet").status, 0)
        let url = dir.appendingPathComponent("a/manifest.json")
        var text = try String(contentsOf: url, encoding: .utf8)
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let sha = try XCTUnwrap((manifest["trained_weights"] as? [[String: Any]])?.first?["sha256"] as? String)
        text = text.replacingOccurrences(of: sha, with: String(repeating: "0", count: 64))
        try text.write(to: url, atomically: true, encoding: .utf8)
        let r = try pb("reproduce", "a", "--quiet")
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(r.stdout.contains("NOT reproduced: 1 of 2 trained weights files differ"), r.stdout)
        XCTAssertTrue(r.stdout.contains("sha256 0000"), r.stdout)
    }

    func testAProtocolWithNothingToTrainOnIsAnErrorAndWritesNothing() throws {
        // leave-last leaves every user all but the last event to train on; a temporal cut at the
        // second-earliest event time leaves at most one visible event to anyone.
        try writeSpec(protocol: #"{"kind": "leave-last", "valid": false}"#)
        XCTAssertEqual(try pb("run", "s.json", "--out", "ok", "--quiet").status, 0)
        try writeSpec(protocol: #"{"kind": "temporal", "test_from_quantile": 1e-9}"#)
        let r = try pb("run", "s.json", "--out", "none", "--quiet")
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("s.json: strategies[1] attention learns from next-event examples"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("none").path))
    }
}
