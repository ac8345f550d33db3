import Experiments
import Retrieval

/// An outside model's TREC run ranked for a protocol's lists, so that it is scored by the same
/// metric code as the strategies and paired with them by user (or case).
///
/// A list's ranking is the run's lines for its query id, in trec_eval's order (score descending,
/// ties by docid in descending byte order); with `exclude_seen` the items the user interacted
/// with before the ranked period are removed, as from every strategy's ranking, so that both
/// rank the same candidates. A list whose query id has no line in the run is an empty ranking
/// (every metric 0) and is counted as missing.
public struct OutsideRun: Sendable {
    public let spec: RunSpec
    public let run: TrecRun
    /// Dense item id of each document line (parallel to `run.lines[qid]`).
    let items: [String: [Int32]]

    /// Reads the run and checks that every query id is one of `knownQueries` and every document
    /// an item of the catalogue; an unknown one is an error naming the file and line.
    public init(_ spec: RunSpec, itemIndex: [String: Int32], knownQueries: Set<String>, queryForm: String) throws {
        let run = try TrecRun.read(spec.path)
        if run.lines.isEmpty { throw TrecError(file: spec.path, line: 0, message: "holds no run line") }
        var items: [String: [Int32]] = [:]
        // Report the earliest offending line.
        for (qid, lines) in run.lines.sorted(by: { $0.value[0].line < $1.value[0].line }) {
            guard knownQueries.contains(qid) else {
                throw TrecError(file: spec.path, line: lines[0].line, message: "query \(qid) is not a \(queryForm) of the dataset")
            }
            let ranked = TrecRun.ranked(lines)
            items[qid] = try ranked.map { l in
                guard let i = itemIndex[l.doc] else {
                    throw TrecError(file: spec.path, line: l.line, message: "document \(l.doc) is not an item id of the dataset")
                }
                return i
            }
        }
        self.spec = spec
        self.run = run
        self.items = items
    }

    /// The top-`k` lists of `queries`, `label(q)` the query id of each; how many had no line.
    public func rank(_ queries: [Query], label: (Query) -> String, log: EventLog, excludeSeen: Bool, k: Int) -> (lists: RankedLists, missing: Int) {
        var out = RankedLists(k: k, count: queries.count)
        var missing = 0
        var seen = Set<Int32>()
        for (q, query) in queries.enumerated() {
            guard let ranked = items[label(query)] else { missing += 1; continue }
            seen.removeAll(keepingCapacity: true)
            if excludeSeen {
                let s = log.start[Int(query.user)]
                for e in s..<(s + query.absorbed) { seen.insert(log.item[e]) }
            }
            var n = 0
            for it in ranked where !seen.contains(it) {
                out.items[q * k + n] = it
                n += 1
                if n == k { break }
            }
            out.counts[q] = Int32(n)
        }
        return (out, missing)
    }
}
