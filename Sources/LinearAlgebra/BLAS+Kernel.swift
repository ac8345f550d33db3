import CBLAS
#if canImport(Glibc)
import Glibc
#endif

extension BLAS {
    /// The micro-kernel family OpenBLAS chose when it loaded (`Prescott`, `Haswell`, `Zen`, …).
    public static var coreName: String { String(cString: pb_openblas_corename()) }

    /// The kernels runs are pinned to: OpenBLAS's SSE3 (`Prescott`) kernels compute every element
    /// of a product the same way wherever its row or column falls. The AVX2 kernels
    /// (`Haswell`, `Zen`, and `SkylakeX`'s) do not: measured here with `cblas_sgemm`, the same row
    /// scored at positions 0–5 and 6–11 of a 64-row product differs in the last bit, and likewise
    /// for columns. A user's scores would then depend on which other users share their block, so a
    /// shard (`run --shard`) would rank some near-ties differently from the whole run, and the same
    /// spec would give other bits on a machine with other kernels.
    public static let reproducibleCore = "Prescott"

    /// Re-executes this process with `OPENBLAS_CORETYPE` set to ``reproducibleCore`` when it is
    /// not set (OpenBLAS reads it once, when the library loads, so it cannot be changed later).
    /// An explicit `OPENBLAS_CORETYPE` is respected. Returns (without re-executing) when the
    /// variable is set, or when `exec` fails.
    public static func pinReproducibleKernels() {
        if let set = getenv("OPENBLAS_CORETYPE"), set.pointee != 0 { return }
        setenv("OPENBLAS_CORETYPE", reproducibleCore, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
    }
}
