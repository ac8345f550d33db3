import XCTest
import Datasets
import Experiments
import Learning
import Statistics
@testable import Runner

/// The learned strategies inside the runner: `online` with no steps is its `init` formula,
/// untrained identity `attention` is the weighted mean of the window, a learned strategy never
/// sees a ranked target (a planted target-only signal is not picked up, while the same model
/// trained on a leaky corpus does pick it up), training is bitwise deterministic, and a
/// protocol that leaves nothing to train on is an error naming the strategy.
final class LearnedStrategyTests: XCTestCase {
    var dir: URL!
    let items = 60, users = 120, dim = 16
    /// Visible events per user before the two ranked ones.
    let visible = 10

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-learned-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try writeDataset()
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    var datasetPath: String { dir.appendingPathComponent("d.h5").path }

    /// Seeded random unit vectors; every user views `visible` random items of 1..<items, then
    /// item 0 twice: under holdout(0.6, 0.2, 0.2) of 12 events those two are the ranked period,
    /// and item 0 occurs nowhere else. Event types view/cart alternate (weights 1 and 2).
    func writeDataset() throws {
        var g = SeededGenerator(seed: 20261202, label: "learned-tests")
        var user: [UInt32] = [], item: [UInt32] = [], time: [Int64] = [], type: [UInt8] = []
        for u in 0..<users {
            for e in 0..<(visible + 2) {
                user.append(UInt32(u))
                item.append(e < visible ? UInt32(1 + g.uniformIndex(items - 1)) : 0)
                time.append(Int64(1_700_000_000 + u * 1000 + e * 10))
                type.append(UInt8(e % 2))
            }
        }
        var v = [Float](repeating: 0, count: items * dim)
        for i in 0..<items {
            var s: Float = 0
            for c in 0..<dim { v[i * dim + c] = Float(2 * g.nextDouble() - 1); s += v[i * dim + c] * v[i * dim + c] }
            for c in 0..<dim { v[i * dim + c] /= s.squareRoot() }
        }
        let d = Dataset(eventUser: user, eventItem: item, eventTime: time, eventType: type, typeNames: ["view", "cart"],
                        itemIDs: (0..<items).map { "i\($0)" }, userIDs: (0..<users).map { "u\($0)" },
                        itemFields: [("title", (0..<items).map { "item \($0)" })])
        let table = EmbeddingTable(name: "hash-16", rows: items, dim: dim, values: v,
                                   attributes: EmbeddingAttributes(encoder: "hash-16", dim: dim, layers: 0, normalized: true,
                                                                   weightsSHA256: "", textTemplate: "{title}"))
        try DatasetIO.write(d, embeddings: [table], to: datasetPath)
    }

    func spec(_ strategies: String, protocol p: String = #"{"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2}"#) throws -> ExperimentSpec {
        try SpecParser.parse(text: """
            {"name": "learned", "dataset": "\(datasetPath)", "protocol": \(p),
             "encoders": [{"name": "hash-16"}], "strategies": [\(strategies)],
             "event_weights": {"view": 1, "cart": 2}, "metrics": ["hit@10", "ndcg@10"], "seed": 5}
            """, path: dir.appendingPathComponent("s.json").path)
    }

    func run(_ s: ExperimentSpec) throws -> RunResult { try ExperimentRunner(spec: s).run() }

    func hit10(_ r: VariantResult) -> Double { r.summaries.first { $0.metric.name == "hit@10" }!.summary.mean }

    func testOnlineWithoutStepsIsItsInitFormulaBitForBit() throws {
        let r = try run(spec("""
            {"name": "mean"}, {"name": "online", "steps": 0},
            {"name": "decay", "half_life_events": 3}, {"name": "online", "init": "decay", "half_life_events": 3, "steps": 0, "chunk": 3},
            {"name": "online", "steps": 3, "lr": 1}
            """))
        XCTAssertEqual(r.variants.count, 5)
        for (a, b) in [(0, 1), (2, 3)] {
            XCTAssertEqual(r.variants[a].perUser.count, users)
            XCTAssertEqual(r.variants[a].perUser.map(\.values), r.variants[b].perUser.map(\.values))
            XCTAssertEqual(r.variants[a].summaries.map(\.summary), r.variants[b].summaries.map(\.summary))
        }
        // Steps do move the profile (and the ranking).
        XCTAssertNotEqual(r.variants[0].perUser.map(\.values), r.variants[4].perUser.map(\.values))
        XCTAssertNil(r.variants[1].training)
    }

