import ArgumentParser
import AtomicIO
import Comparisons
import Foundation
import Results
import JSON
import Reports
import Statistics

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare every variant of a results folder with its baseline, or two results folders with each other.",
        discussion: """
        With one folder: each variant against the baseline strategy of the same protocol, encoder and reduction \
        (the spec's compare block, or --baseline); writes comparison.json and refreshes report.md and report.html. \
        With two folders: each variant of the second against the same variant of the first, users paired by id; \
        the JSON goes to --out when given. See docs/statistics.md.
        """)

    @Argument(help: "A results folder, or two (baseline run, then current run).") var folders: [String]
    @Option(help: "Baseline: a strategy (static, decay(half_life_days=14)) or a full variant id.") var baseline: String?
    @Option(help: "Comma-separated tests: \(SignificanceTest.allCases.map(\.rawValue).joined(separator: ", ")) (the first decides the verdict).") var tests: String?
    @Option(help: "Significance level for the verdicts.") var alpha: Double?
    @Option(help: "Multiple-testing correction: \(PValueCorrection.names(joinedBy: "or")).") var correction: String?
    @Flag(name: .customLong("split-traffic"), help: "Also simulate an online A/B test: users split into two arms by a seeded hash of their id.")
    var splitTraffic = false
    @Flag(name: .customLong("no-segments"), help: "Skip the per-segment comparisons.") var noSegments = false
    @Option(help: "Write comparison.json here instead (two folders: only written when given).") var out: String?

    /// The --tests value, parsed.
    var parsedTests: [SignificanceTest]? {
        get throws {
            try tests.map { list in
                try list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.map { name in
                    guard let t = SignificanceTest(rawValue: name) else {
                        throw ValidationError("--tests: unknown test \"\(name)\": expected \(SignificanceTest.names(joinedBy: "or"))")
                    }
                    return t
                }
            }
        }
    }

    /// The --correction value, parsed.
    var parsedCorrection: PValueCorrection? {
        get throws {
            try correction.map { name in
                guard let c = PValueCorrection(rawValue: name) else {
                    throw ValidationError("--correction: unknown correction \"\(name)\": expected \(PValueCorrection.names(joinedBy: "or"))")
                }
                return c
            }
        }
    }

    func validate() throws {
        _ = try parsedTests
        _ = try parsedCorrection
        if let alpha { guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1 (got \(alpha))") } }
        guard (1...2).contains(folders.count) else { throw ValidationError("expected one or two results folders (got \(folders.count))") }
        if folders.count == 2 && (baseline != nil || splitTraffic) {
            throw ValidationError("--baseline and --split-traffic apply to one results folder, not two")
        }
    }

    func run() throws {
        try reportingErrors {
            let first = try ResultsFolder.load(folders[0])
            let testList = try parsedTests, correction = try parsedCorrection
            let doc: ComparisonDocument
            if folders.count == 2 {
                let second = try ResultsFolder.load(folders[1])
                var settings = try ComparisonSettings.resolve(first, tests: testList, alpha: alpha, correction: correction, requireBaseline: false)
                settings.baseline = first.path
                doc = try ComparisonDocument.between(first, second, settings: settings)
                if let out { try AtomicIO.write(JSONWriter.string(doc.json()), to: out) }
            } else {
                let settings = try ComparisonSettings.resolve(first, baseline: baseline, tests: testList, alpha: alpha, correction: correction)
                var d = try ComparisonDocument.within(first, settings: settings, segments: !noSegments)
                if splitTraffic { d.splitTraffic = try ComparisonDocument.splitTraffic(first, settings: settings) }
                doc = d
                if let out { try AtomicIO.write(JSONWriter.string(doc.json()), to: out) } else { try ResultsReport.refresh(first, comparison: doc) }
            }
            print(comparisonSummary(doc))
            if folders.count == 1 && out == nil { print("written: \(folders[0])/comparison.json, report.md, report.html") }
            else if let out { print("written: \(out)") }
        }
    }
}

/// One line per comparison: variant, metric, delta with interval, adjusted p, verdict.
func comparisonSummary(_ doc: ComparisonDocument) -> String {
    let s = doc.settings
    var lines = ["\(doc.comparisons.count) comparisons, \((s.tests.first ?? .pairedT).rawValue) p \(s.correction.rawValue)-adjusted, alpha \(s.alpha)"]
    for c in doc.comparisons {
        let p = c.pAdjusted.first?.value.map { String(format: "%.3g", $0) } ?? "n/a"
        let ci = c.ci95.map { String(format: "[%+.4f, %+.4f]", $0.lo, $0.hi) } ?? "[-]"
        let who = c.baseline == c.variant ? c.variant : "\(c.variant) vs \(c.baseline)"
        lines.append("  \(c.protocolID) \(who) \(c.metric): \(String(format: "%.4f -> %.4f, delta %+.4f", c.meanBaseline, c.meanVariant, c.delta)) \(ci) p \(p): \(c.verdict(alpha: s.alpha).rawValue)")
    }
    for r in doc.splitTraffic {
        let p = r.welch.map { String(format: "%.3g", $0.p) } ?? "n/a"
        let srm = r.srm.map { String(format: "%.3g", $0.p) } ?? "n/a"
        lines.append("  split-traffic \(r.protocolID) \(r.variant) \(r.metric): A \(r.usersA) users \(String(format: "%.4f", r.meanA)), B \(r.usersB) users \(String(format: "%.4f", r.meanB)), Welch p \(p), SRM p \(srm)"
            + (r.cuped.map { String(format: ", CUPED delta %+.4f p %.3g (variance -%.1f%%)", $0.delta, $0.welch?.p ?? .nan, $0.varianceReduction * 100) } ?? ""))
    }
    return lines.joined(separator: "\n")
}
