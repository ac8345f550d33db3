import Results

/// A user's covariates as the runner computes them, per dense user id (see `Covariate`).
public typealias UserCovariate = Covariate<Int32>

extension UserCovariate {
    /// Covariates of every user with at least one query, users ascending, from the
    /// L2-normalised item vectors of `space` (the encoder's full table, before any reduction,
    /// so every variant of that encoder segments users the same way).
    ///
    /// - Complexity: O(events · d).
    public static func compute(queries: [Query], log: EventLog, space: ItemSpace) -> [UserCovariate] {
        var out: [UserCovariate] = []
        let d = space.dim
        var h = [Double](repeating: 0, count: d), t = [Double](repeating: 0, count: d)
        var q = 0
        space.values.withUnsafeBufferPointer { v in
            while q < queries.count {
                let user = queries[q].user
                let first = q
                while q < queries.count && queries[q].user == user { q += 1 }
                let s = log.start[Int(user)]
                let historyEnd = queries[first].historyEnd
                // The ranked periods: from the first step's start to the last step's end.
                let rankedStart = queries[first].absorbed, rankedEnd = queries[q - 1].end
                for j in 0..<d { h[j] = 0; t[j] = 0 }
                for k in 0..<historyEnd {
                    let row = Int(log.item[s + k]) * d
                    for j in 0..<d { h[j] += Double(v[row + j]) }
                }
                for k in rankedStart..<rankedEnd {
                    let row = Int(log.item[s + k]) * d
                    for j in 0..<d { t[j] += Double(v[row + j]) }
                }
                var dot = 0.0, hh = 0.0, tt = 0.0
                for j in 0..<d { dot += h[j] * t[j]; hh += h[j] * h[j]; tt += t[j] * t[j] }
                let drift = hh > 0 && tt > 0 ? 1 - dot / (hh.squareRoot() * tt.squareRoot()) : .nan
                out.append(UserCovariate(unit: user, historyEvents: historyEnd, drift: drift))
            }
        }
        return out
    }
}
