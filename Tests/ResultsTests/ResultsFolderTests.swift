import Experiments
import Foundation
import JSON
import XCTest
@testable import Results

/// The results model: what it writes it reads back to the same bytes, and a malformed value in a
/// folder read back is an error naming the file and the field.
final class ResultsFolderTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-results-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    static let holdout = "holdout(history=0.6,test=0.2,update=0.2)"
    static let prequential = "prequential(history=0.5,window_events=5)"

    /// A folder of two protocols, a case column, quoted ids, NaN values, per-step, pre-period and
    /// training rows: every optional part present.
    func model(at name: String) throws -> ResultsFolder {
        let path = dir.appendingPathComponent(name).path
        let specText = """
            {"name": "model", "dataset": "d.h5",
             "protocol": [{"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2}, {"kind": "prequential", "history": 0.5, "window_events": 5}],
             "encoders": [{"name": "hash-8"}], "strategies": [{"name": "static"}, {"name": "decay", "half_life_days": 14}],
             "metrics": ["ndcg@5", "coverage@5"], "seed": 3, "compare": {"baseline": "static"}}
            """
        let spec = try SpecParser.parse(text: specText, path: path + "/spec.json")
        var manifest = Manifest(name: "model", specPath: "spec.json", specJSON: try JSONParser.parse(specText), specSHA256: "a",
                                dataset: "d.h5", datasetSHA256: "b", datasetSummary: (3, 8, 40), weightsSHA256: [("hash-8", "")],
                                tool: "profilebench", toolVersion: "0.1.0", gitCommit: "c", platform: "Linux", seed: 3,
                                startTime: "2026-12-02T10:00:00Z", endTime: "2026-12-02T10:00:01Z", warnings: ["w, \"quoted\""])
        manifest.blasThreads = 2
        manifest.openblasCoretype = ""
        manifest.trainedWeights = [Manifest.TrainedWeights(protocolID: Self.holdout, variant: "hash-8/static/none", file: "weights/x.safetensors",
                                                           sha256: "d", bytes: 4, epochs: 2, bestEpoch: 1, trainingUsers: 2, validationUsers: 1,
                                                           trainingExamples: 10, validationExamples: 3)]
        let strategies = [StrategyRecord(name: "static"), StrategyRecord(name: "decay", parameters: [("half_life_days", .int(14))])]
        var variants: [VariantEntry] = []
        var perUser = PerUserTable(metrics: ["ndcg@5"], hasProtocolColumn: true, hasCaseColumn: true)
        for p in [Self.holdout, Self.prequential] {
            for s in strategies {
                let v = VariantEntry(protocolID: p, id: "hash-8/\(s.id)/none", encoder: "hash-8", strategy: s,
                                     reduction: ReductionRecord(method: "none", components: nil),
                                     summaries: [MetricValue(metric: "ndcg@5", mean: 0.25, ci95: (0.125, 0.5), n: 3),
                                                 MetricValue(metric: "coverage@5", mean: 0.75, ci95: nil, n: 3)],
                                     skippedUsers: 1, skippedSteps: p == Self.prequential ? 2 : nil)
                variants.append(v)
                perUser.append(v.key, PerUserTable.Rows(units: [ResultUnit(user: "u,1"), ResultUnit(user: "u\"2", case: "7"), ResultUnit(user: "u3")],
                                                        values: [0.1, .nan, 1.0 / 3]))
            }
        }
        let segments = SegmentTable(hasCaseColumn: true, protocols: [(Self.holdout, [SegmentCovariate(unit: ResultUnit(user: "u,1"), historyEvents: 4, drift: .nan),
                                                                                       SegmentCovariate(unit: ResultUnit(user: "u3", case: "2"), historyEvents: 9, drift: 0.5)])])
        let timings = Timings(wallSeconds: 1.5, variants: variants.map {
            Timings.Variant(id: $0.id, protocolID: $0.protocolID, measured: VariantTimings(
                updateMicrosecondsPerEvent: 0.5, scoringMillisecondsPerList: 0.25, profileSeconds: 0.125, scoringSeconds: 1, lists: 3,
                peakMemoryBytes: 1 << 20, trainingSeconds: $0.strategy.name == "static" ? 2 : nil))
        })
        var folder = ResultsFolder(path: path, manifest: manifest, spec: spec, metrics: MetricsDocument(name: "model", variants: variants),
                                   timings: timings, perUser: perUser, segments: segments)
        folder.perStepMetrics = ["ndcg@5"]
        folder.perStep = [PerStepRow(protocolID: Self.prequential, variant: "hash-8/static/none", step: 0, lists: 3, values: [("ndcg@5", 0.5)]),
                          PerStepRow(protocolID: Self.prequential, variant: "hash-8/static/none", step: 1, lists: 2, values: [("ndcg@5", .nan)])]
        folder.prePeriod = PrePeriodTable(metrics: ["ndcg@5"], hasCaseColumn: true, groups: [
            PrePeriodTable.Group(protocolID: Self.holdout, encoder: "hash-8", reduction: "none", units: [ResultUnit(user: "u,1")], values: [0.2]),
        ])
        folder.trainingEpochs = [
            TrainingEpoch(protocolID: Self.holdout, variant: "hash-8/static/none", epoch: 1, trainLoss: 2.5, validationLoss: 2.25,
                          validationHitRate: 0.5, best: true, examples: 10, events: 30, seconds: 0.01, examplesPerSecond: 1000, eventsPerSecond: 3000),
            TrainingEpoch(protocolID: Self.holdout, variant: "hash-8/static/none", epoch: 2, trainLoss: 2, validationLoss: nil,
                          validationHitRate: nil, best: false, examples: 10, events: 30, seconds: 0.02, examplesPerSecond: 500, eventsPerSecond: 1500),
        ]
        folder.weights = [("weights/x.safetensors", Data([1, 2, 3, 4]))]
        return folder
    }

    func testWhatIsWrittenReadsBackToTheSameBytes() throws {
        let folder = try model(at: "a")
        try folder.write(extra: [("report.md", Data("# r\n".utf8))])
        let back = try ResultsFolder.load(folder.path)
        let written = folder.files.filter { !$0.name.hasPrefix("weights/") }
        XCTAssertEqual(written.map(\.name), ["manifest.json", "metrics.json", "timings.json", "per_user.csv", "segments.csv",
                                             "per_step.csv", "pre_period.csv", "training.csv"])
        XCTAssertEqual(back.files.map(\.name), written.map(\.name))
        for (a, b) in zip(written, back.files) {
            XCTAssertEqual(String(decoding: b.data, as: UTF8.self), String(decoding: a.data, as: UTF8.self), a.name)
            let onDisk = try Data(contentsOf: URL(fileURLWithPath: folder.path).appendingPathComponent(a.name))
            XCTAssertEqual(onDisk, a.data, a.name)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: folder.path).appendingPathComponent("weights/x.safetensors")), Data([1, 2, 3, 4]))
        // Typed fields, not recovered from the id.
        XCTAssertEqual(back.variants.map(\.strategyID), ["static", "decay(half_life_days=14)", "static", "decay(half_life_days=14)"])
        XCTAssertEqual(back.protocols, [Self.holdout, Self.prequential])
        XCTAssertEqual(back.perUser.column(VariantKey(protocolID: Self.holdout, id: "hash-8/static/none"), metric: "ndcg@5")?.map(\.user),
                       ["u,1", "u\"2:7", "u3"])
        XCTAssertTrue(back.perUser.values(VariantKey(protocolID: Self.holdout, id: "hash-8/static/none"), metric: "ndcg@5")!["u\"2:7"]!.isNaN)
        XCTAssertEqual(back.manifest.trainedWeights, folder.manifest.trainedWeights)
        XCTAssertEqual(back.segments[Self.holdout]?.map(\.user), ["u,1", "u3:2"])
        XCTAssertEqual(back.spec.name, "model")
    }

    func testStrategyIDsAreBuiltAsTheSpecBuildsThem() {
        let specs: [StrategySpec] = [.static, .decayDays(halfLife: 14), .decayDays(halfLife: 0.5), .concat(window: 20, aggregate: .max, temperature: nil),
                                     .interests(window: 10, k: 2, aggregate: .max, center: true)]
        for s in specs {
            let v = Variant(encoder: EncoderSpec(name: "hash-8"), strategy: s, reduction: .none)
            XCTAssertEqual(StrategyRecord(v).id, s.id)
        }
    }

    /// Rewrites `file` of a written folder with `change` and asserts that loading it fails with `message`.
    func assertLoadFails(_ file: String, _ change: (String) -> String, _ message: String, line: UInt = #line) throws {
        let folder = try model(at: "f\(line)")
        try folder.write(extra: [])
        let url = URL(fileURLWithPath: folder.path).appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let changed = change(text)
        XCTAssertNotEqual(changed, text, "the change must change the file", line: line)
        try changed.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ResultsFolder.load(folder.path), line: line) { e in
            XCTAssertEqual("\(e)", "\(url.path): \(message)", line: line)
        }
    }

    func testMalformedValuesAreErrorsNamingTheFileAndTheField() throws {
        try assertLoadFails("metrics.json", { $0.replacingOccurrences(of: "\"mean\": 0.25", with: "\"mean\": \"x\"") },
                            "variants[0].metrics.ndcg@5.mean: expected a number, found \"x\"")
        try assertLoadFails("metrics.json", { $0.replacingOccurrences(of: "\"skipped_users\": 1", with: "\"skipped\": 1") },
                            "variants[0].skipped_users: expected an integer, found nothing")
        try assertLoadFails("metrics.json", { $0.replacingOccurrences(of: "\"id\": \"hash-8/static/none\"", with: "\"id\": \"hash-8/mean/none\"") },
                            "variants[0].id: \"hash-8/mean/none\" is not the id of its encoder, strategy and reduction (\"hash-8/static/none\")")
        try assertLoadFails("manifest.json", { $0.replacingOccurrences(of: "\"seed\": 3,", with: "\"seed\": \"3\",") },
                            "seed: expected an integer, found \"3\"")
        try assertLoadFails("manifest.json", { $0.replacingOccurrences(of: "\"epochs\": 2,", with: "") },
                            "trained_weights[0].epochs: expected an integer, found nothing")
        try assertLoadFails("per_user.csv", { $0.replacingOccurrences(of: ",0.1\n", with: ",abc\n") },
                            "line 2, ndcg@5: expected a number or null, found \"abc\"")
        try assertLoadFails("per_user.csv", { $0.replacingOccurrences(of: ",0.1\n", with: ",0.1,9\n") }, "line 2 has 6 fields, expected 5")
        try assertLoadFails("segments.csv", { $0.replacingOccurrences(of: ",4,null", with: ",four,null") },
                            "line 2, history_events: expected an integer, found \"four\"")
        try assertLoadFails("training.csv", { $0.replacingOccurrences(of: ",2.5,", with: ",,") }, "line 2, train_loss: expected a number, found \"\"")
        try assertLoadFails("timings.json", { $0.replacingOccurrences(of: "\"lists\": 3", with: "\"lists\": 3.5") },
                            "variants[0].lists: expected an integer, found 3.5")
    }

    func testAFolderWithoutManifestSaysSo() throws {
        let folder = try model(at: "m")
        try folder.write(extra: [])
        try FileManager.default.removeItem(atPath: folder.path + "/manifest.json")
        XCTAssertThrowsError(try ResultsFolder.load(folder.path)) { e in
            XCTAssertEqual("\(e)", "\(folder.path)/manifest.json: no such file (not a results folder written by `profilebench run`?)")
        }
    }
}
