import Experiments
import JSON

/// A paper's reference numbers (the spec's `published` block) beside the run's own, for both
/// reports: one row per published model (labelled as published, never recomputed), then the
/// run's best variant on the first published metric, and its best variant per encoder.
public enum PublishedTable {
    public struct Row: Sendable {
        public var label: String
        /// `published` or `this run`.
        public var source: String
        /// One value per metric of ``metrics``; nil where the row has none.
        public var values: [Double?]
    }

    /// The metrics any published row gives, in first-appearance order.
    public static func metrics(_ published: PublishedSpec) -> [String] {
        var out: [String] = []
        for r in published.rows { for (m, _) in r.values where !out.contains(m) { out.append(m) } }
        return out
    }

    /// The rows for one protocol: `variants` are (id, encoder, metric → mean) of its variants.
    public static func rows(_ published: PublishedSpec, variants: [(id: String, encoder: String, means: [String: Double])]) -> [Row] {
        let metrics = metrics(published)
        var out = published.rows.map { r in
            Row(label: r.model, source: "published", values: metrics.map { m in r.values.first(where: { $0.metric == m })?.value })
        }
        guard let key = metrics.first else { return out }
        // The best variant per encoder (outside runs are an encoder of their own), best first.
        var bestPerEncoder: [(id: String, encoder: String, means: [String: Double])] = []
        for v in variants where v.means[key] != nil {
            if let i = bestPerEncoder.firstIndex(where: { $0.encoder == v.encoder }) {
                if v.means[key]! > bestPerEncoder[i].means[key]! { bestPerEncoder[i] = v }
            } else {
                bestPerEncoder.append(v)
            }
        }
        bestPerEncoder.sort { $0.means[key]! > $1.means[key]! }
        out += bestPerEncoder.map { v in Row(label: v.id, source: "this run", values: metrics.map { v.means[$0] }) }
        return out
    }
}
