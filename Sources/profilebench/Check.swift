import ArgumentParser
import AtomicIO
import Comparisons
import Experiments
import Foundation
import Results
import JSON

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The regression gate: fail when a metric of the current run fell below the baseline run.",
        usage: """
        profilebench check --baseline <baseline> --current <current> [<options>]
        profilebench check --baseline <baseline> --spec <spec> [--out <out>] [<options>]
        """,
        discussion: """
        For every variant and metric in both runs: FAIL when the current mean is below the baseline's by more than \
        the tolerance, or below it with a significant paired t-test (Holm-adjusted over every variant and metric). \
        A variant or metric missing from the current run fails unless --allow-missing. Exit status 1 on any failure, \
        and on bad input (a folder without manifest.json, a baseline from another spec).

        With --spec the spec is first re-run on the current code, weights and data (as `run` would, into a temporary \
        folder removed afterwards unless --out keeps it), so a CI job is one line. The first lines say which inputs \
        changed between the two manifests: spec, dataset and weights (sha256) and code (version and git commit).

        --junit, --markdown and --json write the findings for CI pages: JUnit XML (one testcase per variant × \
        protocol × metric; failures carry the delta, its 95% interval and the adjusted p), a markdown summary for a \
        pull-request comment or $GITHUB_STEP_SUMMARY, and the same as JSON. They are written on pass and on fail. \
        See docs/ci.md for CI workflows and how to accept a change that moves the numbers on purpose.
        """)

    @Option(help: "The committed baseline results folder.") var baseline: String
    @Option(help: "The results folder to check (or --spec).") var current: String?
    @Option(help: "A spec to re-run on the current code, weights and data, then check (or --current).") var spec: String?
    @Option(help: "With --spec: keep the re-run's results folder here (default: a temporary folder, removed afterwards).")
    var out: String?
    @Option(help: "Largest allowed drop of a mean (absolute).") var tolerance: Double = 0.005
    @Option(help: "Significance level of the paired test.") var alpha: Double = 0.05
    @Flag(name: .customLong("allow-missing"), help: "A variant or metric missing from the current run is not a failure.")
    var allowMissing = false
    @Option(help: "Write the findings as JUnit XML to this file.") var junit: String?
    @Option(help: "Write a markdown summary (fell / rose / unchanged, the inputs that changed) to this file.") var markdown: String?
    @Option(help: "Write the findings as JSON to this file.") var json: String?
    @Flag(help: "Also print the metrics that passed.") var verbose = false
    @Flag(help: "With --spec: no progress lines from the re-run on stderr.") var quiet = false

    func validate() throws {
        guard (current == nil) != (spec == nil) else {
            throw ValidationError("give exactly one of --current (a results folder) and --spec (a spec to re-run)")
        }
        if out != nil && spec == nil { throw ValidationError("--out keeps the re-run of --spec: it needs --spec") }
        if let out, URL(fileURLWithPath: out).standardizedFileURL.path == URL(fileURLWithPath: baseline).standardizedFileURL.path {
            throw ValidationError("--out \(out) is the baseline folder: the re-run would replace the baseline")
        }
        guard tolerance >= 0 else { throw ValidationError("--tolerance must be >= 0 (got \(tolerance))") }
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1 (got \(alpha))") }
        let reports = [("--junit", junit), ("--markdown", markdown), ("--json", json)].compactMap { k, v in v.map { (k, $0) } }
        for (k, v) in reports where v.isEmpty { throw ValidationError("\(k) needs a file name") }
        for (i, a) in reports.enumerated() {
            for b in reports[(i + 1)...] where a.1 == b.1 { throw ValidationError("\(a.0) and \(b.0) name the same file (\(a.1))") }
        }
    }

    func run() throws {
        try reportingErrors {
            let b = try ResultsFolder.load(baseline)
            let baselineSpec = try RegressionCheck.specName(of: b)
            var c: ResultsFolder
            if let spec {
                let s = try SpecParser.load(path: spec)
                guard s.name == baselineSpec else {
                    throw ResultsError("\(baseline) is a run of spec \"\(baselineSpec)\" (its manifest.json), but \(spec) is spec \"\(s.name)\": "
                        + "check compares runs of the same spec (make that baseline with `profilebench run \(spec) --out DIR`)")
                }
                let dir = out ?? FileManager.default.temporaryDirectory.appendingPathComponent("profilebench-check-\(UUID().uuidString)").path
                defer { if out == nil { try? FileManager.default.removeItem(atPath: dir) } }
                if !quiet { stderrLine("re-running \(spec) on the current code, weights and data" + (out.map { " into \($0)" } ?? "")) }
                _ = try runSpec(s, to: dir, quiet: quiet)
                c = try ResultsFolder.load(dir)
            } else {
                c = try ResultsFolder.load(current ?? "")
            }
            var result = try RegressionCheck.gate(baseline: b, current: c, tolerance: tolerance, alpha: alpha, allowMissing: allowMissing)
            if let spec, out == nil { result.currentPath = "\(spec) (re-run)" }
            for p in result.provenance {
                print(p.same ? "same \(p.what): \(p.baseline)" : "CHANGED \(p.what): baseline \(p.baseline), current \(p.current)")
            }
            let changed = result.provenance.filter { !$0.same }.map(\.what)
            print("inputs changed: " + (changed.isEmpty ? "none" : changed.joined(separator: ", ")))
            for f in result.findings where verbose || f.status != .ok { print(f.line) }
            try writeReports(result)
            let failures = result.failures.count
            if failures > 0 {
                print("check failed: \(failures) of \(result.findings.count) metrics regressed or are missing (tolerance \(tolerance), alpha \(alpha))")
                throw ExitCode(1)
            }
            print("check passed: \(result.findings.count) metrics, none fell by more than \(tolerance) or significantly at alpha \(alpha)")
        }
    }

    /// The --junit, --markdown and --json files, each written atomically.
    func writeReports(_ result: RegressionCheck) throws {
        if let junit { try AtomicIO.write(result.junitXML(), to: junit) }
        if let markdown { try AtomicIO.write(result.markdown(), to: markdown) }
        if let json { try AtomicIO.write(JSONWriter.string(result.json()), to: json) }
    }
}
