import ArgumentParser
import Experiments
import Foundation
import Reports
import Runner

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every variant of a spec and write a results folder.")

    @Argument(help: "An experiment spec (JSON).") var spec: String
    @Option(help: "Results folder (default results/<name>).") var out: String?
    @Flag(help: "No progress lines on stderr.") var quiet = false
    @Option(help: "Evaluate shard i of N (i/N, 0 <= i < N) and write a partial folder for `merge`.") var shard: String?
    @Option(help: "What --shard splits: users (by a hash of the user id) or cells (variant × protocol).") var shardBy: String = "users"
    @Flag(help: "Ignore the finished cells of an earlier run of the folder (the default reuses them: --resume).") var fresh = false
    @Flag(help: "Reuse the finished cells in <out>/.cells (the default; kept for scripts that say so).") var resume = false

    func validate() throws {
        if fresh && resume { throw ValidationError("--fresh and --resume exclude each other") }
        guard Shard.By(rawValue: shardBy) != nil else { throw ValidationError("--shard-by must be users or cells (got \"\(shardBy)\")") }
        if let shard { do { _ = try Shard(shard) } catch { throw ValidationError("\(error)") } }
        if shard == nil && shardBy != "users" { throw ValidationError("--shard-by needs --shard i/N") }
    }

    func run() throws {
        try reportingErrors {
            let s = try SpecParser.load(path: spec)
            let dir = out ?? "results/\(s.name)"
            let part = try shard.map { try Shard($0, by: Shard.By(rawValue: shardBy)!) }
            let result = try runSpec(s, to: dir, quiet: quiet, shard: part, resume: !fresh)
            print(resultSummary(result, folder: dir))
        }
    }
}

/// Runs every variant of `spec` with the built-in encoders and writes the results folder `dir`
/// (replacing an older one only when complete): what `run` does, and what `check --spec` and
/// `reproduce` re-run. Progress goes to stderr unless `quiet`.
///
/// Each finished cell is kept in `dir/.cells/` as soon as it is done; with `resume` the cells an
/// earlier (interrupted) run of `dir` finished are reused, so it goes on where it stopped.
func runSpec(_ spec: ExperimentSpec, to dir: String, quiet: Bool, shard: Shard? = nil, resume: Bool = false) throws -> RunResult {
    let runner = ExperimentRunner(spec: spec, embeddings: makeEmbeddingSource(), log: { if !quiet { stderrLine($0) } })
    runner.shard = shard
    let cells = URL(fileURLWithPath: dir).appendingPathComponent(".cells").path
    if !resume { try? FileManager.default.removeItem(atPath: cells) }
    runner.cellsDirectory = cells
    runner.codeVersion = "\(profileBenchVersion) \(ResultsWriter.gitCommit())"
    let result = try runner.run()
    if runner.reusedCells > 0 && !quiet { stderrLine("reused \(runner.reusedCells) finished cells of an earlier run (--fresh recomputes them)") }
    try ResultsWriter.write(result, to: dir)
    // Keep only this run's cells (an edited spec leaves the old ones unused).
    let kept = URL(fileURLWithPath: dir).appendingPathComponent(".cells")
    for f in (try? FileManager.default.contentsOfDirectory(atPath: kept.path)) ?? [] where !runner.cellKeys.contains(String(f.dropLast(4))) || !f.hasSuffix(".rec") {
        try? FileManager.default.removeItem(at: kept.appendingPathComponent(f))
    }
    return result
}

/// A short table of the first metrics, one line per variant.
func resultSummary(_ r: RunResult, folder: String) -> String {
    var lines: [String] = []
    let shown = r.spec.metrics.prefix(4)
    for p in r.spec.protocols {
        lines.append("\(p.id)")
        let rows = r.variants.filter { $0.protocolSpec == p }
        let width = max(8, rows.map { $0.variant.id.count }.max() ?? 8)
        lines.append("  " + "variant".padding(toLength: width, withPad: " ", startingAt: 0) + shown.map { "  " + $0.name.padding(toLength: 12, withPad: " ", startingAt: 0) }.joined())
        for v in rows {
            var line = "  " + v.variant.id.padding(toLength: width, withPad: " ", startingAt: 0)
            for m in shown {
                let value = v.summaries.first(where: { $0.metric == m })?.summary.mean ?? .nan
                line += "  " + String(format: "%.4f", value).padding(toLength: 12, withPad: " ", startingAt: 0)
            }
            lines.append(line)
        }
    }
    let files = "report.md, report.html, metrics.json, per_user.csv, segments.csv, manifest.json, timings.json" + (r.spec.compare != nil ? ", comparison.json" : "")
    lines.append("results: \(folder)/ (\(files))")
    return lines.joined(separator: "\n")
}
