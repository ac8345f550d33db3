import ArgumentParser
import Comparisons
import Experiments
import Foundation
import JSON
import Reports
import Runner

struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-run a results folder from its manifest and report whether metrics.json is byte-identical.")

    @Argument(help: "A results folder (with manifest.json).") var folder: String
    @Option(help: "Keep the re-run here instead of a temporary folder.") var keep: String?
    @Flag(help: "No progress lines on stderr.") var quiet = false

    func run() throws {
        try reportingErrors {
            // Only manifest.json and metrics.json are needed: large studies commit their results
            // without per_user.csv, which the re-run writes anew.
            let manifestPath = (folder.hasSuffix("/") ? folder : folder + "/") + "manifest.json"
            guard let manifestData = FileManager.default.contents(atPath: manifestPath) else {
                throw ResultsError("\(manifestPath): no such file (not a results folder?)")
            }
            let manifest: JSONValue
            do { manifest = try JSONParser.parse(bytes: Array(manifestData)) } catch {
                throw ResultsError("\(manifestPath): is not valid JSON: \(error)")
            }
            guard let specJSON = manifest["spec"], specJSON.objectValue != nil else {
                throw ResultsError("\(folder)/manifest.json: has no spec object to re-run")
            }
            // Relative dataset paths resolve as they did: from here, then from the spec's folder.
            let specPath = manifest["spec_path"]?.stringValue ?? "\(folder)/manifest.json"
            let spec = try SpecParser.parse(text: JSONWriter.string(specJSON), path: specPath)
            if let recorded = manifest["dataset_sha256"]?.stringValue, !recorded.isEmpty {
                let now = try Hashing.sha256(file: spec.datasetPath)
                if now != recorded { stderrLine("warning: \(spec.datasetPath) has sha256 \(now), the run recorded \(recorded)") }
            }
            let out = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("profilebench-reproduce-\(UUID().uuidString)").path
            defer { if keep == nil { try? FileManager.default.removeItem(atPath: out) } }
            let result = try runSpec(spec, to: out, quiet: quiet)
            let a = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent("metrics.json"))
            let b = try Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("metrics.json"))
            if a == b {
                print("reproduced: metrics.json is byte-identical (\(a.count) bytes, \(result.variants.count) variants)")
                return
            }
            let differences = jsonDifferences(try JSONParser.parse(String(decoding: a, as: UTF8.self)),
                                              try JSONParser.parse(String(decoding: b, as: UTF8.self)), at: "")
            print("NOT reproduced: metrics.json differs (\(differences.count) values)")
            for d in differences.prefix(50) { print("  \(d)") }
            if differences.count > 50 { print("  … and \(differences.count - 50) more") }
            if differences.isEmpty { print("  (same values, different bytes: formatting)") }
            throw ExitCode(1)
        }
    }
}

/// Paths and values where two JSON documents differ (`variants[2:hash-32/mean/none].metrics.ndcg@5.mean: a -> b`).
func jsonDifferences(_ a: JSONValue, _ b: JSONValue, at path: String) -> [String] {
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
