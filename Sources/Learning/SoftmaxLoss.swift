import Statistics

/// The value and profile gradient of a next-item loss over a batch of profiles.
public struct LossResult<T: LearningScalar>: Sendable {
    /// Σ over rows of `rowWeight ·` the row's loss (float64, accumulated in row order).
    public var loss: Double
    /// ∂loss/∂P, `rows × d` (empty when not requested).
    public var gradient: Matrix<T>
    /// Number of (row, target) pairs whose target ranks in the top `hitsAt` by logit
    /// (items with a strictly higher logit are counted; ties favour the target).
    public var hits: Int
    /// Number of (row, target) pairs.
    public var targets: Int
}

/// Cross-entropy of `softmax(scale · P·Eᵀ)` against the next items, with the item table `E`
/// (`items × d`) frozen: gradients are taken w.r.t. the profiles `P` only.
public enum SoftmaxLoss {
    /// Full softmax over the whole catalogue.
    ///
    /// Row b with targets T_b (CSR: `targets[targetOffsets[b] ..< targetOffsets[b+1]]`) has
    /// logits `ℓ = scale · Eᵀp_b` and loss `LSE(ℓ) − (1/|T_b|) Σ_{t∈T_b} ℓ_t`, with the
    /// log-sum-exp taken stably as `m + log Σ exp(ℓ − m)`, m = max ℓ. One target per row is the
    /// usual next-item cross-entropy; several is the mean over a chunk of events (``OnlineUpdate``).
    /// A row without targets contributes 0.
    ///
    /// Gradient: `∂/∂p_b = rowWeight · scale · Eᵀ(softmax(ℓ) − (1/|T_b|) Σ_t e_t)` — one sgemm per
    /// block of rows for the logits and one for the gradient.
    /// - Complexity: 4·rows·items·d flops (2·rows·items·d without the gradient); memory one
    ///   block of about 4M logits.
    public static func full<T>(profiles p: Matrix<T>, items e: Matrix<T>, targetOffsets: [Int], targets: [Int32],
                               scale: Double, rowWeight: Double, needGradient: Bool = true, hitsAt: Int = 10) -> LossResult<T> {
        let d = p.cols, n = e.rows
        precondition(e.cols == d, "SoftmaxLoss.full: profiles have \(d) columns, items \(e.cols)")
        precondition(targetOffsets.count == p.rows + 1, "SoftmaxLoss.full: \(targetOffsets.count) target offsets for \(p.rows) rows")
        var grad = Matrix<T>(rows: needGradient ? p.rows : 0, cols: d)
        var loss = 0.0
        var hits = 0
        let blockRows = max(1, min(p.rows, (4 << 20) / max(1, n)))
        var logits = [T](repeating: 0, count: blockRows * n)
        p.values.withUnsafeBufferPointer { pp in
            e.values.withUnsafeBufferPointer { ep in
                logits.withUnsafeMutableBufferPointer { lp in
                    var r0 = 0
                    while r0 < p.rows {
                        let rows = min(blockRows, p.rows - r0)
                        matmul(pp.baseAddress! + r0 * d, rows, d, ep.baseAddress, n, transB: true, alpha: T(scale),
                               into: lp.baseAddress)
                        for i in 0..<rows {
                            let b = r0 + i
                            let lo = targetOffsets[b], hi = targetOffsets[b + 1]
                            let row = lp.baseAddress! + i * n
                            guard hi > lo else {
                                if needGradient { for j in 0..<n { row[j] = 0 } }
                                continue
                            }
                            var m = -T.infinity
                            for j in 0..<n where row[j] > m { m = row[j] }
                            var targetMean = 0.0
                            for t in lo..<hi {
                                let lt = row[Int(targets[t])]
                                targetMean += Double(lt)
                                var above = 0
                                for j in 0..<n where row[j] > lt { above += 1 }
                                if above < hitsAt { hits += 1 }
                            }
                            // exp(ℓ − m) once, in place; the sum in index order.
                            var s: T = 0
                            for j in 0..<n {
                                let x = T.exp(row[j] - m)
                                row[j] = x
                                s += x
                            }
                            let lse = Double(m) + Double(T.log(s))
                            let count = Double(hi - lo)
                            loss += rowWeight * (lse - targetMean / count)
                            if needGradient {
                                // softmax − mean one-hot, times rowWeight · scale (folded into the gemm's alpha).
                                let inv = 1 / s
                                for j in 0..<n { row[j] *= inv }
                                let share = T(1 / count)
                                for t in lo..<hi { row[Int(targets[t])] -= share }
                            }
                        }
                        if needGradient {
                            grad.values.withUnsafeMutableBufferPointer { gp in
                                matmul(lp.baseAddress, rows, n, ep.baseAddress, d, alpha: T(rowWeight * scale),
                                       into: gp.baseAddress! + r0 * d)
                            }
                        }
                        r0 += rows
                    }
                }
            }
        }
        return LossResult(loss: loss, gradient: grad, hits: hits, targets: targetOffsets[p.rows] - targetOffsets[0])
    }

