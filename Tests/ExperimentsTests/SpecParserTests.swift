import XCTest
@testable import Experiments
import JSON

final class SpecParserTests: XCTestCase {
    let valid = """
    {
      "name": "t",
      "dataset": "data/x.h5",
      "protocol": {"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2},
      "encoders": [{"name": "hash-64"}, {"name": "minilm-l6", "layers": 3}],
      "strategies": [{"name": "static"}, {"name": "decay", "half_life_days": 14},
                     {"name": "concat"}, {"name": "concat", "window": 5, "aggregate": "softmax", "temperature": 0.5}],
      "reductions": [{"method": "none"}, {"method": "pca", "components": 64}],
      "metrics": ["recall@10", "ndcg@5", "coverage@10"],
      "seed": 7
    }
    """

    func parse(_ text: String) throws -> ExperimentSpec { try SpecParser.parse(text: text, path: "spec.json") }

    func error(_ text: String) -> String {
        do { _ = try parse(text); return "no error" } catch { return "\(error)" }
    }

    func replacing(_ a: String, _ b: String) -> String {
        precondition(valid.contains(a), a)
        return valid.replacingOccurrences(of: a, with: b)
    }

    func testValidSpecAndVariantIds() throws {
        let s = try parse(valid)
        XCTAssertEqual(s.variants.count, 2 * 4 * 2)
        XCTAssertEqual(s.variants.map(\.id).prefix(4), [
            "hash-64/static/none", "hash-64/decay(half_life_days=14)/none",
            "hash-64/concat(aggregate=max,window=50)/none",
            "hash-64/concat(aggregate=softmax,temperature=0.5,window=5)/none",
        ])
        XCTAssertEqual(s.variants.last?.id, "minilm-l6-l3/concat(aggregate=softmax,temperature=0.5,window=5)/pca(64)")
        XCTAssertEqual(s.protocols, [.holdout(history: 0.6, update: 0.2, test: 0.2)])
        XCTAssertEqual(s.seed, 7)
        XCTAssertTrue(s.excludeSeen)
        XCTAssertEqual(s.maxK, 10)
    }

    func testMalformedJSONNamesLineAndColumn() {
        XCTAssertEqual(error("{\n  \"name\": \"t\",\n  \"dataset\" \"x\"\n}"),
                       "spec.json: is not valid JSON: line 3, column 13: expected ':' after the key, found '\"'")
        XCTAssertEqual(error("{\"a\": [1, 2,]}"), "spec.json: is not valid JSON: line 1, column 13: expected a value, found ']'")
    }

    func testUnknownKeyWithDidYouMean() {
        XCTAssertEqual(error(replacing("\"seed\": 7", "\"sede\": 7")),
                       "spec.json: sede is not a known key; did you mean \"seed\"? (allowed: name, dataset, protocol, encoders, strategies, event_weights, reductions, metrics, exclude_seen, compare, seed, sample_users, description, runs, published)")
        XCTAssertTrue(error(replacing("\"half_life_days\": 14", "\"half_life_dayz\": 14"))
            .hasPrefix("spec.json: strategies[1].half_life_dayz is not a known key; did you mean \"half_life_days\"?"))
    }

    func testWrongTypes() {
        XCTAssertEqual(error(replacing("\"seed\": 7", "\"seed\": \"7\"")), "spec.json: seed must be an integer >= 0 (got \"7\")")
        XCTAssertEqual(error(replacing("\"metrics\": [\"recall@10\", \"ndcg@5\", \"coverage@10\"]", "\"metrics\": \"recall@10\"")),
                       "spec.json: metrics must be an array (got a string)")
        XCTAssertEqual(error(replacing("\"half_life_days\": 14", "\"half_life_days\": true")),
                       "spec.json: strategies[1].half_life_days must be a number (got a boolean)")
    }

