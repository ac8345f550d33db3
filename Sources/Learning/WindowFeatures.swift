/// The half-life of the decayed mean: in events back or in seconds back from the newest event.
public enum HalfLife: Sendable, Equatable {
    case events(Double)
    case seconds(Double)

    func validate(_ model: String) throws {
        switch self {
        case .events(let h), .seconds(let h):
            guard h > 0, h.isFinite else { throw LearningError("\(model): half-life must be > 0 (got \(h))") }
        }
    }
}

/// Per example, over its newest `window` events: [mean, decayed mean, last event vector,
/// log(1 + n)] (3d + 1 values). mean = Σwᵢxᵢ/Σwᵢ, decayed = Σwᵢδᵢxᵢ/Σwᵢδᵢ with δᵢ = 2^(−Δᵢ/h)
/// (the `mean` and `decay` strategies' formulas), accumulated in float64 in event order; a mean
/// with no positive weight is 0; an example without events is all 0.
func windowFeatures<T: LearningScalar>(_ batch: SequenceBatch, items: Matrix<T>, window: Int, halfLife: HalfLife,
                                       useEventWeights: Bool) -> Matrix<T> {
    let d = items.cols, w = 3 * d + 1
    var f = Matrix<T>(rows: batch.count, cols: w)
    var mean = [Double](repeating: 0, count: d), decayed = mean
    items.values.withUnsafeBufferPointer { e in
        f.values.withUnsafeMutableBufferPointer { fp in
            for j in 0..<batch.count {
                let range = windowRange(batch, j, window: window)
                guard let newest = range.last else { continue }
                let newestRow = Int(batch.rows[newest])
                for c in 0..<d { mean[c] = 0; decayed[c] = 0 }
                var sw = 0.0, sd = 0.0
                for k in range {
                    let row = Int(batch.rows[k])
                    let wk = useEventWeights ? batch.eventWeights[row] : 1
                    guard wk > 0 else { continue }
                    let delta: Double
                    switch halfLife {
                    case .events(let h): delta = Double(newest - k) / h
                    case .seconds(let h): delta = Double(batch.eventTimes[newestRow] - batch.eventTimes[row]) / h
                    }
                    let wd = wk * exp2(-delta)
                    let x = e.baseAddress! + Int(batch.eventItems[row]) * d
                    for c in 0..<d {
                        mean[c] += wk * Double(x[c])
                        decayed[c] += wd * Double(x[c])
                    }
                    sw += wk
                    sd += wd
                }
                let out = fp.baseAddress! + j * w
                let last = e.baseAddress! + Int(batch.eventItems[newestRow]) * d
                for c in 0..<d {
                    out[c] = sw > 0 ? T(mean[c] / sw) : 0
                    out[d + c] = sd > 0 ? T(decayed[c] / sd) : 0
                    out[2 * d + c] = last[c]
                }
                out[3 * d] = T(Double.log(1 + Double(range.count)))
            }
        }
    }
    return f
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