    /// Sampled softmax (Jean et al. 2015; Bengio & Senécal 2008) with negatives shared by the
    /// batch: row b's candidates are its target t_b and the sampled items S (drawn with
    /// replacement from the proposal Q), with logits
    /// `ℓ_j = scale · e_jᵀp_b − log Q(j)` (the logQ correction, when `logQ` is given; it makes
    /// the sampled loss a consistent estimate of the full softmax's gradient). A sampled item
    /// equal to the row's target (an accidental hit) is masked out. Loss `LSE(ℓ) − ℓ_t`.
    ///
    /// Gradient: `∂/∂p_b = rowWeight · scale · (Σ_{j∈S} σ_j e_j + (σ_t − 1) e_t)`, σ the softmax
    /// over the candidates: one sgemm for the logits against the gathered negatives, one for
    /// the gradient.
    /// - Complexity: 4·rows·|S|·d flops plus O(rows·d).
    public static func sampled<T>(profiles p: Matrix<T>, items e: Matrix<T>, targets: [Int32], negatives: [Int32],
                                  logQ: [Double]?, scale: Double, rowWeight: Double, needGradient: Bool = true) -> LossResult<T> {
        let d = p.cols, k = negatives.count, rows = p.rows
        precondition(targets.count == rows, "SoftmaxLoss.sampled: \(targets.count) targets for \(rows) rows")
        precondition(logQ == nil || logQ!.count == e.rows, "SoftmaxLoss.sampled: logQ needs one value per item")
        precondition(k >= 1, "SoftmaxLoss.sampled: needs at least one negative")
        guard rows > 0 else { return LossResult(loss: 0, gradient: Matrix(rows: 0, cols: d), hits: 0, targets: 0) }
        var negs = Matrix<T>(rows: k, cols: d)
        e.values.withUnsafeBufferPointer { ep in
            negs.values.withUnsafeMutableBufferPointer { np in
                for (j, item) in negatives.enumerated() {
                    (np.baseAddress! + j * d).update(from: ep.baseAddress! + Int(item) * d, count: d)
                }
            }
        }
        var logits = [T](repeating: 0, count: rows * k)
        var grad = Matrix<T>(rows: needGradient ? rows : 0, cols: d)
        var loss = 0.0
        var hits = 0
        // log Q of each sampled column, shared by every row.
        let corrections: [T] = logQ.map { q in negatives.map { T(q[Int($0)]) } } ?? []
        p.values.withUnsafeBufferPointer { pp in
            e.values.withUnsafeBufferPointer { ep in
                negatives.withUnsafeBufferPointer { ids in
                corrections.withUnsafeBufferPointer { correction in
                negs.values.withUnsafeBufferPointer { np in
                    logits.withUnsafeMutableBufferPointer { lp in
                        matmul(pp.baseAddress, rows, d, np.baseAddress, k, transB: true, alpha: T(scale), into: lp.baseAddress)
                        grad.values.withUnsafeMutableBufferPointer { gp in
                            for b in 0..<rows {
                                let t = Int(targets[b])
                                let row = lp.baseAddress! + b * k
                                let pb = pp.baseAddress! + b * d, et = ep.baseAddress! + t * d
                                var dot: T = 0
                                for c in 0..<d { dot += pb[c] * et[c] }
                                let pos = T(scale) * dot - (logQ.map { T($0[t]) } ?? 0)
                                if let cp = correction.baseAddress { for j in 0..<k { row[j] -= cp[j] } }
                                let target = targets[b]
                                for j in 0..<k where ids[j] == target { row[j] = -.infinity }
                                var m = pos
                                for j in 0..<k where row[j] > m { m = row[j] }
                                let ePos = T.exp(pos - m)
                                var s = ePos
                                var above = 0
                                for j in 0..<k {
                                    let l = row[j]
                                    guard l > -T.infinity else { row[j] = 0; continue }
                                    if l > pos { above += 1 }
                                    let x = T.exp(l - m)
                                    row[j] = x
                                    s += x
                                }
                                if above < 10 { hits += 1 }
                                loss += rowWeight * (Double(m) + Double(T.log(s)) - Double(pos))
                                guard needGradient else { continue }
                                let inv = 1 / s
                                for j in 0..<k { row[j] *= inv }
                                let gpos = (ePos * inv - 1) * T(rowWeight * scale)
                                let gb = gp.baseAddress! + b * d
                                for c in 0..<d { gb[c] = gpos * et[c] }
                            }
                            if needGradient {
                                matmul(lp.baseAddress, rows, k, np.baseAddress, d, alpha: T(rowWeight * scale),
                                       into: gp.baseAddress, accumulate: true)
                            }
                        }
                    }
                }
                }
                }
            }
        }
        return LossResult(loss: loss, gradient: grad, hits: hits, targets: rows)
    }
}

