import ArgumentParser
import Comparisons

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The regression gate: fail when a metric of the current run fell below the baseline run.",
        discussion: """
        For every variant and metric in both runs: FAIL when the current mean is below the baseline's by more than \
        the tolerance, or below it with a significant paired t-test (Holm-adjusted over every variant and metric). \
        A variant or metric missing from the current run fails unless --allow-missing. Exit status 1 on any failure.
        """)

    @Option(help: "The committed baseline results folder.") var baseline: String
    @Option(help: "The results folder to check.") var current: String
    @Option(help: "Largest allowed drop of a mean (absolute).") var tolerance: Double = 0.005
    @Option(help: "Significance level of the paired test.") var alpha: Double = 0.05
    @Flag(name: .customLong("allow-missing"), help: "A variant or metric missing from the current run is not a failure.")
    var allowMissing = false
    @Flag(help: "Also print the metrics that passed.") var verbose = false

    func validate() throws {
        guard tolerance >= 0 else { throw ValidationError("--tolerance must be >= 0 (got \(tolerance))") }
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1 (got \(alpha))") }
    }

    func run() throws {
        try reportingErrors {
            let b = try ResultsFolder.load(baseline), c = try ResultsFolder.load(current)
            let result = RegressionCheck.run(baseline: b, current: c, tolerance: tolerance, alpha: alpha, allowMissing: allowMissing)
            for p in result.provenance {
                print(p.same ? "same \(p.what): \(p.baseline)" : "CHANGED \(p.what): baseline \(p.baseline), current \(p.current)")
            }
            for f in result.findings where verbose || f.status != .ok { print(f.line) }
            let failures = result.failures.count
            if failures > 0 {
                print("check failed: \(failures) of \(result.findings.count) metrics regressed or are missing (tolerance \(tolerance), alpha \(alpha))")
                throw ExitCode(1)
            }
            print("check passed: \(result.findings.count) metrics, none fell by more than \(tolerance) or significantly at alpha \(alpha)")
        }
    }
}
