import Comparisons
import Foundation
import JSON
import XCTest

/// `reproduce`'s comparison of two metrics.json files.
final class MetricsReproductionTests: XCTestCase {
    func testDifferencesNameThePathAndTheValues() throws {
        let a = try JSONParser.parse(#"{"variants": [{"id": "hash-32/static/none", "metrics": {"ndcg@5": {"mean": 0.5}}}], "old": 1}"#)
        let b = try JSONParser.parse(#"{"variants": [{"id": "hash-32/static/none", "metrics": {"ndcg@5": {"mean": 0.25}}}], "new": 2}"#)
        XCTAssertEqual(MetricsReproduction.jsonDifferences(a, b), [
            "variants[0:hash-32/static/none].metrics.ndcg@5.mean: 0.5 -> 0.25",
            "old: only in the original",
            "new: only in the re-run",
        ])
        XCTAssertEqual(MetricsReproduction.jsonDifferences(a, a), [])
    }

    func testCompareReadsBothFolders() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-reproduction-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        func folder(_ name: String, _ text: String) throws -> String {
            let dir = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try text.write(to: dir.appendingPathComponent("metrics.json"), atomically: true, encoding: .utf8)
            return dir.path
        }
        let a = try folder("a", "{\"x\": 1}\n"), same = try folder("same", "{\"x\": 1}\n")
        let spaced = try folder("spaced", "{\"x\":  1}\n"), other = try folder("other", "{\"x\": 2}\n")
        let r = try MetricsReproduction.compare(original: a, rerun: same)
        XCTAssertTrue(r.identical)
        XCTAssertEqual(r.originalBytes, 9)
        let f = try MetricsReproduction.compare(original: a, rerun: spaced)
        XCTAssertFalse(f.identical)
        XCTAssertEqual(f.differences, [], "same values, different bytes")
        XCTAssertEqual(try MetricsReproduction.compare(original: a, rerun: other).differences, ["x: 1 -> 2"])
    }
}