/// Draws negative items for ``SoftmaxLoss/sampled``: with replacement, from a fixed proposal
/// Q over the catalogue (uniform, or proportional to `counts^power`, e.g. the training
/// events' item frequencies with power 0.75 as in word2vec), by inverse-CDF lookup of
/// ``Statistics/SeededGenerator/nextDouble()`` — deterministic in the generator's seed.
public struct NegativeSampler: Sendable {
    /// log Q(j) for every item (what ``SoftmaxLoss/sampled`` subtracts).
    public let logProbabilities: [Double]
    private let cumulative: [Double]

    /// The uniform proposal over `items` items.
    public init(uniformOver items: Int) {
        precondition(items > 0, "NegativeSampler: the catalogue is empty")
        logProbabilities = [Double](repeating: -Double.log(Double(items)), count: items)
        cumulative = (1...items).map { Double($0) / Double(items) }
    }

    /// Q(j) ∝ (counts[j] + smoothing)^power.
    public init(counts: [Double], power: Double = 0.75, smoothing: Double = 1) throws {
        guard !counts.isEmpty else { throw LearningError("negative sampler: the catalogue is empty") }
        let w = counts.map { pow(max(0, $0) + smoothing, power) }
        let total = w.reduce(0, +)
        guard total > 0, total.isFinite else { throw LearningError("negative sampler: item counts give no positive weight") }
        logProbabilities = w.map { $0 > 0 ? Double.log($0 / total) : -.infinity }
        var acc = 0.0
        cumulative = w.map { acc += $0; return acc / total }
    }

    /// `k` item ids.
    public func sample(_ k: Int, using rng: inout SeededGenerator) -> [Int32] {
        (0..<k).map { _ in
            let u = rng.nextDouble()
            var lo = 0, hi = cumulative.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
            }
            return Int32(lo)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