    func testOutOfRangeValues() {
        XCTAssertEqual(error(replacing("\"half_life_days\": 14", "\"half_life_days\": -3")),
                       "spec.json: strategies[1].half_life_days must be > 0 (got -3)")
        XCTAssertEqual(error(replacing("\"temperature\": 0.5", "\"temperature\": 0")),
                       "spec.json: strategies[3].temperature must be > 0 (got 0)")
        XCTAssertEqual(error(replacing("\"window\": 5", "\"window\": 0")), "spec.json: strategies[3].window must be >= 1 (got 0)")
        XCTAssertEqual(error(replacing("\"components\": 64", "\"components\": 0")), "spec.json: reductions[1].components must be >= 1 (got 0)")
        XCTAssertEqual(error(replacing("\"test\": 0.2}", "\"test\": 0.3}")),
                       "spec.json: protocol history + update + test must sum to 1 (got 0.6 + 0.2 + 0.3 = 1.1)")
        XCTAssertEqual(error(replacing("\"layers\": 3", "\"layers\": 9")), "spec.json: encoders[1].layers must be <= 6 for minilm-l6 (got 9)")
    }

    func testMetricThatDoesNotParse() {
        XCTAssertTrue(error(replacing("\"ndcg@5\"", "\"ndcg@0\"")).hasPrefix("spec.json: metrics[1] \"ndcg@0\" is not a metric: expected <name>@<K> with K >= 1"))
    }

    func testMissingRequiredAndUnknownStrategy() {
        XCTAssertEqual(error("{\"dataset\": \"x\"}"), "spec.json: protocol is required")
        XCTAssertEqual(error(replacing("{\"name\": \"static\"}", "{\"name\": \"statik\"}")),
                       "spec.json: strategies[0].name must be one of static, mean, decay, concat, interests, attention, mlp, online (got \"statik\"); did you mean \"static\"?")
        XCTAssertEqual(error(replacing("{\"name\": \"decay\", \"half_life_days\": 14}", "{\"name\": \"decay\"}")),
                       "spec.json: strategies[1] decay needs exactly one of half_life_days, half_life_events")
    }

    func testSampleUsers() throws {
        XCTAssertNil(try parse(valid).sampleUsers)
        XCTAssertEqual(try parse(replacing("\"seed\": 7", "\"seed\": 7, \"sample_users\": 250")).sampleUsers, 250)
        XCTAssertEqual(error(replacing("\"seed\": 7", "\"seed\": 7, \"sample_users\": 0")), "spec.json: sample_users must be >= 1 (got 0)")
        XCTAssertEqual(error(replacing("\"seed\": 7", "\"seed\": 7, \"sample_users\": 2.5")), "spec.json: sample_users must be an integer (got 2.5)")
    }

    func testDuplicateVariantsAreErrors() {
        XCTAssertEqual(error(replacing("{\"name\": \"concat\"},", "{\"name\": \"static\"},")), "spec.json: strategies[2] repeats the strategy static")
    }

