import Experiments
import Foundation
import Results
import Comparisons
import Results

/// report.md: a table per protocol (variants as rows, metrics as columns, the best value of
/// each column in bold), with the skipped users and the run's warnings stated.
public enum MarkdownReport {
    /// report.md of `folder`, with the comparison section when there is a comparison.
    public static func render(_ folder: ResultsFolder, comparison: ComparisonDocument?) -> String {
        let spec = folder.spec, manifest = folder.manifest
        let summary = manifest.datasetSummary
        var s = "# \(spec.name)\n\n"
        s += "Dataset `\(spec.dataset)`: \(summary.users) users, \(summary.items) items, \(summary.events) events. "
        s += "Seed \(spec.seed). `exclude_seen` \(spec.excludeSeen ? "on" : "off"). Metrics in the trec dialect (docs/metrics.md); "
        s += "each cell is the mean over users with its 95% bootstrap interval.\n\n"
        let metrics = spec.metrics
        let firstPerUser = metrics.firstIndex(where: { $0.family != .coverage })
        for p in spec.protocols {
            let rows = folder.variants.filter { $0.protocolID == p.id }
            guard let first = rows.first else { continue }
            s += "## \(p.id)\n\n"
            let users = firstPerUser.map { first.summaries[$0].n } ?? 0
            s += "\(users) users scored, \(first.skippedUsers) skipped"
            if let st = first.skippedSteps { s += ", \(st) steps skipped (nothing relevant left)" }
            s += ".\n\n"
            var best: [Double] = metrics.map { _ in -Double.infinity }
            for v in rows { for (j, m) in v.summaries.enumerated() { best[j] = max(best[j], m.mean) } }
            s += "| variant | " + metrics.map(\.name).joined(separator: " | ") + " |\n"
            s += "|---|" + metrics.map { _ in "---:|" }.joined() + "\n"
            for v in rows {
                s += "| `\(v.id)` |"
                for (j, m) in v.summaries.enumerated() {
                    var cell = String(format: "%.4f", m.mean)
                    if let ci = m.ci95 { cell += String(format: " [%.4f, %.4f]", ci.lo, ci.hi) }
                    if m.mean == best[j] && rows.count > 1 { cell = "**\(cell)**" }
                    s += " \(cell) |"
                }
                s += "\n"
            }
            s += "\n"
            if let published = spec.published {
                s += publishedSection(published, variants: rows)
            }
        }
        if let trained = manifest.trainedWeights, !trained.isEmpty {
            s += "## Training\n\n"
            s += "Learned variants train on the events each protocol lets them see (those before each ranked period), never a ranked target; "
            s += "weights of the best validation epoch, in `weights/` (sha256 in manifest.json); per-epoch losses in training.csv, training time in timings.json.\n\n"
            s += "| protocol | variant | epochs | best | train loss | validation loss | validation hit@10 | examples |\n"
            s += "|---|---|---:|---:|---:|---:|---:|---:|\n"
            for t in trained {
                let best = folder.training.first { $0.protocolID == t.protocolID && $0.variant == t.variant && $0.epoch == t.bestEpoch }
                let stoppedEarly = configuredEpochs(spec, variant: t.variant).map { t.epochs < $0 } ?? false
                s += "| \(t.protocolID) | `\(t.variant)` | \(t.epochs)\(stoppedEarly ? " (stopped early)" : "") | \(t.bestEpoch) | "
                s += (best.map { fmt($0.trainLoss, 4) } ?? "–") + " | " + (best?.validationLoss.map { fmt($0, 4) } ?? "–") + " | "
                s += (best?.validationHitRate.map { fmt($0, 4) } ?? "–") + " | \(t.trainingExamples) |\n"
            }
            s += "\n"
        }
        if !manifest.warnings.isEmpty {
            s += "## Warnings\n\n" + manifest.warnings.map { "- \($0)\n" }.joined() + "\n"
        }
        guard let comparison else { return s }
        return s + (s.hasSuffix("\n\n") || s.isEmpty ? "" : "\n") + comparisonSection(comparison)
    }

    /// The epochs a learned variant was configured to train (its training stopped early when it
    /// ran fewer).
    static func configuredEpochs(_ spec: ExperimentSpec, variant id: String) -> Int? {
        switch spec.variants.first(where: { $0.id == id })?.strategy {
        case .attention(let a)?: return a.training.epochs
        case .mlp(let m)?: return m.training.epochs
        default: return nil
        }
    }

    /// The published reference numbers beside the run's best variants (``PublishedTable``).
    static func publishedSection(_ published: PublishedSpec, variants: [VariantEntry]) -> String {
        let metrics = PublishedTable.metrics(published)
        let rows = PublishedTable.rows(published, variants: variants.map { v in
            (v.id, v.encoder, Dictionary(v.means.map { ($0.metric, $0.mean) }, uniquingKeysWith: { a, _ in a }))
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
