import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// `check` where labs run it: the JUnit / markdown / JSON reports on a passing, a failing and an
/// incomplete check (the JUnit read back with Foundation's XMLParser, counts exact, and with
/// Python's junitparser when `.build/venv` has it); `check --spec` on an unchanged tree and on a
/// degraded encoder template; bad input.
extension CLITests {
    func testCheckGateReportsOnPassFailAndMissing() throws {
        XCTAssertEqual(try pb("synth", "--out", "g.h5", "--users", "150", "--items", "240", "--events-per-user", "30", "--seed", "7").status, 0)
        let s = try regressionSpec("g")
        XCTAssertEqual(try pb("run", s, "--out", "r1", "--quiet").status, 0)
        XCTAssertEqual(try pb("run", s, "--out", "r2", "--quiet").status, 0)

        // Passing: 4 strategies × 2 protocols × 4 metrics = 32 testcases, none failed.
        let pass = try pb("check", "--baseline", "r1", "--current", "r2", "--junit", "out/pass.xml", "--markdown", "out/pass.md", "--json", "out/pass.json")
        XCTAssertEqual(pass.status, 0, pass.stdout + pass.stderr)
        let pj = try JUnitDocument.parse(path("out/pass.xml"))
        XCTAssertEqual(pj.tests, 32)
        XCTAssertEqual(pj.failures, 0)
        XCTAssertEqual(pj.cases.count, 32)
        XCTAssertEqual(pj.cases.filter { $0.failure != nil }.count, 0)
        XCTAssertEqual(pj.suites.map(\.tests), [16, 16], "one testsuite per protocol")
        XCTAssertEqual(pj.suites.map(\.cases), [16, 16])
        XCTAssertEqual(pj.suites.map(\.failures), [0, 0])
        XCTAssertTrue(pj.cases.contains { $0.classname == "hash-32/decay(half_life_days=14)/none" && $0.name == "ndcg@10" })
        try assertJunitParser(path("out/pass.xml"), tests: 32, failures: 0)
        let pm = try String(contentsOfFile: path("out/pass.md"), encoding: .utf8)
        XCTAssertTrue(pm.hasPrefix("## ProfileBench check `g`: passed\n"), pm)
        XCTAssertTrue(pm.contains("32 metrics: 0 fell, 0 rose, 32 unchanged."), pm)
        XCTAssertTrue(pm.contains("| spec | `"), pm)
        XCTAssertFalse(pm.contains("### Fell"), pm)
        let pjson = try String(contentsOfFile: path("out/pass.json"), encoding: .utf8)
        XCTAssertTrue(pjson.contains("\"passed\": true"), pjson)
        XCTAssertTrue(pjson.contains("\"tests\": 32,\n    \"failures\": 0,"), pjson)

        // Failing: item vectors from the category alone (see ComparisonCLITests).
        XCTAssertEqual(try pb("synth", "--out", "worse.h5", "--users", "150", "--items", "240", "--events-per-user", "30", "--seed", "7").status, 0)
        let degraded = try regressionSpec("g", dataset: "worse.h5", encoder: "{\"name\": \"hash-32\", \"template\": \"{category}\"}")
        XCTAssertEqual(try pb("run", degraded, "--out", "r3", "--quiet").status, 0)
        let fail = try pb("check", "--baseline", "r1", "--current", "r3", "--junit", "out/fail.xml", "--markdown", "out/fail.md", "--json", "out/fail.json")
        XCTAssertEqual(fail.status, 1, fail.stdout + fail.stderr)
        let failLines = fail.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        XCTAssertFalse(failLines.isEmpty, fail.stdout)
        XCTAssertTrue(fail.stdout.contains("check failed: \(failLines.count) of 32 metrics"), fail.stdout)
        let fj = try JUnitDocument.parse(path("out/fail.xml"))
        XCTAssertEqual(fj.tests, 32)
        XCTAssertEqual(fj.failures, failLines.count)
        XCTAssertEqual(fj.cases.count, 32)
        XCTAssertEqual(fj.cases.filter { $0.failure != nil }.count, failLines.count)
        XCTAssertEqual(fj.suites.map(\.failures).reduce(0, +), failLines.count)
        XCTAssertEqual(zip(fj.suites.map(\.failures), fj.suites.map(\.failedCases)).filter { $0 != $1 }.count, 0, "each suite's failures attribute")
        let fm = try String(contentsOfFile: path("out/fail.md"), encoding: .utf8)
        XCTAssertTrue(fm.hasPrefix("## ProfileBench check `g`: **failed**\n"), fm)
        XCTAssertTrue(fm.contains("\n### Fell (\(failLines.count))\n"), fm)
        XCTAssertTrue(fm.contains("| dataset | `"), fm)
        XCTAssertTrue(fm.contains("Changed: spec, dataset."), fm)
        for line in failLines.map(String.init) {
            // "FAIL <protocol> <variant> <metric>: baseline …"
            let words = line.split(separator: " ")
            let offset = line.hasPrefix("FAIL (significant)") ? 1 : 0
            let proto = String(words[1 + offset]), variant = String(words[2 + offset]), metric = String(words[3 + offset].dropLast())
            let c = try XCTUnwrap(fj.cases.first { $0.suite == "g \(proto)" && $0.classname == variant && $0.name == metric }, line)
            let failure = try XCTUnwrap(c.failure, line)
            XCTAssertTrue(failure.message.hasPrefix("\(metric) fell by "), failure.message)
            XCTAssertTrue(failure.message.contains("p_adjusted ") || metric.hasPrefix("coverage"), failure.message)
            XCTAssertTrue(failure.body.contains("delta: -"), failure.body)
            XCTAssertTrue(failure.body.contains("ci95 of delta: " + (metric.hasPrefix("coverage") ? "n/a" : "[")), failure.body)
            XCTAssertTrue(fm.contains("| \(proto) | `\(variant)` | \(metric) | "), "the markdown names \(proto) \(variant) \(metric)")
        }
        try assertJunitParser(path("out/fail.xml"), tests: 32, failures: failLines.count)
        let fjson = try String(contentsOfFile: path("out/fail.json"), encoding: .utf8)
        XCTAssertTrue(fjson.contains("\"passed\": false"), fjson)
        XCTAssertTrue(fjson.contains("\"failures\": \(failLines.count),"), fjson)
        XCTAssertTrue(fjson.contains("\"status\": \"fell_beyond_tolerance\""), fjson)

        // Incomplete: concat dropped, so its 2 protocols × 4 metrics are missing, nothing else fails.
        var text = try String(contentsOfFile: path(try regressionSpec("g")), encoding: .utf8)  // g.json holds the degraded spec now
        text = text.replacingOccurrences(of: ", {\"name\": \"concat\", \"window\": 10}", with: "")
        try text.write(toFile: path("fewer.json"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try pb("run", "fewer.json", "--out", "r4", "--quiet").status, 0)
        let missing = try pb("check", "--baseline", "r1", "--current", "r4", "--junit", "out/missing.xml", "--markdown", "out/missing.md")
        XCTAssertEqual(missing.status, 1)
        let mj = try JUnitDocument.parse(path("out/missing.xml"))
        XCTAssertEqual(mj.tests, 32)
        XCTAssertEqual(mj.failures, 8)
        XCTAssertEqual(mj.cases.filter { $0.failure?.type == "missing" }.count, 8)
        XCTAssertEqual(Set(mj.cases.filter { $0.failure != nil }.map(\.classname)), ["hash-32/concat(aggregate=max,window=10)/none"])
        try assertJunitParser(path("out/missing.xml"), tests: 32, failures: 8)
        let mm = try String(contentsOfFile: path("out/missing.md"), encoding: .utf8)
        XCTAssertTrue(mm.contains("32 metrics: 0 fell, 0 rose, 24 unchanged, 8 missing."), mm)
        XCTAssertTrue(mm.contains("| `hash-32/concat(aggregate=max,window=10)/none` | recall@10 | "), mm)
    }

    func testCheckGateSpecPassesOnAnUnchangedTreeAndFailsOnADegradedTemplate() throws {
        XCTAssertEqual(try pb("synth", "--out", "g.h5", "--users", "150", "--items", "240", "--events-per-user", "30", "--seed", "7").status, 0)
        let s = try regressionSpec("g")
        XCTAssertEqual(try pb("run", s, "--out", "r1", "--quiet").status, 0)

        let tmp = FileManager.default.temporaryDirectory.path
        func leftovers() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: tmp).filter { $0.hasPrefix("profilebench-check-") }.count
        }
        let before = try leftovers()
        let pass = try pb("check", "--baseline", "r1", "--spec", s, "--quiet", "--junit", "pass.xml")
        XCTAssertEqual(pass.status, 0, pass.stdout + pass.stderr)
        let lines = pass.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.count > 5 && lines[0].hasPrefix("same spec: ") && lines[1].hasPrefix("same dataset: ")
                      && lines[2].hasPrefix("same weights: ") && lines[3].hasPrefix("same code: profilebench 0.1.0"), pass.stdout)
        XCTAssertEqual(lines[4], "inputs changed: none")
        XCTAssertTrue(pass.stdout.hasSuffix("check passed: 32 metrics, none fell by more than 0.005 or significantly at alpha 0.05\n"), pass.stdout)
        XCTAssertEqual(pass.stderr, "", "--quiet")
        XCTAssertEqual(try leftovers(), before, "the re-run's temporary folder is removed")
        let pj = try JUnitDocument.parse(path("pass.xml"))
        XCTAssertEqual([pj.tests, pj.failures, pj.cases.count], [32, 0, 32])

        // A degraded encoder template on the same (freshly made) data: the gate fails, and says
        // the spec and the dataset (its stored embeddings) changed.
        XCTAssertEqual(try pb("synth", "--out", "g.h5", "--users", "150", "--items", "240", "--events-per-user", "30", "--seed", "7").status, 0)
        _ = try regressionSpec("g", encoder: "{\"name\": \"hash-32\", \"template\": \"{category}\"}")
        let fail = try pb("check", "--baseline", "r1", "--spec", s, "--out", "kept", "--markdown", "fail.md")
        XCTAssertEqual(fail.status, 1, fail.stdout + fail.stderr)
        XCTAssertTrue(fail.stdout.hasPrefix("CHANGED spec: baseline "), fail.stdout)
        XCTAssertTrue(fail.stdout.contains("\nCHANGED dataset: baseline "), fail.stdout)
        XCTAssertTrue(fail.stdout.contains("\ninputs changed: spec, dataset\n"), fail.stdout)
        XCTAssertTrue(fail.stdout.contains("\nFAIL "), fail.stdout)
        XCTAssertTrue(fail.stderr.hasPrefix("re-running g.json on the current code, weights and data into kept\n"), fail.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("kept/metrics.json")), "--out keeps the re-run")
        let md = try String(contentsOfFile: path("fail.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("Baseline `r1`, current `kept`."), md)
        XCTAssertTrue(md.contains("### Fell ("), md)
    }

    func testCheckGateBadInput() throws {
        XCTAssertEqual(try pb("synth", "--out", "g.h5", "--users", "60", "--items", "100", "--events-per-user", "15", "--seed", "3").status, 0)
        let g = try regressionSpec("g"), h = try regressionSpec("h")
        XCTAssertEqual(try pb("run", g, "--out", "rg", "--quiet").status, 0)
        XCTAssertEqual(try pb("run", h, "--out", "rh", "--quiet").status, 0)

        // A baseline from another spec.
        let other = try pb("check", "--baseline", "rh", "--spec", g, "--junit", "x.xml")
        XCTAssertEqual(other.status, 1)
        XCTAssertEqual(other.stdout, "", "nothing re-run, nothing checked")
        XCTAssertTrue(other.stderr.hasPrefix("error: rh is a run of spec \"h\" (its manifest.json), but g.json is spec \"g\": check compares runs of the same spec"), other.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.xml")))
        let two = try pb("check", "--baseline", "rh", "--current", "rg")
        XCTAssertEqual(two.status, 1)
        XCTAssertTrue(two.stderr.hasPrefix("error: rh is a run of spec \"h\" but rg is a run of spec \"g\": "), two.stderr)

        // A missing manifest, in the baseline or the current folder.
        try FileManager.default.copyItem(atPath: path("rg"), toPath: path("bare"))
        try FileManager.default.removeItem(atPath: path("bare/manifest.json"))
        let noManifest = "bare/manifest.json: no such file (not a results folder written by `profilebench run`?)\n"
        for args in [["--baseline", "bare", "--current", "rg"], ["--baseline", "rg", "--current", "bare"], ["--baseline", "bare", "--spec", g]] {
            let r = try runProfileBench(["check"] + args, in: dir)
            XCTAssertEqual(r.status, 1, args.joined(separator: " "))
            XCTAssertEqual(r.stderr, "error: " + noManifest, args.joined(separator: " "))
        }
        XCTAssertEqual(try pb("check", "--baseline", "nowhere", "--spec", g).stderr, "error: nowhere: no such results folder\n")
        let badSpec = try pb("check", "--baseline", "rg", "--spec", "missing.json")
        XCTAssertEqual(badSpec.status, 1)
        XCTAssertTrue(badSpec.stderr.hasPrefix("error: missing.json"), badSpec.stderr)

        // Usage errors (ArgumentParser's exit status 64).
        let both = try pb("check", "--baseline", "rg", "--current", "rh", "--spec", g)
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.stderr.contains("give exactly one of --current (a results folder) and --spec (a spec to re-run)"), both.stderr)
        XCTAssertTrue(try pb("check", "--baseline", "rg").stderr.contains("give exactly one of --current"))
        XCTAssertTrue(try pb("check", "--baseline", "rg", "--current", "rg", "--out", "k").stderr.contains("--out keeps the re-run of --spec: it needs --spec"))
        XCTAssertTrue(try pb("check", "--baseline", "rg", "--current", "rg", "--junit", "a", "--json", "a").stderr.contains("--junit and --json name the same file (a)"))
        XCTAssertTrue(try pb("check", "--baseline", "rg", "--spec", g, "--out", "./rg/").stderr.contains("--out ./rg/ is the baseline folder: the re-run would replace the baseline"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("rg/metrics.json")))
    }

    /// Runs scripts/check-junit.py (Python's junitparser) on `file` when `.build/venv` has
    /// junitparser (`.ci/run` makes it; `make junit-venv` too); the XMLParser checks above run
    /// either way.
    func assertJunitParser(_ file: String, tests: Int, failures: Int, line: UInt = #line) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = root.appendingPathComponent(".build/venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python),
              try runProcess(python, ["-c", "import junitparser"], in: dir).status == 0 else { return }
        let r = try runProcess(python, [root.appendingPathComponent("scripts/check-junit.py").path, file,
                                        "--tests", "\(tests)", "--failures", "\(failures)"], in: dir)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr, line: line)
        XCTAssertTrue(r.stdout.contains(": \(tests) testcases, \(failures) failures (junitparser "), r.stdout, line: line)
    }
}

