import ArgumentParser
import Comparisons
import Foundation
import Reports

struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-run a results folder from its manifest and report whether metrics.json (and any trained weights) is byte-identical.")

    @Argument(help: "A results folder (with manifest.json).") var folder: String
    @Option(help: "Keep the re-run here instead of a temporary folder.") var keep: String?
    @Flag(help: "No progress lines on stderr.") var quiet = false

    func run() throws {
        try reportingErrors {
            let recorded = try RecordedRun.load(folder: folder)
            if let change = try recorded.datasetChange() { stderrLine("warning: \(change)") }
            let out = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("profilebench-reproduce-\(UUID().uuidString)").path
            defer { if keep == nil { try? FileManager.default.removeItem(atPath: out) } }
            let result = try runSpec(recorded.spec, to: out, quiet: quiet)
            let r = try MetricsReproduction.compare(original: folder, rerun: out)
            let w = try WeightsReproduction.compare(original: folder, rerun: out)
            if r.identical && w.differences.isEmpty {
                print("reproduced: metrics.json is byte-identical (\(r.originalBytes) bytes, \(result.variants.count) variants)"
                      + (w.count > 0 ? "; the \(w.count) trained weights files have the same sha256" : ""))
                return
            }
            if !w.differences.isEmpty {
                print("NOT reproduced: \(w.differences.count) of \(w.count) trained weights files differ")
                for d in w.differences { print("  \(d)") }
                if r.identical { throw ExitCode(1) }
            }
            let differences = r.differences
            print("NOT reproduced: metrics.json differs (\(differences.count) values)")
            for d in differences.prefix(50) { print("  \(d)") }
            if differences.count > 50 { print("  … and \(differences.count - 50) more") }
            if differences.isEmpty { print("  (same values, different bytes: formatting)") }
            throw ExitCode(1)
        }
    }
}
