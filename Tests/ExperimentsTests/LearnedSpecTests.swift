import XCTest
@testable import Experiments

/// The learned strategies' spec keys: defaults, ids, and every kind of bad value named by its
/// JSON path.
final class LearnedSpecTests: XCTestCase {
    func spec(_ strategies: String) -> String {
        """
        {"name": "t", "dataset": "x.h5", "protocol": {"kind": "holdout", "history": 0.6, "update": 0.2, "test": 0.2},
         "encoders": [{"name": "hash-64"}], "strategies": [\(strategies)], "metrics": ["hit@10"], "seed": 1}
        """
    }

    func parse(_ strategies: String) throws -> [StrategySpec] { try SpecParser.parse(text: spec(strategies), path: "s.json").strategies }

    func error(_ strategies: String) -> String {
        do { _ = try parse(strategies); return "no error" } catch { return "\(error)" }
    }

    func testDefaultsAndIds() throws {
        let s = try parse("""
            {"name": "attention"}, {"name": "attention", "dim": 32, "age": "log-days", "training": {"epochs": 3, "negatives": 0}},
            {"name": "mlp"}, {"name": "mlp", "hidden": 64, "activation": "relu", "residual": "none"},
            {"name": "online"}, {"name": "online", "init": "decay", "steps": 0, "lr": 2, "chunk": 1}
            """)
        XCTAssertEqual(s.map(\.id), [
            "attention(window=50)",
            "attention(age=log-days,dim=32,epochs=3,negatives=0,window=50)",
            "mlp(hidden=256,window=50)",
            "mlp(activation=relu,hidden=64,residual=none,window=50)",
            "online(init=mean,lr=0.5,steps=1)",
            "online(chunk=1,half_life_events=5,init=decay,lr=2,steps=0)",
        ])
        guard case .attention(let a) = s[0] else { return XCTFail("\(s[0])") }
        XCTAssertEqual(a, AttentionSpec())
        XCTAssertEqual(a.training.epochs, 10)
        XCTAssertEqual(a.training.negatives, 1024)
        XCTAssertEqual(a.training.validation, 0.1)
        XCTAssertTrue(s[0].trainsModel)
        XCTAssertTrue(s[2].trainsModel)
        XCTAssertFalse(s[4].trainsModel)   // online without a global matrix learns nothing before ranking
        guard case .online(let o) = s[5] else { return XCTFail("\(s[5])") }
        XCTAssertEqual(o.initial, .decay)
        XCTAssertEqual(o.halfLifeEvents, 5)
    }

    func testUnknownOptionsAreNamed() {
        XCTAssertEqual(error(#"{"name": "attention", "half_life_days": 3}"#),
                       "s.json: strategies[0].half_life_days is not a known key (allowed: name, window, dim, age, buckets, training)")
        XCTAssertEqual(error(#"{"name": "mlp", "hiden": 3}"#),
                       "s.json: strategies[0].hiden is not a known key; did you mean \"hidden\"? (allowed: name, window, hidden, activation, layer_norm, residual, half_life_events, training)")
        XCTAssertEqual(error(#"{"name": "attention", "training": {"epoch": 3}}"#),
                       "s.json: strategies[0].training.epoch is not a known key; did you mean \"epochs\"? (allowed: epochs, batch, lr, weight_decay, negatives, patience, validation, scale)")
        XCTAssertEqual(error(#"{"name": "online", "window": 3}"#),
                       "s.json: strategies[0].window is not a known key (allowed: name, init, half_life_events, steps, lr, chunk, scale)")
        XCTAssertEqual(error(#"{"name": "online", "half_life_events": 3}"#),
                       "s.json: strategies[0].half_life_events applies only with init decay (init is mean)")
        XCTAssertEqual(error(#"{"name": "attention", "age": "days"}"#),
                       "s.json: strategies[0].age must be position, log-position or log-days (got \"days\")")
    }

    func testOutOfRangeValuesAreNamed() {
        XCTAssertEqual(error(#"{"name": "attention", "window": 0}"#), "s.json: strategies[0].window must be between 1 and 1000 (got 0)")
        XCTAssertEqual(error(#"{"name": "mlp", "window": 5000}"#), "s.json: strategies[0].window must be between 1 and 1000 (got 5000)")
        XCTAssertEqual(error(#"{"name": "attention", "dim": 0}"#), "s.json: strategies[0].dim must be between 1 and 65536 (got 0)")
        XCTAssertEqual(error(#"{"name": "attention", "dim": 2.5}"#), "s.json: strategies[0].dim must be an integer (got 2.5)")
        XCTAssertEqual(error(#"{"name": "mlp", "hidden": 0}"#), "s.json: strategies[0].hidden must be between 1 and 4096 (got 0)")
        XCTAssertEqual(error(#"{"name": "online", "steps": 101}"#), "s.json: strategies[0].steps must be between 0 and 100 (got 101)")
        XCTAssertEqual(error(#"{"name": "online", "lr": -1}"#), "s.json: strategies[0].lr must be >= 0 and <= 1000 (got -1)")
        XCTAssertEqual(error(#"{"name": "attention", "training": {"lr": 0}}"#), "s.json: strategies[0].training.lr must be > 0 and <= 1 (got 0)")
        XCTAssertEqual(error(#"{"name": "attention", "training": {"validation": 1}}"#),
                       "s.json: strategies[0].training.validation must be >= 0 and < 1 (got 1)")
        XCTAssertEqual(error(#"{"name": "attention", "training": {"epochs": 0}}"#),
                       "s.json: strategies[0].training.epochs must be between 1 and 1000 (got 0)")
        XCTAssertEqual(error(#"{"name": "attention", "training": 3}"#), "s.json: strategies[0].training must be an object (got an integer)")
    }
}
