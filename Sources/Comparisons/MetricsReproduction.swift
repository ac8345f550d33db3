import Foundation
import JSON
import Results

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

/// Whether a re-run trained the same weights: the `trained_weights` of the two manifests,
/// matched by protocol and variant, with equal sha256 (`reproduce`).
public struct WeightsReproduction: Sendable {
    /// Trained weights files in the original manifest.
    public var count: Int
    /// One line per file whose sha256 differs or that only one run has; empty when all agree.
    public var differences: [String]

    /// Compares `<original>/manifest.json` with `<rerun>/manifest.json`.
    public static func compare(original: String, rerun: String) throws -> WeightsReproduction {
        func entries(_ folder: String) throws -> [(key: String, sha: String)] {
            let manifest = try Manifest.load(URL(fileURLWithPath: folder).appendingPathComponent("manifest.json").path)
            return (manifest.trainedWeights ?? []).map { ("\($0.protocolID) \($0.variant)", $0.sha256) }
        }
        let a = try entries(original), b = try entries(rerun)
        var differences: [String] = []
        for (key, sha) in a {
            guard let other = b.first(where: { $0.key == key }) else { differences.append("\(key): only in the original"); continue }
            if other.sha != sha { differences.append("\(key): sha256 \(sha) -> \(other.sha)") }
        }
        for (key, _) in b where !a.contains(where: { $0.key == key }) { differences.append("\(key): only in the re-run") }
        return WeightsReproduction(count: a.count, differences: differences)
    }
}
