import Experiments
import Retrieval

/// The pre-period of an online experiment, simulated: before the experiment every user saw the
/// control, so each user's score on the end of their history, ranked by the static profile of
/// the events before it, is a covariate that does not depend on the variant (CUPED's pre-period
/// metric, `compare --split-traffic`).
public enum PrePeriod {
    /// One query per user of `queries` (users ascending): the last max(1, ⌊h/4⌋) of the user's h
    /// history events are ranked, the events before them build the profile and are the seen
    /// items. Users with h < 2, or nothing relevant left, get no query.
    public static func queries(from queries: [Query], log: EventLog, excludeSeen: Bool) -> [Query] {
        var out: [Query] = []
        var q = 0
        var seen = Set<Int32>()
        while q < queries.count {
            let user = queries[q].user
            let h = queries[q].historyEnd
            while q < queries.count && queries[q].user == user { q += 1 }
            let window = max(1, h / 4)
            let start = h - window
            guard start >= 1 else { continue }
            let s = log.start[Int(user)]
            seen.removeAll(keepingCapacity: true)
            if excludeSeen { for k in 0..<start { seen.insert(log.item[s + k]) } }
            var relevant = Set<Int32>()
            for k in start..<h where !seen.contains(log.item[s + k]) { relevant.insert(log.item[s + k]) }
            guard !relevant.isEmpty else { continue }
            out.append(Query(user: user, historyEnd: start, absorbed: start, end: h, relevant: relevant.sorted()))
        }
        return out
    }

    /// Per-user values of `metrics` (no coverage) for one ranked list per user.
    static func perUser(_ queries: [Query], lists: RankedLists, metrics: [MetricSpec], k: Int) -> [(user: Int32, values: [Double])] {
        var hits = [Bool]()
        hits.reserveCapacity(k)
        return queries.enumerated().map { i, query in
            hits.removeAll(keepingCapacity: true)
            for it in lists.list(i) { hits.append(binarySearch(query.relevant, it)) }
            let values = hits.withUnsafeBufferPointer { h in
                metrics.map { RankingMetrics.value($0, hits: h, relevantCount: query.relevant.count) }
            }
            return (query.user, values)
        }
    }
}
