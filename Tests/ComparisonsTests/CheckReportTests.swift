import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import JSON
import XCTest
@testable import Comparisons
import Results

/// The check's reports from hand-written folders: fell / rose / unchanged, the delta interval,
/// XML escaping of names a spec or a path can hold, the markdown table cells.
extension ComparisonTests {
    func testCheckClassifiesChangesAndGivesEachDeltaAnInterval() throws {
        let base = Self.noisy(120, shift: 0, seed: 21), mean = Self.noisy(120, shift: 0.05, seed: 22), decay = Self.noisy(120, shift: 0.1, seed: 23)
        let a = try ResultsFolder.load(folder("a", [("static", base), ("mean", mean), ("decay", decay)]))
        let b = try ResultsFolder.load(folder("b", [("static", base.map { $0 + 0.02 }), ("mean", mean.map { $0 - 0.02 }), ("decay", decay)]))
        let r = RegressionCheck.run(baseline: a, current: b)
        XCTAssertEqual(r.findings.map(\.change), [.rose, .fell, .unchanged])
        XCTAssertEqual(r.findings.map(\.users), [120, 120, 120])
        // Every user moved by exactly ±0.02 (where not clipped at 0 or 1): the interval is tight around the delta.
        let rose = try XCTUnwrap(r.findings[0].ci95), fell = try XCTUnwrap(r.findings[1].ci95)
        XCTAssertTrue(rose.lo > 0.015 && rose.hi <= 0.02 + 1e-12, "\(rose)")
        XCTAssertTrue(fell.lo >= -0.02 - 1e-12 && fell.hi < -0.015, "\(fell)")
        XCTAssertEqual(r.findings[2].ci95.map { [$0.lo, $0.hi] }, [0, 0])
        XCTAssertEqual(RegressionCheck.run(baseline: a, current: b).findings[1].ci95.map { [$0.lo, $0.hi] }, [fell.lo, fell.hi], "seeded")
        XCTAssertEqual(r.provenance.map(\.what), ["spec", "dataset", "weights", "code"])

        let md = r.markdown()
        XCTAssertTrue(md.contains("3 metrics: 1 fell, 1 rose, 1 unchanged."), md)
        XCTAssertTrue(md.contains("### Fell (1)\n"), md)
        XCTAssertTrue(md.contains("| `hash-8/mean/none` | ndcg@5 | "), md)
        XCTAssertTrue(md.contains("### Rose (1)\n"), md)
        XCTAssertTrue(md.contains("<details><summary>Unchanged (1)</summary>"), md)
        let json = JSONWriter.string(r.json())
        XCTAssertTrue(json.contains("\"fell\": 1,\n    \"rose\": 1,\n    \"unchanged\": 1,\n    \"missing\": 0"), json)
    }

    func testCheckJUnitEscapesNamesAndParses() throws {
        let odd = "a&b <\"c\"> 'd'\u{1}|e"
        let base = Self.noisy(50, shift: 0, seed: 31)
        let a = try ResultsFolder.load(folder("x&y", [("static", base)]))
        var r = RegressionCheck.run(baseline: a, current: try ResultsFolder.load(folder("z", [("static", base.map { $0 * 0.5 })])))
        r.specName = odd
        r.baselinePath = "dir/with \"quotes\" & <angles>\nand a newline"
        let xml = r.junitXML()
        XCTAssertTrue(xml.contains("name=\"profilebench check a&amp;b &lt;&quot;c&quot;&gt; &apos;d&apos;\u{FFFD}|e\""), xml)

        final class Reader: NSObject, XMLParserDelegate {
            var attributes: [String: [[String: String]]] = [:]
            var failureText = ""
            var inFailure = false
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes a: [String: String] = [:]) {
                attributes[name, default: []].append(a)
                inFailure = name == "failure"
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { if inFailure { failureText += string } }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { inFailure = false }
        }
        let reader = Reader()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = reader
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")\n\(xml)")
        XCTAssertEqual(reader.attributes["testsuites"]?.first?["name"], "profilebench check a&b <\"c\"> 'd'\u{FFFD}|e")
        XCTAssertEqual(reader.attributes["testsuites"]?.first?["tests"], "1")
        XCTAssertEqual(reader.attributes["testsuites"]?.first?["failures"], "1")
        let baseline = reader.attributes["property"]?.first { $0["name"] == "baseline" }?["value"]
        XCTAssertEqual(baseline, "dir/with \"quotes\" & <angles>\nand a newline", "a newline in an attribute survives as &#10;")
        XCTAssertEqual(reader.attributes["failure"]?.count, 1)
        XCTAssertEqual(reader.attributes["failure"]?.first?["type"], "fell_beyond_tolerance")
        XCTAssertTrue(reader.attributes["failure"]?.first?["message"]?.hasPrefix("ndcg@5 fell by 0.1") ?? false, xml)
        XCTAssertTrue(reader.failureText.contains("ci95 of delta: [-"), reader.failureText)
        XCTAssertEqual(XMLText.content("a<b>&c\r\n\u{0}"), "a&lt;b&gt;&amp;c&#13;\n\u{FFFD}")

        XCTAssertTrue(r.markdown().hasPrefix("## ProfileBench check `a&b <\"c\"> 'd'\u{1}\\|e`: **failed**"), r.markdown())
        XCTAssertEqual(RegressionCheck.short("m=" + String(repeating: "ab", count: 32) + ",h=(none)"), "m=abababababab…,h=(none)")
        XCTAssertEqual(RegressionCheck.short("profilebench 0.1.0 " + String(repeating: "0a", count: 20)), "profilebench 0.1.0 0a0a0a0a0a0a…")
    }

    func testCheckGateNeedsManifestsOfOneSpec() throws {
        let base = Self.noisy(20, shift: 0, seed: 41)
        let a = try ResultsFolder.load(folder("a", [("static", base)]))
        let b = try ResultsFolder.load(folder("b", [("static", base)]))
        XCTAssertTrue(try RegressionCheck.gate(baseline: a, current: a).passed)
        XCTAssertThrowsError(try RegressionCheck.gate(baseline: a, current: b)) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(a.path) is a run of spec \"a\" but \(b.path) is a run of spec \"b\": "), "\(e)")
        }
        try FileManager.default.removeItem(atPath: b.path + "/manifest.json")
        XCTAssertThrowsError(try RegressionCheck.gate(baseline: a, current: try ResultsFolder.load(b.path))) { e in
            XCTAssertTrue("\(e)".hasPrefix("\(b.path)/manifest.json: no such file (not a results folder written by `profilebench run`?)"), "\(e)")
        }
    }
}
