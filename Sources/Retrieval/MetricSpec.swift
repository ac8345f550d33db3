/// The metrics of the "trec" dialect, named as specs and results name them (`ndcg@10`). They
/// live here, with the code that computes them; the spec (Experiments) parses its `metrics`
/// list into these types.
/// Metric families of the "trec" dialect.
public enum MetricFamily: String, Sendable, CaseIterable {
    case recall, recallCapped = "recall_capped", precision, hit, ndcg, mrr, map
    case mapCapped = "map_capped", coverage
}

/// A metric at a cut-off: `ndcg@10`.
public struct MetricSpec: Hashable, Sendable {
    public let family: MetricFamily
    public let k: Int
    public init(family: MetricFamily, k: Int) {
        self.family = family
        self.k = k
    }
    public var name: String { "\(family.rawValue)@\(k)" }

    /// Parses `<family>@<K>`; nil if it does not parse.
    public init?(parsing text: String) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let family = MetricFamily(rawValue: String(parts[0])),
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let k = Int(parts[1]), k >= 1 else { return nil }
        self.init(family: family, k: k)
    }
}
