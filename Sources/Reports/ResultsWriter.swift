import AtomicIO
import Comparisons
import Experiments
import Foundation
import Results
import JSON
import Runner

/// The tool's version, stamped into every manifest.
public let profileBenchVersion = "0.1.0"

/// Writes a results folder (docs/results.md): the run's ``ResultsFolder`` built in memory, its
/// comparison (when the spec has a `compare` block) and its reports rendered from that model,
/// all into a temporary folder renamed into place when complete. Nothing is read back.
public enum ResultsWriter {
    /// Writes `result` to the folder `out`, replacing an older one only when complete; a shard's
    /// result goes to a partial folder (``ShardFolder``).
    public static func write(_ result: RunResult, to out: String) throws {
        if result.shard != nil { return try ShardFolder.write(result, to: out) }
        let folder = ResultsFolder(run: result, path: out)
        try folder.write(extra: try ResultsReport.render(folder, comparison: try ResultsReport.specComparison(folder)))
    }

    /// Where a learned variant's weights go in the folder: `weights/<protocol>/<variant id>.safetensors`.
    public static func weightsFile(_ v: VariantResult) -> String {
        "weights/\(v.protocolSpec.id)/\(v.variant.id).safetensors"
    }

    /// The commit of the working tree the tool runs from ($PROFILEBENCH_GIT_COMMIT overrides).
    public static func gitCommit() -> String {
        if let c = ProcessInfo.processInfo.environment["PROFILEBENCH_GIT_COMMIT"], !c.isEmpty { return c }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "rev-parse", "HEAD"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return "unknown" }
        p.waitUntilExit()
        let s = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return p.terminationStatus == 0 && !s.isEmpty ? s : "unknown"
    }

    public static func platformDescription() -> String {
        var u = utsname()
        uname(&u)
        func str<T>(_ t: T) -> String { withUnsafeBytes(of: t) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) } }
        return "\(str(u.sysname)) \(str(u.release)) \(str(u.machine)), \(ProcessInfo.processInfo.activeProcessorCount) cores"
    }
}
