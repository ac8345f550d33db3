import XCTest
@testable import Experiments

/// `compare.baseline` must name exactly one strategy, or a variant of the spec, so a run never
/// fails at its end over a baseline that cannot be found.
final class CompareSpecTests: XCTestCase {
    func spec(_ baseline: String) -> String {
        """
        {"name": "t", "dataset": "data/x.h5", "protocol": {"kind": "holdout"},
         "encoders": [{"name": "hash-64"}],
         "strategies": [{"name": "static"}, {"name": "decay", "half_life_days": 14}, {"name": "decay", "half_life_days": 3}],
         "metrics": ["recall@10"], "compare": {"baseline": "\(baseline)"}}
        """
    }

    func error(_ baseline: String) -> String {
        do { _ = try SpecParser.parse(text: spec(baseline), path: "spec.json"); return "no error" } catch { return "\(error)" }
    }

    func testBaselines() {
        XCTAssertEqual(error("static"), "no error")
        XCTAssertEqual(error("decay(half_life_days=3)"), "no error")
        XCTAssertEqual(error("hash-64/decay(half_life_days=14)/none"), "no error")
        XCTAssertEqual(error("decay"),
                       "spec.json: compare.baseline \"decay\" names several strategies; name one by its id (decay(half_life_days=14), decay(half_life_days=3))")
        XCTAssertTrue(error("hash-64/statik/none").hasPrefix("spec.json: compare.baseline names no variant of the spec (got \"hash-64/statik/none\""),
                      error("hash-64/statik/none"))
    }
}
