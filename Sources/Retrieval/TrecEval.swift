import Foundation

/// A TREC file that cannot be read, naming the file, the line and what was wrong.
public struct TrecError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int
    public let message: String
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Scoring of external rankings in TREC format with the runner's own metric code.
///
/// qrels lines are `qid 0 docid rel` (rel > 0 is relevant); run lines are
/// `qid Q0 docid rank score tag`. A query's run lines are ranked by score descending, ties by
/// docid in descending byte order (trec_eval's rule; the rank column is ignored, as trec_eval
/// ignores it). Queries without a relevant document are skipped; a query with relevant
/// documents but no run line scores 0 on every metric (as `trec_eval -c`) and counts as missing.
public struct TrecEvaluation: Sendable {
    /// Mean of each metric over the evaluated queries (missing ones included).
    public var means: [(MetricSpec, Double)]
    /// Per-query values, in qid byte order.
    public var perQuery: [(qid: String, values: [Double])]
    public var queries: Int
    public var skipped: Int
    public var missing: Int

    /// Reads `qrelsPath` and `runPath` and evaluates `metrics` (coverage is not defined here).
    public static func evaluate(qrelsPath: String, runPath: String, metrics: [MetricSpec]) throws -> TrecEvaluation {
        let qrels = try readQrels(qrelsPath)
        let run = try readRun(runPath)
        var per: [(String, [Double])] = []
        var skipped = 0, missing = 0
        for qid in qrels.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let rel = qrels[qid]!
            if rel.isEmpty { skipped += 1; continue }
            guard let docs = run[qid] else {
                missing += 1
                per.append((qid, metrics.map { _ in 0 }))
                continue
            }
            let ranked = TrecRun.ranked(docs.map { TrecRun.Line(doc: $0.doc, score: $0.score, line: 0) })
            let maxK = metrics.map(\.k).max() ?? 0
            let hits = ranked.prefix(maxK).map { rel.contains($0.doc) }
            let values = hits.withUnsafeBufferPointer { h in
                metrics.map { RankingMetrics.value($0, hits: h, relevantCount: rel.count) }
            }
            per.append((qid, values))
        }
        var means: [(MetricSpec, Double)] = []
        for (j, m) in metrics.enumerated() {
            let s = per.reduce(0.0) { $0 + $1.1[j] }
            means.append((m, per.isEmpty ? 0 : s / Double(per.count)))
        }
        return TrecEvaluation(means: means, perQuery: per, queries: per.count, skipped: skipped, missing: missing)
    }

    static func lines(_ path: String) throws -> [Substring] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrecError(file: path, line: 0, message: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw TrecError(file: path, line: 0, message: "is not valid UTF-8 text") }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// qid → set of relevant docids (an entry exists for every qid of the file).
    static func readQrels(_ path: String) throws -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for (i, raw) in try lines(path).enumerated() {
            let f = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if f.isEmpty { continue }
            guard f.count == 4 else { throw TrecError(file: path, line: i + 1, message: "expected 4 fields `qid 0 docid rel`, found \(f.count)") }
            guard let rel = Double(f[3]) else { throw TrecError(file: path, line: i + 1, message: "relevance \"\(f[3])\" is not a number") }
            let qid = String(f[0])
            if out[qid] == nil { out[qid] = [] }
            if rel > 0 { out[qid]!.insert(String(f[2])) }
        }
        if out.isEmpty { throw TrecError(file: path, line: 0, message: "holds no qrels line") }
        return out
    }

    /// qid → (docid, score) lines.
    static func readRun(_ path: String) throws -> [String: [(doc: String, score: Double)]] {
        try TrecRun.read(path).lines.mapValues { $0.map { ($0.doc, $0.score) } }
    }

}

/// A TREC run file (`qid Q0 docid rank score tag`), read with each line's number so that a later
/// check (an unknown query or document) can name it.
public struct TrecRun: Sendable {
    public struct Line: Sendable {
        public var doc: String
        public var score: Double
        /// 1-based line number in the file.
        public var line: Int
    }

    public var path: String
    /// qid → its lines, in file order.
    public var lines: [String: [Line]]

    /// Reads `path`: six whitespace-separated fields a line, a finite score, no document twice
    /// for a query; blank lines are skipped.
    public static func read(_ path: String) throws -> TrecRun {
        var out: [String: [Line]] = [:]
        var seen: [String: Set<String>] = [:]
        for (i, raw) in try TrecEvaluation.lines(path).enumerated() {
            let f = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if f.isEmpty { continue }
            guard f.count == 6 else { throw TrecError(file: path, line: i + 1, message: "expected 6 fields `qid Q0 docid rank score tag`, found \(f.count)") }
            guard let score = Double(f[4]), score.isFinite else { throw TrecError(file: path, line: i + 1, message: "score \"\(f[4])\" is not a finite number") }
            let qid = String(f[0]), doc = String(f[2])
            guard seen[qid, default: []].insert(doc).inserted else {
                throw TrecError(file: path, line: i + 1, message: "document \(doc) appears twice for query \(qid)")
            }
            out[qid, default: []].append(Line(doc: doc, score: score, line: i + 1))
        }
        return TrecRun(path: path, lines: out)
    }

    /// A query's lines ranked as trec_eval ranks them: score descending, ties by docid in
    /// descending byte order.
    public static func ranked(_ lines: [Line]) -> [Line] {
        lines.sorted { a, b in
            a.score != b.score ? a.score > b.score : Array(b.doc.utf8).lexicographicallyPrecedes(Array(a.doc.utf8))
        }
    }
}