/// A JUnit XML file read back with Foundation's XMLParser (which rejects malformed XML): the
/// root's counts, each suite's counts and cases, each case's failure.
struct JUnitDocument {
    struct Failure { var message: String; var type: String; var body: String }
    struct Case { var suite: String; var classname: String; var name: String; var failure: Failure? }
    struct Suite { var name: String; var tests: Int; var failures: Int; var cases = 0; var failedCases = 0 }
    var tests = -1, failures = -1
    var suites: [Suite] = []
    var cases: [Case] = []

    static func parse(_ file: String) throws -> JUnitDocument {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let reader = Reader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        guard parser.parse(), reader.problem == nil else {
            throw NSError(domain: "JUnit", code: 1, userInfo: [NSLocalizedDescriptionKey:
                "\(file): \(reader.problem ?? parser.parserError.map { "\($0)" } ?? "does not parse")"])
        }
        return reader.doc
    }

    final class Reader: NSObject, XMLParserDelegate {
        var doc = JUnitDocument()
        var problem: String?
        var stack: [String] = []
        var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes a: [String: String] = [:]) {
            let parent = stack.last
            stack.append(name)
            text = ""
            switch (parent, name) {
            case (nil, "testsuites"):
                doc.tests = Int(a["tests"] ?? "") ?? -1
                doc.failures = Int(a["failures"] ?? "") ?? -1
            case ("testsuites", "testsuite"):
                doc.suites.append(Suite(name: a["name"] ?? "", tests: Int(a["tests"] ?? "") ?? -1, failures: Int(a["failures"] ?? "") ?? -1))
            case ("testsuite", "properties"), ("properties", "property"), ("testcase", "system-out"): break
            case ("testsuite", "testcase"):
                guard let c = a["classname"], let n = a["name"] else { problem = "a testcase without classname or name"; return }
                doc.cases.append(Case(suite: doc.suites[doc.suites.count - 1].name, classname: c, name: n, failure: nil))
                doc.suites[doc.suites.count - 1].cases += 1
            case ("testcase", "failure"):
                guard let m = a["message"], let t = a["type"] else { problem = "a failure without message or type"; return }
                doc.cases[doc.cases.count - 1].failure = Failure(message: m, type: t, body: "")
                doc.suites[doc.suites.count - 1].failedCases += 1
            default: problem = "unexpected <\(name)> in <\(parent ?? "document")>"
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "failure" { doc.cases[doc.cases.count - 1].failure?.body = text }
            stack.removeLast()
        }
    }
}
