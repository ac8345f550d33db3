import ArgumentParser
import AtomicIO
import Experiments
import Foundation
import Reports
import Runner

struct Slurm: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write (and with --submit, submit) a Slurm array job that runs a spec's shards, then a dependent job that merges them.",
        discussion: "Writes <out>-slurm/shards.sbatch (#SBATCH --array=0-(N-1), one `run --shard i/N` per task, into <out>-shards/<i>), <out>-slurm/merge.sbatch (`merge` into <out>) and <out>-slurm/submit.sh, which submits the array and then the merge with --dependency=afterok. See docs/cluster.md.")

    @Argument(help: "An experiment spec (JSON).") var spec: String
    @Option(help: "Number of shards (array tasks).") var shards: Int
    @Option(help: "Results folder of the merged run (default results/<name>).") var out: String?
    @Option(help: "What the shards split: users or cells.") var shardBy: String = "users"
    @Option(help: "Slurm partition (sbatch --partition).") var partition: String?
    @Option(help: "Time limit per task (sbatch --time, e.g. 02:00:00).") var time: String?
    @Option(help: "CPUs per task (sbatch --cpus-per-task).") var cpus: Int?
    @Option(help: "The profilebench executable the jobs run (default: this one).") var binary: String?
    @Flag(help: "Submit with sbatch and print the two job ids.") var submit = false

    func validate() throws {
        guard shards >= 1 else { throw ValidationError("--shards must be at least 1 (got \(shards))") }
        guard Shard.By(rawValue: shardBy) != nil else { throw ValidationError("--shard-by must be users or cells (got \"\(shardBy)\")") }
        if let cpus, cpus < 1 { throw ValidationError("--cpus must be at least 1 (got \(cpus))") }
    }

    func run() throws {
        try reportingErrors {
            let s = try SpecParser.load(path: spec)
            let cwd = FileManager.default.currentDirectoryPath
            func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : URL(fileURLWithPath: cwd).appendingPathComponent(p).standardized.path }
            let exe = binary ?? CommandLine.arguments[0]
            let job = SlurmJob(name: s.name, spec: absolute(spec), out: absolute(out ?? "results/\(s.name)"), shards: shards,
                               shardBy: shardBy, partition: partition, time: time, cpus: cpus,
                               binary: exe.contains("/") ? absolute(exe) : exe, workingDirectory: cwd)
            try job.write()
            print("wrote \(job.folder)/shards.sbatch, \(job.folder)/merge.sbatch and \(job.folder)/submit.sh")
            guard submit else { return }
            let array = try job.sbatch(["\(job.folder)/shards.sbatch"])
            let merge = try job.sbatch(["--dependency=afterok:\(array)", "\(job.folder)/merge.sbatch"])
            print("submitted: array job \(array) (\(shards) tasks), merge job \(merge) after it")
        }
    }
}

/// The sbatch scripts of a sharded run.
struct SlurmJob {
    var name, spec, out: String
    var shards: Int
    var shardBy: String
    var partition, time: String?
    var cpus: Int?
    var binary, workingDirectory: String

    var folder: String { out + "-slurm" }
    var shardFolder: String { out + "-shards" }

    func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    func directives(_ job: String, log: String) -> String {
        var d = ["#!/bin/bash", "#SBATCH --job-name=\(job)", "#SBATCH --output=\(log)"]
        if let partition { d.append("#SBATCH --partition=\(partition)") }
        if let time { d.append("#SBATCH --time=\(time)") }
        if let cpus { d.append("#SBATCH --cpus-per-task=\(cpus)") }
        return d.joined(separator: "\n") + "\n"
    }

    var shardsScript: String {
        directives("pb-\(name)", log: "\(folder)/shard-%a.log").replacingOccurrences(of: "#SBATCH --output", with: "#SBATCH --array=0-\(shards - 1)\n#SBATCH --output")
            + """
            # One shard of \(quote(spec)) per array task (profilebench run --shard i/\(shards)).
            set -euo pipefail
            cd \(quote(workingDirectory))
            exec \(quote(binary)) run \(quote(spec)) --shard "${SLURM_ARRAY_TASK_ID}/\(shards)" --shard-by \(shardBy) --out \(quote(shardFolder))/"${SLURM_ARRAY_TASK_ID}" --quiet

            """
    }

    var mergeScript: String {
        directives("pb-\(name)-merge", log: "\(folder)/merge.log") + """
            # Runs after every shard finished (submitted with --dependency=afterok:<array job>).
            set -euo pipefail
            cd \(quote(workingDirectory))
            exec \(quote(binary)) merge \((0..<shards).map { quote(shardFolder + "/\($0)") }.joined(separator: " ")) --out \(quote(out))

            """
    }

    var submitScript: String {
        """
        #!/bin/bash
        # Submits the shards as an array job, then the merge once all of them succeeded.
        set -euo pipefail
        array=$(sbatch --parsable \(quote(folder + "/shards.sbatch")))
        merge=$(sbatch --parsable --dependency=afterok:"${array%%;*}" \(quote(folder + "/merge.sbatch")))
        echo "array job ${array%%;*}, merge job ${merge%%;*}"

        """
    }

    func write() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (file, text) in [("shards.sbatch", shardsScript), ("merge.sbatch", mergeScript), ("submit.sh", submitScript)] {
            let path = "\(folder)/\(file)"
            try AtomicIO.write(text, to: path)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
    }

    /// Runs sbatch --parsable with `args`; returns the job id.
    func sbatch(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sbatch", "--parsable"] + args
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: o.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let err = String(decoding: e.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard p.terminationStatus == 0, !out.isEmpty else {
            throw ValidationError("sbatch \(args.joined(separator: " ")) failed (exit \(p.terminationStatus)): \(err.isEmpty ? out : err)")
        }
        return String(out.split(separator: ";").first ?? "")
    }
}
