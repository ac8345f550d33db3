import ArgumentParser
import AtomicIO
import Foundation
import LinearAlgebra

@main
struct ProfileBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profilebench",
        abstract: "Compare dynamic user-profile update strategies for recommendation, from a JSON spec to verified metric tables.",
        discussion: "See README.md and docs/ for the spec format, the dataset layout and the metric definitions.",
        version: "0.1.0",
        subcommands: [Synth.self, Import.self, Encode.self, Inspect.self, Validate.self, Run.self, Compare.self, Check.self,
                      Reproduce.self, Merge.self, Slurm.self, Eval.self, Bench.self]
    )

    /// Every command but `encode` and `bench` runs on OpenBLAS's position-independent kernels
    /// (``BLAS/pinReproducibleKernels()``: the same bits for a user in a shard as in the whole
    /// run, on any x86-64 machine); `encode` and `bench` keep the machine's fastest kernels.
    static func main() {
        let command = CommandLine.arguments.dropFirst().first
        if command != "encode" && command != "bench" { BLAS.pinReproducibleKernels() }
        main(nil)
    }
}

/// Prints to standard error.
func stderrLine(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// Checks integer options against their smallest allowed values, in order: the first one below
/// its minimum is a `ValidationError` naming the option, the minimum and the value given.
func requireAtLeast(_ checks: [(option: String, value: Int, minimum: Int)]) throws {
    for c in checks where c.value < c.minimum {
        throw ValidationError("--\(c.option) must be >= \(c.minimum) (got \(c.value))")
    }
}

/// Runs a command body; a thrown error becomes one `error:` line on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    AtomicIO.cleanUpOnInterrupt()
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch {
        stderrLine("error: \(error)")
        throw ExitCode(1)
    }
}
