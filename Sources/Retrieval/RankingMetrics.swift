
/// The per-list metrics of the "trec" dialect, computed from a ranked list and the set of
/// relevant items (binary relevance). Each equals the trec_eval measure named in
/// docs/metrics.md; everything is accumulated in float64 in rank order, as trec_eval does.
public enum RankingMetrics {
    /// Value of `metric` (not `coverage`, which is a system metric) for a ranked list whose
    /// position r (0-based) is relevant when `hits[r]`; `relevantCount` ≥ 1 is |rel|.
    public static func value(_ metric: MetricSpec, hits: UnsafeBufferPointer<Bool>, relevantCount: Int) -> Double {
        precondition(relevantCount >= 1, "metrics need at least one relevant item")
        let K = metric.k
        let n = min(K, hits.count)
        let R = Double(relevantCount)
        let capped = Double(min(K, relevantCount))
        switch metric.family {
        case .recall, .recallCapped, .precision, .hit:
            var h = 0
            for r in 0..<n where hits[r] { h += 1 }
            switch metric.family {
            case .recall: return Double(h) / R
            case .recallCapped: return Double(h) / capped
            case .precision: return Double(h) / Double(K)
            default: return h > 0 ? 1 : 0
            }
        case .ndcg:
            var dcg = 0.0
            for r in 0..<n where hits[r] { dcg += 1 / log2(Double(r) + 2) }
            var ideal = 0.0
            for r in 0..<min(K, relevantCount) { ideal += 1 / log2(Double(r) + 2) }
            return dcg / ideal
        case .mrr:
            for r in 0..<n where hits[r] { return 1 / Double(r + 1) }
            return 0
        case .map, .mapCapped:
            var h = 0
            var sum = 0.0
            for r in 0..<n where hits[r] {
                h += 1
                sum += Double(h) / Double(r + 1)
            }
            return sum / (metric.family == .map ? R : capped)
        case .coverage:
            preconditionFailure("coverage has no per-list value")
        }
    }

    /// Values of every non-coverage metric in `metrics` for one list.
    public static func values(_ metrics: [MetricSpec], ranked: [Int32], relevant: Set<Int32>) -> [Double] {
        let hits = ranked.map { relevant.contains($0) }
        return hits.withUnsafeBufferPointer { h in
            metrics.filter { $0.family != .coverage }.map { value($0, hits: h, relevantCount: relevant.count) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
