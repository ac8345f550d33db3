import ArgumentParser
import Experiments
import Foundation
import JSON
import Retrieval

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a TREC run file against qrels with the runner's metrics (trec_eval's numbers, ties included).")

    @Option(help: "qrels file: `qid 0 docid rel` lines.") var qrels: String
    @Option(name: .customLong("run"), help: "run file: `qid Q0 docid rank score tag` lines.") var runFile: String
    @Option(help: "Comma-separated metrics.")
    var metrics: String = [MetricFamily.recall, .precision, .ndcg, .hit, .mrr, .map].map { MetricSpec(family: $0, k: 10).name }.joined(separator: ",")
    @Flag(name: .customLong("per-query"), help: "Also print each query's values.") var perQuery = false
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors {
            var ms: [MetricSpec] = []
            for name in metrics.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let m = MetricSpec(parsing: name), m.family != .coverage else {
                    throw ValidationError("--metrics: \"\(name)\" is not a per-query metric: expected <name>@<K>, name one of \(MetricFamily.allCases.filter { $0 != .coverage }.map(\.rawValue).joined(separator: ", "))")
                }
                ms.append(m)
            }
            let e = try TrecEvaluation.evaluate(qrelsPath: qrels, runPath: runFile, metrics: ms)
            if json {
                var members: [(String, JSONValue)] = [
                    ("metrics", .object(e.means.map { ($0.0.name, .double($0.1)) })),
                    ("queries", .int(e.queries)), ("skipped", .int(e.skipped)), ("missing", .int(e.missing)),
                ]
                if perQuery {
                    members.append(("per_query", .object(e.perQuery.map { q in
                        (q.qid, .object(zip(ms, q.values).map { ($0.name, .double($1)) }))
                    })))
                }
                print(JSONWriter.string(.object(members)), terminator: "")
            } else {
                if perQuery {
                    for q in e.perQuery { for (m, v) in zip(ms, q.values) { print("\(m.name)\t\(q.qid)\t\(String(format: "%.4f", v))") } }
                }
                for (m, v) in e.means { print("\(m.name)\tall\t\(String(format: "%.4f", v))") }
                print("queries\tall\t\(e.queries)")
                print("skipped\tall\t\(e.skipped)")
                print("missing\tall\t\(e.missing)")
            }
        }
    }
}
