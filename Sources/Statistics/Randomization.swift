import Dispatch

/// Resamples per independently seeded chunk of ``randomizationTest(_:_:resamples:seed:)``.
/// Part of the reproducibility contract: changing it changes every p-value for a seed.
public let randomizationChunkSize = 1_000

/// Fisher's paired randomization (sign-flip) test of H₀: the differences dᵢ = aᵢ − bᵢ are
/// symmetric about 0, two-sided, on the mean difference (Fisher 1935, *The Design of
/// Experiments*, §21; Smucker, Allan & Carterette, "A comparison of statistical
/// significance tests for information retrieval evaluation", CIKM 2007).
///
/// Each resample flips the sign of every dᵢ independently with probability ½ and counts
/// whether |Σ±dᵢ| ≥ |Σdᵢ| − τ; the p-value is (count + 1) / (resamples + 1), the unbiased
/// Monte-Carlo estimate that never reports 0 (Phipson & Smyth 2010). τ = 4nε·Σ|dᵢ|
/// (ε = 2⁻⁵²) bounds the rounding of two n-term sums, so a resample that equals the
/// observed mean in exact arithmetic (common with tied, discrete metrics) counts. Comparing
/// sums is comparing means, as n is fixed.
///
/// Reproducibility: resample r belongs to chunk ⌊r / 1000⌋ (``randomizationChunkSize``);
/// chunk c draws its signs from `SeededGenerator(seed: seed, stream: c)`, one bit of
/// ``SeededGenerator/next()`` per pair (least significant bit first, 64 pairs per draw, a
/// fresh draw for each resample). Chunks run in parallel, and the result depends only on
/// (a, b, resamples, seed), never on the number of threads.
///
/// - Parameters:
///   - a: the variant's per-user values.
///   - b: the baseline's values for the same users, same length.
///   - resamples: number of random sign patterns, > 0 (default 10,000).
///   - seed: the generator seed.
/// - Returns: the two-sided p-value in (0, 1]. With no pairs, or all differences zero, every
///   resample ties the observed mean and p is 1. NaN differences make p NaN.
/// - Complexity: O(resamples · n) time, spread over the available cores; O(n) memory.
public func randomizationTest(_ a: [Double], _ b: [Double], resamples: Int = 10_000,
                              seed: UInt64) -> Double {
    precondition(resamples > 0, "randomizationTest: resamples must be > 0 (got \(resamples))")
    let d = pairedDifferences(a, b, function: #function)
    if d.contains(where: { $0.isNaN }) { return .nan }
    let n = d.count
    var observed = 0.0, absoluteSum = 0.0
    for x in d {
        observed += x
        absoluteSum += abs(x)
    }
    let tolerance = 4 * Double(n) * Double.ulpOfOne * absoluteSum
    let threshold = abs(observed) - tolerance

    let chunks = (resamples + randomizationChunkSize - 1) / randomizationChunkSize
    var counts = [Int](repeating: 0, count: chunks)
    d.withUnsafeBufferPointer { differences in
        counts.withUnsafeMutableBufferPointer { counts in
            nonisolated(unsafe) let differences = differences
            nonisolated(unsafe) let counts = counts
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let first = chunk * randomizationChunkSize
                let size = min(randomizationChunkSize, resamples - first)
                var generator = SeededGenerator(seed: seed, stream: UInt64(chunk))
                var hits = 0
                for _ in 0..<size {
                    let sum = signFlippedSum(differences, &generator)
                    if abs(sum) >= threshold { hits += 1 }
                }
                counts[chunk] = hits  // each chunk writes its own slot only
            }
        }
    }
    let hits = counts.reduce(0, +)
    return Double(hits + 1) / Double(resamples + 1)
}

/// Σ ±dᵢ with the signs taken from the generator's bits, least significant first.
@inline(__always)
private func signFlippedSum(_ d: UnsafeBufferPointer<Double>,
                            _ generator: inout SeededGenerator) -> Double {
    var sum = 0.0
    var bits: UInt64 = 0
    for i in 0..<d.count {
        if i & 63 == 0 { bits = generator.next() }
        // Flip the IEEE sign bit when the random bit is 1.
        sum += Double(bitPattern: d[i].bitPattern ^ ((bits & 1) << 63))
        bits >>= 1
    }
    return sum
}