    func testPrequentialAndProtocolLists() throws {
        let s = try parse(replacing("\"protocol\": {\"kind\": \"holdout\", \"history\": 0.6, \"update\": 0.2, \"test\": 0.2}",
                                    "\"protocol\": [{\"kind\": \"prequential\", \"window_days\": 7}, {\"kind\": \"prequential\", \"history\": 0.4, \"window_events\": 5}]"))
        XCTAssertEqual(s.protocols.map(\.id), ["prequential(history=0.5,window_days=7)", "prequential(history=0.4,window_events=5)"])
        XCTAssertEqual(error(replacing("\"kind\": \"holdout\", \"history\": 0.6, \"update\": 0.2, \"test\": 0.2", "\"kind\": \"prequential\"")),
                       "spec.json: protocol needs exactly one of window_events, window_days")
    }
    func testLeaveLastTemporalAndCasesProtocols() throws {
        let protocols = """
        [{"kind": "leave-last"}, {"kind": "leave-last", "valid": false}, {"kind": "leave-last", "targets": "valid"},
         {"kind": "temporal", "test_from": 1500000000}, {"kind": "temporal", "test_from_quantile": 0.9, "valid_from_quantile": 0.8, "targets": "valid"},
         {"kind": "cases"}, {"kind": "cases", "split": "valid"}]
        """
        let s = try parse(replacing(#"{"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2}"#, protocols))
        XCTAssertEqual(s.protocols, [
            .leaveLast(valid: true, targets: .test), .leaveLast(valid: false, targets: .test), .leaveLast(valid: true, targets: .valid),
            .temporal(testFrom: .time(1_500_000_000), validFrom: nil, targets: .test),
            .temporal(testFrom: .quantile(0.9), validFrom: .quantile(0.8), targets: .valid),
            .cases(split: "test"), .cases(split: "valid"),
        ])
        XCTAssertEqual(s.protocols.map(\.id), [
            "leave-last(targets=test,valid=true)", "leave-last(targets=test,valid=false)", "leave-last(targets=valid,valid=true)",
            "temporal(targets=test,test_from=1500000000)",
            "temporal(targets=valid,test_from_quantile=0.9,valid_from_quantile=0.8)",
            "cases(split=test)", "cases(split=valid)",
        ])
    }

    func testNewProtocolErrorsNameThePath() {
        func protocolError(_ p: String) -> String {
            error(replacing(#"{"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2}"#, p))
        }
        XCTAssertEqual(protocolError(#"{"kind": "leave-lats"}"#),
                       #"spec.json: protocol.kind must be one of holdout, prequential, leave-last, temporal, cases (got "leave-lats"); did you mean "leave-last"?"#)
        XCTAssertEqual(protocolError(#"{"kind": "leave-last", "history": 0.5}"#),
                       "spec.json: protocol.history is not a parameter of the leave-last protocol (its parameters: valid, targets)")
        XCTAssertEqual(protocolError(#"{"kind": "leave-last", "valid": 1}"#), "spec.json: protocol.valid must be true or false (got an integer)")
        XCTAssertEqual(protocolError(#"{"kind": "leave-last", "targets": "train"}"#), #"spec.json: protocol.targets must be test or valid (got "train")"#)
        XCTAssertEqual(protocolError(#"{"kind": "leave-last", "valid": false, "targets": "valid"}"#),
                       "spec.json: protocol.targets is valid, but valid is false: there is no validation target to rank")
        XCTAssertEqual(protocolError(#"{"kind": "temporal"}"#),
                       "spec.json: protocol needs test_from (a unix time) or test_from_quantile (a quantile of all event times)")
        XCTAssertEqual(protocolError(#"{"kind": "temporal", "test_from": 1.5}"#),
                       "spec.json: protocol.test_from must be an integer unix time in seconds (got 1.5)")
        XCTAssertEqual(protocolError(#"{"kind": "temporal", "test_from_quantile": 1}"#),
                       "spec.json: protocol.test_from_quantile must be between 0 and 1, exclusive (got 1)")
        XCTAssertEqual(protocolError(#"{"kind": "temporal", "test_from": 10, "test_from_quantile": 0.5}"#),
                       "spec.json: protocol gives both test_from and test_from_quantile; give one")
        XCTAssertEqual(protocolError(#"{"kind": "temporal", "test_from": 10, "valid_from": 10}"#),
                       "spec.json: protocol.valid_from must be before test_from (got 10 >= 10)")
        XCTAssertEqual(protocolError(#"{"kind": "temporal", "test_from_quantile": 0.8, "valid_from_quantile": 0.9}"#),
                       "spec.json: protocol.valid_from_quantile must be below test_from_quantile (got 0.9 >= 0.8)")
        XCTAssertEqual(protocolError(#"{"kind": "temporal", "test_from": 10, "valid_from_quantile": 0.5}"#),
                       "spec.json: protocol gives one cut as a time and the other as a quantile; give both the same way")
        XCTAssertEqual(protocolError(#"{"kind": "temporal", "test_from": 10, "targets": "valid"}"#),
                       "spec.json: protocol.targets is valid, but no valid_from or valid_from_quantile sets the validation period")
        XCTAssertEqual(protocolError(#"{"kind": "cases", "split": ""}"#), "spec.json: protocol.split must not be empty")
        XCTAssertEqual(protocolError(#"{"kind": "cases", "window_events": 3}"#),
                       "spec.json: protocol.window_events is not a parameter of the cases protocol (its parameters: split)")
        XCTAssertEqual(protocolError(#"{"kind": "holdout", "window_events": 3}"#),
                       "spec.json: protocol.window_events is not a parameter of the holdout protocol (its parameters: history, update, test)")
    }

    func testRunsAndPublishedBlocks() throws {
        let extra = #""runs": [{"name": "sasrec", "file": "runs/sasrec.trec"}], "published": {"source": "Kong et al. 2025, Table 2", "rows": {"SASRec": {"recall@10": 0.1, "ndcg@5": 0.05}}}, "seed": 7"#
        let s = try parse(replacing(#""seed": 7"#, extra))
        XCTAssertEqual(s.runs, [RunSpec(name: "sasrec", file: "runs/sasrec.trec", path: "runs/sasrec.trec")])
        XCTAssertEqual(s.variants.count, 2 * 4 * 2 + 1)
        XCTAssertEqual(s.variants.last?.id, "run/sasrec/none")
        XCTAssertEqual(s.published?.source, "Kong et al. 2025, Table 2")
        XCTAssertEqual(s.published?.rows.first?.model, "SASRec")
        XCTAssertEqual(s.published?.rows.first?.values.map(\.metric), ["recall@10", "ndcg@5"])
        // A run named as the baseline is its variant.
        let compared = try parse(replacing(#""seed": 7"#, #""runs": [{"name": "sasrec", "file": "x.trec"}], "compare": {"baseline": "sasrec"}, "seed": 7"#))
        XCTAssertEqual(compared.compare?.baseline, "run/sasrec/none")
        let full = try parse(replacing(#""seed": 7"#, #""runs": [{"name": "sasrec", "file": "x.trec"}], "compare": {"baseline": "run/sasrec/none"}, "seed": 7"#))
        XCTAssertEqual(full.compare?.baseline, "run/sasrec/none")
    }

    func testRunsAndPublishedErrors() {
        func e(_ extra: String) -> String { error(replacing(#""seed": 7"#, String(extra.dropFirst(2)) + #", "seed": 7"#)) }
        XCTAssertEqual(e(#", "runs": [{"file": "x.trec"}]"#), "spec.json: runs[0].name is required (the run's name, e.g. \"sasrec\")")
        XCTAssertEqual(e(#", "runs": [{"name": "a b", "file": "x.trec"}]"#), "spec.json: runs[0].name must not contain '/', ',' or spaces (got \"a b\")")
        XCTAssertEqual(e(#", "runs": [{"name": "a"}]"#), "spec.json: runs[0].file is required (a TREC run file: qid Q0 docid rank score tag)")
        XCTAssertEqual(e(#", "runs": [{"name": "a", "file": "x"}, {"name": "a", "file": "y"}]"#), "spec.json: runs[1] repeats the run name a")
        XCTAssertEqual(e(#", "runs": []"#), "spec.json: runs must not be empty")
        XCTAssertEqual(e(#", "runs": [{"name": "a", "file": "x", "tag": 1}]"#), "spec.json: runs[0].tag is not a known key (allowed: name, file)")
        XCTAssertEqual(e(#", "published": {"rows": {"A": {"recall@10": 1}}}"#), "spec.json: published.source is required (where the numbers come from)")
        XCTAssertEqual(e(#", "published": {"source": "x", "rows": {"A": {"hit@10": 0.1}}}"#),
                       "spec.json: published.rows.A.hit@10 is not one of the spec's metrics (recall@10, ndcg@5, coverage@10)")
        XCTAssertEqual(e(#", "published": {"source": "x", "rows": {"A": {"ndcg@5": -1}}}"#), "spec.json: published.rows.A.ndcg@5 must be a number >= 0 (got -1)")
        XCTAssertEqual(e(#", "published": {"source": "x", "rows": {}}"#), "spec.json: published.rows must not be empty")
        XCTAssertEqual(e(#", "published": {"source": "x", "rows": [1]}"#), "spec.json: published.rows must be an object of model → {metric: value} (got an array)")
    }

    func testInterestsStrategy() throws {
        let s = try parse(replacing(#"{"name": "concat"}, "#, #"{"name": "interests"}, {"name": "interests", "window": 10, "k": 1, "aggregate": "sum", "center": true}, {"name": "concat"}, "#))
        XCTAssertEqual(Array(s.strategies.prefix(4)), [.static, .decayDays(halfLife: 14), .interests(window: 50, k: 3, aggregate: .max, center: false),
                                                       .interests(window: 10, k: 1, aggregate: .sum, center: true)])
        XCTAssertEqual(s.strategies[2].id, "interests(aggregate=max,center=false,k=3,window=50)")
        XCTAssertEqual(s.strategies[3].id, "interests(aggregate=sum,center=true,k=1,window=10)")
        func e(_ strategy: String) -> String { error(replacing(#"{"name": "concat"}, "#, strategy + ", ")) }
        XCTAssertEqual(e(#"{"name": "interests", "k": 0}"#), "spec.json: strategies[2].k must be >= 1 (got 0)")
        XCTAssertEqual(e(#"{"name": "interests", "k": 1.5}"#), "spec.json: strategies[2].k must be an integer (got 1.5)")
        XCTAssertEqual(e(#"{"name": "interests", "window": 4, "k": 5}"#), "spec.json: strategies[2].k must be <= window 4: a window of n vectors has at most n directions (got 5)")
        XCTAssertEqual(e(#"{"name": "interests", "window": 0}"#), "spec.json: strategies[2].window must be >= 1 (got 0)")
        XCTAssertEqual(e(#"{"name": "interests", "aggregate": "mean"}"#), #"spec.json: strategies[2].aggregate must be max or sum (got "mean")"#)
        XCTAssertEqual(e(#"{"name": "interests", "center": "yes"}"#), "spec.json: strategies[2].center must be true or false (got a string)")
        XCTAssertEqual(e(#"{"name": "interests", "temperature": 1}"#), "spec.json: strategies[2].temperature is not a parameter of interests")
        XCTAssertEqual(e(#"{"name": "concat", "k": 2}"#), "spec.json: strategies[2].k is not a parameter of concat")
        XCTAssertEqual(e(#"{"name": "intrests"}"#), #"spec.json: strategies[2].name must be one of static, mean, decay, concat, interests, attention, mlp, online (got "intrests"); did you mean "interests"?"#)
    }
}

final class JSONTests: XCTestCase {
    func testRoundTripKeepsOrderAndNumbers() throws {
        let text = "{\"b\": 1, \"a\": [1.5, -2e-3, \"x\\u00e9\\n\"], \"c\": {\"z\": null, \"y\": true}}"
        let v = try JSONParser.parse(text)
        let out = JSONWriter.string(v, pretty: false)
        XCTAssertEqual(out, "{\"b\":1,\"a\":[1.5, -0.002, \"xé\\n\"],\"c\":{\"z\":null,\"y\":true}}")
        XCTAssertEqual(try JSONParser.parse(out), v)
    }

    func testDuplicateKeysAndTrailingText() {
        XCTAssertThrowsError(try JSONParser.parse("{\"a\": 1, \"a\": 2}"))
        XCTAssertThrowsError(try JSONParser.parse("{} x"))
        XCTAssertThrowsError(try JSONParser.parse("[01]"))
    }
}
