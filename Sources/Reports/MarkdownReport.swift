import Experiments
import Foundation
import Runner

/// report.md: a table per protocol (variants as rows, metrics as columns, the best value of
/// each column in bold), with the skipped users and the run's warnings stated.
public enum MarkdownReport {
    public static func render(_ r: RunResult) -> String {
        var s = "# \(r.spec.name)\n\n"
        s += "Dataset `\(r.spec.dataset)`: \(r.datasetSummary.users) users, \(r.datasetSummary.items) items, \(r.datasetSummary.events) events. "
        s += "Seed \(r.spec.seed). `exclude_seen` \(r.spec.excludeSeen ? "on" : "off"). Metrics in the trec dialect (docs/metrics.md); "
        s += "each cell is the mean over users with its 95% bootstrap interval.\n\n"
        for p in r.spec.protocols {
            let rows = r.variants.filter { $0.protocolSpec == p }
            guard let first = rows.first else { continue }
            s += "## \(p.id)\n\n"
            let users = first.summaries.first(where: { $0.metric.family != .coverage })?.summary.n ?? 0
            s += "\(users) users scored, \(first.skippedUsers) skipped"
            if let st = first.skippedSteps { s += ", \(st) steps skipped (nothing relevant left)" }
            s += ".\n\n"
            let metrics = r.spec.metrics
            var best: [Double] = metrics.map { _ in -Double.infinity }
            for v in rows { for (j, m) in v.summaries.enumerated() { best[j] = max(best[j], m.summary.mean) } }
            s += "| variant | " + metrics.map(\.name).joined(separator: " | ") + " |\n"
            s += "|---|" + metrics.map { _ in "---:|" }.joined() + "\n"
            for v in rows {
                s += "| `\(v.variant.id)` |"
                for (j, m) in v.summaries.enumerated() {
                    var cell = String(format: "%.4f", m.summary.mean)
                    if let ci = m.summary.ci95 { cell += String(format: " [%.4f, %.4f]", ci.lo, ci.hi) }
                    if m.summary.mean == best[j] && rows.count > 1 { cell = "**\(cell)**" }
                    s += " \(cell) |"
                }
                s += "\n"
            }
            s += "\n"
            if let published = r.spec.published {
                s += publishedSection(published, variants: rows)
            }
        }
        let trained = r.variants.filter { $0.training != nil }
        if !trained.isEmpty {
            s += "## Training\n\n"
            s += "Learned variants train on the events each protocol lets them see (those before each ranked period), never a ranked target; "
            s += "weights of the best validation epoch, in `weights/` (sha256 in manifest.json); per-epoch losses in training.csv, training time in timings.json.\n\n"
            s += "| protocol | variant | epochs | best | train loss | validation loss | validation hit@10 | examples |\n"
            s += "|---|---|---:|---:|---:|---:|---:|---:|\n"
            for v in trained {
                let t = v.training!
                let best = t.report.epochs.first { $0.epoch == t.report.bestEpoch }
                s += "| \(v.protocolSpec.id) | `\(v.variant.id)` | \(t.report.epochs.count)\(t.report.stoppedEarly ? " (stopped early)" : "") | \(t.report.bestEpoch) | "
                s += (best.map { fmt($0.trainLoss, 4) } ?? "–") + " | " + (best?.validationLoss.map { fmt($0, 4) } ?? "–") + " | "
                s += (best?.validationHitRate.map { fmt($0, 4) } ?? "–") + " | \(t.trainingExamples) |\n"
            }
            s += "\n"
        }
        if !r.warnings.isEmpty {
            s += "## Warnings\n\n" + r.warnings.map { "- \($0)\n" }.joined() + "\n"
        }
        return s
    }

    /// The published reference numbers beside the run's best variants (``PublishedTable``).
    static func publishedSection(_ published: PublishedSpec, variants: [VariantResult]) -> String {
        let metrics = PublishedTable.metrics(published)
        let rows = PublishedTable.rows(published, variants: variants.map { v in
            (v.variant.id, v.variant.encoder.id, Dictionary(v.summaries.map { ($0.metric.name, $0.summary.mean) }, uniquingKeysWith: { a, _ in a }))
        })
        var s = "### Published numbers beside this run\n\n"
        s += "Rows marked *published* are quoted from \(published.source), not recomputed here; the other rows are this run's best "
        s += "variant of each encoder by \(metrics.first ?? "the first metric").\n\n"
        s += "| model | source | " + metrics.joined(separator: " | ") + " |\n"
        s += "|---|---|" + metrics.map { _ in "---:|" }.joined() + "\n"
        for row in rows {
            let label = row.source == "published" ? row.label : "`\(row.label)`"
            let source = row.source == "published" ? "*published*" : row.source
            s += "| \(label) | \(source) | " + row.values.map { $0.map { fmt($0, row.source == "published" ? 3 : 4) } ?? "–" }.joined(separator: " | ") + " |\n"
        }
        return s + "\n"
    }
}
