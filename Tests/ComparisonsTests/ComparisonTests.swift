import Foundation
import JSON
import Statistics
import XCTest
@testable import Comparisons
import Experiments
@testable import Results

/// Comparisons read from hand-written results folders: pairing, baselines, the family
/// adjustment, seeded determinism, segments, split traffic and the regression check.
final class ComparisonTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-cmp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A results folder with variants `hash-8/<strategy>/none` of one holdout protocol, per-user
    /// values `values[strategy][user]` of one metric `ndcg@5`, written through the Results model.
    func folder(_ name: String, _ values: [(String, [Double])], seed: Int = 7, compare: String? = "static",
                segments: [(Int, Double)]? = nil) throws -> String {
        let path = dir.appendingPathComponent(name).path
        let proto = "holdout(history=0.6,test=0.2,update=0.2)"
        var specJSON: [(String, JSONValue)] = [
            ("name", .string(name)), ("dataset", .string("d.h5")),
            ("protocol", .object([("kind", .string("holdout")), ("history", .double(0.6)), ("update", .double(0.2)), ("test", .double(0.2))])),
            ("encoders", .array([.object([("name", .string("hash-8"))])])),
            ("strategies", .array(values.map { s, _ in
                s == "decay" ? .object([("name", .string(s)), ("half_life_days", .int(7))]) : .object([("name", .string(s))])
            })),
            ("metrics", .array([.string("ndcg@5")])), ("seed", .int(seed)),
        ]
        if let compare { specJSON.append(("compare", .object([("baseline", .string(compare))]))) }
        let specText = JSONWriter.string(.object(specJSON))
        let spec = try SpecParser.parse(text: specText, path: path + "/spec.json")
        let manifest = Manifest(name: name, specPath: path + "/spec.json", specJSON: .object(specJSON), specSHA256: "s", dataset: "d.h5",
                                datasetSHA256: "d", datasetSummary: (values.first?.1.count ?? 0, 8, 8), weightsSHA256: [("hash-8", "")],
                                tool: "profilebench", toolVersion: "0", gitCommit: "c", platform: "test", seed: seed, startTime: "",
                                endTime: "", warnings: [])
        let metrics = MetricsDocument(name: name, variants: values.map { s, v in
            VariantEntry(protocolID: proto, id: "hash-8/\(s)/none", encoder: "hash-8", strategy: StrategyRecord(name: s),
                         reduction: ReductionRecord(method: "none", components: nil),
                         summaries: [MetricValue(metric: "ndcg@5", mean: v.reduce(0, +) / Double(v.count), ci95: (0, 1), n: v.count)],
                         skippedUsers: 0)
        })
        var perUser = PerUserTable(metrics: ["ndcg@5"], hasProtocolColumn: false, hasCaseColumn: false)
        for (s, v) in values {
            perUser.append(VariantKey(protocolID: proto, id: "hash-8/\(s)/none"),
                           PerUserTable.Rows(units: v.indices.map { ResultUnit(user: "u,\($0)") }, values: v))
        }
        let segs = SegmentTable(hasCaseColumn: false, protocols: segments.map { s in
            [(proto, s.enumerated().map { SegmentCovariate(unit: ResultUnit(user: "u,\($0.offset)"), historyEvents: $0.element.0, drift: $0.element.1) })]
        } ?? [])
        try ResultsFolder(path: path, manifest: manifest, spec: spec, metrics: metrics, timings: Timings(wallSeconds: 0, variants: []),
                          perUser: perUser, segments: segs).write(extra: [])
        return path
    }

    static func noisy(_ n: Int, shift: Double, seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<n).map { _ in min(1, max(0, 0.3 + shift + 0.2 * g.nextGaussian())) }
    }

    func testWithinComparesEachStrategyWithStaticAndAdjustsOverTheFamily() throws {
        let base = Self.noisy(60, shift: 0, seed: 1)
        let better = base.map { min(1, $0 + 0.1) }
        let same = Self.noisy(60, shift: 0, seed: 2)
        let f = try ResultsFolder.load(folder("r", [("static", base), ("mean", better), ("decay", same)]))
        let settings = try ComparisonSettings.resolve(f)
        XCTAssertEqual(settings.baseline, "static")
        XCTAssertEqual(settings.seed, 7)
        let doc = try ComparisonDocument.within(f, settings: settings)
        XCTAssertEqual(doc.comparisons.map(\.variant), ["hash-8/mean/none", "hash-8/decay/none"])
        XCTAssertEqual(doc.comparisons.map(\.baseline), ["hash-8/static/none", "hash-8/static/none"])
        let c = doc.comparisons[0]
        XCTAssertEqual(c.n, 60)
        XCTAssertEqual(c.delta, c.meanVariant - c.meanBaseline)
        XCTAssertEqual(c.p.map(\.test), ["paired-t", "wilcoxon", "randomization"])
        XCTAssertEqual(c.verdict(alpha: 0.05), .better)
        XCTAssertEqual(c.wins + c.ties + c.losses, 60)
        XCTAssertEqual(c.losses, 0)
        // Holm over the two comparisons, test by test.
        for j in 0..<3 {
            let raw = doc.comparisons.map { $0.p[j].value ?? .nan }
            XCTAssertEqual(doc.comparisons.map { $0.pAdjusted[j].value ?? .nan }, holm(raw))
        }
        let json = JSONWriter.string(doc.json())
        let parsed = try JSONParser.parse(json)
        XCTAssertEqual(parsed.objectValue?.prefix(3).map(\.0), ["alpha", "correction", "comparisons"])
        XCTAssertEqual(parsed["comparisons"]?.arrayValue?.first?.objectValue?.prefix(14).map(\.0),
                       ["baseline", "variant", "metric", "n", "mean_baseline", "mean_variant", "delta", "ci95", "p",
                        "p_adjusted", "effect_size", "wins", "ties", "losses"])
    }

    func testIntervalAndRandomizationPAreIdenticalForTheSameSeed() throws {
        let base = Self.noisy(80, shift: 0, seed: 3), other = Self.noisy(80, shift: 0.02, seed: 4)
        let f = try ResultsFolder.load(folder("r", [("static", base), ("mean", other)]))
        let settings = try ComparisonSettings.resolve(f)
        let a = try ComparisonDocument.within(f, settings: settings), b = try ComparisonDocument.within(f, settings: settings)
        XCTAssertEqual(JSONWriter.string(a.json()), JSONWriter.string(b.json()))
        let ca = a.comparisons[0], cb = b.comparisons[0]
        XCTAssertEqual(ca.ci95?.lo, cb.ci95?.lo)
        XCTAssertEqual(ca.ci95?.hi, cb.ci95?.hi)
        XCTAssertEqual(ca.p[2].value, cb.p[2].value)
        // Another seed draws other resamples.
        var other8 = settings
        other8.seed = 8
        let c = try ComparisonDocument.within(f, settings: other8).comparisons[0]
        XCTAssertNotEqual(c.ci95?.lo, ca.ci95?.lo)
        XCTAssertEqual(c.p[0].value, ca.p[0].value, "the t-test does not resample")
    }

    func testBaselineByVariantIdAndErrors() throws {
        let v = Self.noisy(10, shift: 0, seed: 5)
        let f = try ResultsFolder.load(folder("r", [("static", v), ("mean", v)], compare: nil))
        XCTAssertThrowsError(try ComparisonSettings.resolve(f)) { e in
            XCTAssertTrue("\(e)".contains("--baseline"), "\(e)")
        }
        let doc = try ComparisonDocument.within(f, settings: ComparisonSettings.resolve(f, baseline: "hash-8/mean/none"))
        XCTAssertEqual(doc.comparisons.map(\.variant), ["hash-8/static/none"])
        // All differences zero: the t-test and Wilcoxon are undefined, randomization p is 1.
        XCTAssertNil(doc.comparisons[0].p[0].value)
        XCTAssertEqual(doc.comparisons[0].p[2].value, 1)
        XCTAssertEqual(doc.comparisons[0].verdict(alpha: 0.05), .noDifference)
        XCTAssertThrowsError(try ComparisonDocument.within(f, settings: ComparisonSettings.resolve(f, baseline: "concat"))) { e in
            XCTAssertTrue("\(e)".contains("matches no strategy"), "\(e)")
        }
    }

    func testSegmentsSplitUsersIntoTerciles() throws {
        let n = 30
        let base = Self.noisy(n, shift: 0, seed: 6)
        // The variant helps the high-drift third only.
        let drift = (0..<n).map { Double($0) / Double(n) }
        let variant = zip(base, drift).map { $1 > 0.66 ? min(1, $0 + 0.3) : $0 }
        let f = try ResultsFolder.load(folder("r", [("static", base), ("mean", variant)],
                                              segments: (0..<n).map { ($0 % 5 + 1, drift[$0]) }))
        let doc = try ComparisonDocument.within(f, settings: ComparisonSettings.resolve(f))
        let driftSegments = doc.segments.filter { $0.segmentation == "drift" }
        XCTAssertEqual(driftSegments.map(\.segment), ["low", "mid", "high"])
        XCTAssertEqual(driftSegments.map(\.users).reduce(0, +), n)
        XCTAssertEqual(driftSegments[0].comparisons[0].delta, 0)
        XCTAssertGreaterThan(driftSegments[2].comparisons[0].delta, 0.1)
        XCTAssertEqual(doc.segments.filter { $0.segmentation == "activity" }.map(\.users).reduce(0, +), n)
    }

    func testSplitTrafficAssignsEveryPairedUserToOneArm() throws {
        let base = Self.noisy(400, shift: 0, seed: 9), variant = Self.noisy(400, shift: 0.1, seed: 10)
        let f = try ResultsFolder.load(folder("r", [("static", base), ("mean", variant)]))
        let settings = try ComparisonSettings.resolve(f)
        let r = try ComparisonDocument.splitTraffic(f, settings: settings)
        XCTAssertEqual(r.count, 1)
        XCTAssertEqual(r[0].usersA + r[0].usersB, 400)
        XCTAssertGreaterThan(r[0].srm?.p ?? 0, 0.001, "a seeded hash splits about evenly")
        XCTAssertLessThan(r[0].welch?.p ?? 1, 0.05)
        let again = try ComparisonDocument.splitTraffic(f, settings: settings)
        XCTAssertEqual(again[0].usersA, r[0].usersA)
    }

    func testCUPEDUsesThePrePeriodMetric() throws {
        // The pre-period value predicts each user's level: CUPED removes most of the variance.
        let level = Self.noisy(300, shift: 0, seed: 13)
        let noise = Self.noisy(300, shift: -0.3, seed: 14).map { $0 * 0.1 }
        let base = zip(level, noise).map { $0 + $1 }, variant = base.map { $0 + 0.02 }
        let path = try folder("r", [("static", base), ("mean", variant)])
        var csv = "protocol,encoder,reduction,user,ndcg@5\n"
        for (u, x) in level.enumerated() { csv += "\"holdout(history=0.6,test=0.2,update=0.2)\",hash-8,none,\"u,\(u)\",\(JSONWriter.format(x))\n" }
        try csv.write(toFile: path + "/pre_period.csv", atomically: true, encoding: .utf8)
        let f = try ResultsFolder.load(path)
        let r = try ComparisonDocument.splitTraffic(f, settings: ComparisonSettings.resolve(f))
        let c = try XCTUnwrap(r[0].cuped)
        XCTAssertEqual(c.users, 300)
        XCTAssertGreaterThan(c.varianceReduction, 0.8)
        XCTAssertLessThan(c.welch?.p ?? 1, r[0].welch?.p ?? 0, "the adjusted test is more sensitive")
        XCTAssertEqual(c.delta, 0.02, accuracy: 0.01)
    }

    func testCheckPassesASameRunAndFailsADegradedOneNamingTheMetric() throws {
        let base = Self.noisy(100, shift: 0, seed: 11), mean = Self.noisy(100, shift: 0.05, seed: 12)
        let a = try ResultsFolder.load(folder("a", [("static", base), ("mean", mean)]))
        let same = try ResultsFolder.load(folder("b", [("static", base), ("mean", mean)]))
        let ok = RegressionCheck.run(baseline: a, current: same)
        XCTAssertTrue(ok.passed, ok.failures.map(\.line).joined(separator: "\n"))
        XCTAssertTrue(ok.provenance.allSatisfy(\.same))

        // 0.003 worse for every user: within the 0.005 tolerance, but significant.
        let slightly = try ResultsFolder.load(folder("c", [("static", base), ("mean", mean.map { $0 - 0.003 })]))
        let sig = RegressionCheck.run(baseline: a, current: slightly)
        XCTAssertEqual(sig.failures.map(\.status), [.fellSignificantly])
        XCTAssertTrue(sig.failures[0].line.hasPrefix("FAIL (significant) holdout(history=0.6,test=0.2,update=0.2) hash-8/mean/none ndcg@5: baseline"), sig.failures[0].line)

        let worse = try ResultsFolder.load(folder("d", [("static", base.map { $0 * 0.5 })]))
        let bad = RegressionCheck.run(baseline: a, current: worse)
        XCTAssertEqual(bad.failures.map(\.status), [.fellBeyondTolerance, .missing])
        XCTAssertEqual(RegressionCheck.run(baseline: a, current: worse, allowMissing: true).failures.count, 1)
    }
}