    func testUntrainedIdentityAttentionIsTheWeightedMeanOfTheWindow() throws {
        let s = try spec(#"{"name": "mean"}"#)
        let dataset = try DatasetIO.read(datasetPath)
        let log = EventLog(dataset: dataset, eventWeights: s.eventWeights)
        let qs = QuerySet(log: log, protocol: s.protocols[0].implementation(for: log), excludeSeen: true, users: nil)
        var space = ItemSpace(rows: items, dim: dim, values: try DatasetIO.readEmbeddings(datasetPath, name: "hash-16", itemIDs: dataset.itemIDs).values)
        space.normalizeRows()
        let engine = ScoringEngine(items: space, log: log, k: 10, excludeSeen: true)
        var t = RankingTimings()
        let mean = engine.buildVectors(qs.queries, strategy: .mean, timings: &t)
        let table = Matrix<Float>(rows: items, cols: dim, values: space.values)
        for window in [100, 4] {
            let model = try AttentionProfileModel<Float>(.init(dim: dim, typeCount: 2, window: window))
            let p = try LearnedProfiles.profiles(qs.queries, model: .attention(model.inference(items: table)), log: log, items: table, timings: &t)
            XCTAssertEqual(p.count, mean.count)
            if window >= visible + 2 {
                for (a, b) in zip(p, mean) { XCTAssertEqual(a, b, accuracy: 1e-6) }
            } else {
                // The newest `window` events only: the weighted mean of those, not of all.
                let q = qs.queries[0]
                let s0 = log.start[Int(q.user)]
                var acc = [Double](repeating: 0, count: dim)
                for e in (s0 + q.absorbed - window)..<(s0 + q.absorbed) {
                    for c in 0..<dim { acc[c] += log.weight[e] * Double(space.values[Int(log.item[e]) * dim + c]) }
                }
                let norm = acc.reduce(0) { $0 + $1 * $1 }.squareRoot()
                for c in 0..<dim { XCTAssertEqual(Double(p[c]), acc[c] / norm, accuracy: 1e-6) }
                XCTAssertGreaterThan(zip(p.prefix(dim), mean.prefix(dim)).map { abs($0 - $1) }.max()!, 1e-3)
            }
        }
    }

    /// Item 0 is only ever a ranked target. Trained on what the protocol lets it see, `mlp`
    /// cannot know that item 0 comes next and ranks it about as often as chance (10 of 59
    /// unseen items); the same model trained on a corpus that includes the ranked events ranks
    /// it first for nearly everyone — so the assertion would catch a leak.
    func testAPlantedTargetOnlySignalIsNotLearned() throws {
        let strategy = #"{"name": "mlp", "hidden": 32, "training": {"epochs": 30, "negatives": 0, "lr": 0.01, "validation": 0}}"#
        let s = try spec(strategy)
        let r = try run(s)
        let honest = hit10(r.variants[0])
        XCTAssertLessThan(honest, 0.3, "a learned strategy picked up a signal that exists only in the ranked targets")
        let t = try XCTUnwrap(r.variants[0].training)
        XCTAssertEqual(t.trainingExamples, users * (visible - 1))   // positions 1..<10 of each user's 10 visible events
        // The control: the same training on the leaky corpus (each user's events up to the end).
        let dataset = try DatasetIO.read(datasetPath)
        let log = EventLog(dataset: dataset, eventWeights: s.eventWeights)
        let qs = QuerySet(log: log, protocol: s.protocols[0].implementation(for: log), excludeSeen: true, users: nil)
        let leaky = qs.queries.map { Query(user: $0.user, historyEnd: $0.historyEnd, absorbed: $0.end, end: $0.end, relevant: $0.relevant) }
        var space = ItemSpace(rows: items, dim: dim, values: try DatasetIO.readEmbeddings(datasetPath, name: "hash-16", itemIDs: dataset.itemIDs).values)
        space.normalizeRows()
        let table = Matrix<Float>(rows: items, cols: dim, values: space.values)
        let (model, _) = try LearnedProfiles.train(s.strategies[0], visible: VisibleEvents(queries: leaky, log: log), items: table,
                                                   typeCount: 2, seed: 1, label: "leaky", log: { _ in })
        var timings = RankingTimings()
        let engine = ScoringEngine(items: space, log: log, k: 10, excludeSeen: true)
        let lists = try engine.rank(qs.queries, timings: &timings) { slice, t in
            try LearnedProfiles.profiles(slice, model: model, log: log, items: table, timings: &t)
        }
        let hits = (0..<qs.queries.count).filter { lists.list($0).contains(0) }.count
        print("planted-signal test: hit@10 trained on the visible events \(honest), on the leaky corpus \(Double(hits) / Double(qs.queries.count))")
        XCTAssertGreaterThan(Double(hits) / Double(qs.queries.count), 0.75, "the control should learn the planted signal")
    }

    func testTrainingIsBitwiseDeterministic() throws {
        let s = try spec(#"{"name": "attention", "window": 8, "training": {"epochs": 3, "negatives": 16, "batch": 64}}, {"name": "mlp", "hidden": 8, "training": {"epochs": 2}}"#)
        let a = try run(s), b = try run(s)
        for (x, y) in zip(a.variants, b.variants) {
            let tx = try XCTUnwrap(x.training), ty = try XCTUnwrap(y.training)
            XCTAssertFalse(tx.weights.isEmpty)
            XCTAssertEqual(tx.weights, ty.weights)
            XCTAssertEqual(tx.report.epochs.map(\.trainLoss), ty.report.epochs.map(\.trainLoss))
            XCTAssertEqual(x.perUser.map(\.values), y.perUser.map(\.values))
        }
        // A different seed trains different weights (the seed reaches the training).
        let other = try SpecParser.parse(text: s.sourceText.replacingOccurrences(of: "\"seed\": 5", with: "\"seed\": 6"), path: s.sourcePath)
        let c = try run(other)
        XCTAssertNotEqual(c.variants[0].training?.weights, a.variants[0].training?.weights)
    }

    func testAProtocolThatLeavesNoTrainingDataIsAnError() throws {
        // leave-last over users whose visible part is one event: 2-event users only.
        let s = try spec(#"{"name": "static"}, {"name": "attention"}"#, protocol: #"{"kind": "temporal", "test_from": 1700000001}"#)
        XCTAssertThrowsError(try run(s)) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("s.json: strategies[1] attention learns from next-event examples"), text)
            XCTAssertTrue(text.contains("protocol temporal"), text)
            XCTAssertTrue(text.contains("leaves none"), text)
        }
    }

    func testAttentionDimLargerThanTheProfileIsAnError() throws {
        let s = try spec(#"{"name": "attention", "dim": 17}"#)
        XCTAssertThrowsError(try ExperimentRunner(spec: s).validate()) { e in
            XCTAssertEqual("\(e)", "\(s.sourcePath): strategies[0].dim must be between 1 and the profile dimension 16 of hash-16 with reduction none (got 17)")
        }
    }
}

/// Under `cases` a user's later cases hold the earlier cases' targets in their histories: only
/// the history of each user's earliest case may be trained on.
final class CasesVisibleEventsTests: XCTestCase {
    func testOnlyTheEarliestCaseHistoryOfEachUserIsVisible() {
        // User 0: case rows 0 and 1 (row 1's history = row 0's history + row 0's target 7);
        // user 1: case row 2. Rows: history …, then the target; times are positions.
        let cases = EvaluationCases(user: [0, 0, 1], historyOffsets: [0, 2, 5, 7], historyItem: [1, 2, 1, 2, 7, 3, 4],
                                    historyTime: [0, 1, 0, 1, 2, 0, 1], target: [7, 8, 5])
        let log = EventLog(cases: cases)
        let qs = QuerySet(log: log, protocol: CasesImplementationProbe(), excludeSeen: false)
        XCTAssertEqual(qs.queries.count, 3)
        let leaky = VisibleEvents(queries: qs.queries, log: log)
        XCTAssertTrue(leaky.corpus.items.contains(7), "without the user map the later case's history is visible (the control)")
        let v = VisibleEvents(queries: qs.queries, log: log, unitUser: cases.user.map { Int32($0) })
        XCTAssertEqual(v.units, [0, 2])
        XCTAssertEqual(v.corpus.items, [1, 2, 3, 4])
        XCTAssertFalse(v.corpus.items.contains(7), "a ranked target (row 0's) is in the training corpus")
    }
}

/// Each case row: its history, then the ranked target (what the `cases` protocol does).
struct CasesImplementationProbe: EvaluationProtocol {
    func cuts(count n: Int, times: UnsafeBufferPointer<Int64>) -> [(historyEnd: Int, absorbed: Int, end: Int)] {
        n >= 2 ? [(n - 1, n - 1, n)] : []
    }
}
