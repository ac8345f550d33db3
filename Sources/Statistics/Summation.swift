// Sums, means and variances computed the way NumPy computes them, so that values derived
// from them (t statistics, Cohen's d) agree with scipy to the last bit in ordinary cases and
// take the same branch in degenerate ones (a variance that is exactly 0 in NumPy is exactly
// 0 here, and vice versa).

/// The sum of `x` by NumPy's pairwise summation (`numpy/_core/src/umath/loops_utils.h.src`,
/// `pairwise_sum`): blocks of at most 128 values are summed with eight interleaved
/// accumulators, larger arrays are split in two halves (the first rounded down to a multiple
/// of 8) and summed recursively. The rounding error grows as O(ε log n) rather than O(ε n).
///
/// - Complexity: O(n).
@usableFromInline
func pairwiseSum(_ x: UnsafeBufferPointer<Double>) -> Double {
    let n = x.count
    if n < 8 {
        // NumPy starts from -0.0 so that a sum of negative zeros stays -0.0.
        var res = -0.0
        for v in x { res += v }
        return res
    } else if n <= 128 {
        var r0 = x[0], r1 = x[1], r2 = x[2], r3 = x[3]
        var r4 = x[4], r5 = x[5], r6 = x[6], r7 = x[7]
        var i = 8
        while i < n - (n % 8) {
            r0 += x[i]; r1 += x[i + 1]; r2 += x[i + 2]; r3 += x[i + 3]
            r4 += x[i + 4]; r5 += x[i + 5]; r6 += x[i + 6]; r7 += x[i + 7]
            i += 8
        }
        var res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n {
            res += x[i]
            i += 1
        }
        return res
    } else {
        var n2 = n / 2
        n2 -= n2 % 8
        let lhs = UnsafeBufferPointer(rebasing: x[0..<n2])
        let rhs = UnsafeBufferPointer(rebasing: x[n2..<n])
        return pairwiseSum(lhs) + pairwiseSum(rhs)
    }
}

/// NumPy's `np.sum(x)` for a contiguous float64 array (see ``pairwiseSum(_:)``).
func numpySum(_ x: [Double]) -> Double {
    x.withUnsafeBufferPointer { pairwiseSum($0) }
}

/// NumPy's `np.mean(x)`: the pairwise sum divided by n. NaN for an empty array.
func numpyMean(_ x: [Double]) -> Double {
    numpySum(x) / Double(x.count)
}

/// scipy's `_var(x, ddof:)`: the mean of squared deviations from the NumPy mean, times
/// n / (n − ddof) (`scipy/stats/_stats_py.py`, `_var` and `_moment`).
func scipyVariance(_ x: [Double], ddof: Int, mean: Double) -> Double {
    let n = Double(x.count)
    let squared = x.map { ($0 - mean) * ($0 - mean) }
    let moment = numpySum(squared) / n
    return moment * (n / (n - Double(ddof)))
}

/// Element-wise differences a − b of two paired samples.
func pairedDifferences(_ a: [Double], _ b: [Double], function: StaticString) -> [Double] {
    precondition(a.count == b.count,
                 "\(function): paired samples must have the same length (got \(a.count) and \(b.count))")
    return zip(a, b).map { $0 - $1 }
}
