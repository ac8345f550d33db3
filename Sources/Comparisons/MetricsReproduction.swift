import Foundation
import JSON

/// Whether a re-run's metrics.json is byte-identical to the original's, and where the values
/// differ when it is not (`reproduce`).
public struct MetricsReproduction: Sendable {
    /// Bytes of the original metrics.json.
    public var originalBytes: Int
    /// The two files have the same bytes.
    public var identical: Bool
    /// Where the two documents differ, one `path: a -> b` line each, in document order; empty
    /// when identical, or when only the formatting differs.
    public var differences: [String]

    /// Compares `<original>/metrics.json` with `<rerun>/metrics.json`.
    ///
    /// - Throws: when either file cannot be read or, when their bytes differ, parsed as JSON.
    public static func compare(original: String, rerun: String) throws -> MetricsReproduction {
        let a = try Data(contentsOf: URL(fileURLWithPath: original).appendingPathComponent("metrics.json"))
        let b = try Data(contentsOf: URL(fileURLWithPath: rerun).appendingPathComponent("metrics.json"))
        if a == b { return MetricsReproduction(originalBytes: a.count, identical: true, differences: []) }
        let differences = jsonDifferences(try JSONParser.parse(String(decoding: a, as: UTF8.self)),
                                          try JSONParser.parse(String(decoding: b, as: UTF8.self)))
        return MetricsReproduction(originalBytes: a.count, identical: false, differences: differences)
    }

    /// Paths and values where two JSON documents differ
    /// (`variants[2:hash-32/mean/none].metrics.ndcg@5.mean: a -> b`). Objects are matched by
    /// key; arrays of the same length element by element, an element named by its `id` when it
    /// has one; anything else compares whole.
    public static func jsonDifferences(_ a: JSONValue, _ b: JSONValue, at path: String = "") -> [String] {
        switch (a, b) {
        case let (.object(x), .object(y)):
            var out: [String] = []
            for (k, v) in x {
                let p = path.isEmpty ? k : "\(path).\(k)"
                if let w = y.first(where: { $0.0 == k })?.1 { out += jsonDifferences(v, w, at: p) } else { out.append("\(p): only in the original") }
            }
            for (k, _) in y where !x.contains(where: { $0.0 == k }) { out.append((path.isEmpty ? k : "\(path).\(k)") + ": only in the re-run") }
            return out
        case let (.array(x), .array(y)) where x.count == y.count:
            return zip(x, y).enumerated().flatMap { i, pair in
                let name = pair.0["id"]?.stringValue.map { ":\($0)" } ?? ""
                return jsonDifferences(pair.0, pair.1, at: "\(path)[\(i)\(name)]")
            }
        default:
            return a == b ? [] : ["\(path): \(JSONWriter.string(a, pretty: false)) -> \(JSONWriter.string(b, pretty: false))"]
        }
    }
}
