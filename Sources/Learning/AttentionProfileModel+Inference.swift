/// Fast inference for the `attention` updater over a whole catalogue: z = W·x is a function of
/// the item alone, so the items are projected once (one sgemm, items × d × r) and a user's
/// profile is then O(window · r + r · d) — instead of a d × r product per event.
///
/// Same formulas as ``AttentionProfileModel/forward(_:items:)``; results agree to float
/// rounding (the products are blocked differently), not bit for bit.
public struct AttentionInference<T: LearningScalar>: Sendable {
    public let configuration: AttentionProfileModel<T>.Configuration
    /// z for every item, `items × r`.
    public let projected: Matrix<T>
    /// qᵀz for every item.
    public let itemScores: [T]
    let typeBias: [T]
    let ageBias: [T]
    /// The r × d map back to item space (r < d), row-major.
    let output: [T]?

    /// One user's profile from their events, oldest first (the newest `window` are used;
    /// types default to 0, times to 0, weights to 1). No event with positive weight gives the
    /// zero profile.
    public func profile(items ids: [Int], types: [Int]? = nil, times: [Int64]? = nil, weights: [Double]? = nil) throws -> [T] {
        let c = configuration
        let d = c.dim, r = projected.cols
        for (i, id) in ids.enumerated() where id < 0 || id >= projected.rows {
            throw LearningError("attention: event \(i) has item \(id), outside 0..<\(projected.rows)")
        }
        if let types, let bad = types.firstIndex(where: { $0 < 0 || $0 >= typeBias.count }) {
            throw LearningError("attention: event \(bad) has type \(types[bad]), the model knows \(typeBias.count) types")
        }
        for (name, n) in [("types", types?.count), ("times", times?.count), ("weights", weights?.count)] {
            if let n, n != ids.count { throw LearningError("attention: \(ids.count) items but \(n) \(name)") }
        }
        if let weights, let bad = weights.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            throw LearningError("attention: event \(bad) has weight \(weights[bad]), expected a finite value >= 0")
        }
        let lo = max(0, ids.count - c.window)
        var pooled = [T](repeating: 0, count: r)
        guard lo < ids.count else { return [T](repeating: 0, count: d) }
        let newest = ids.count - 1
        var s = [T](repeating: -.infinity, count: ids.count - lo)
        var m = -T.infinity
        for k in lo..<ids.count {
            let w = c.useEventWeights ? (weights?[k] ?? 1) : 1
            guard w > 0 else { continue }
            let bucket = c.ageBuckets.bucket(eventsBack: newest - k, secondsBack: (times?[newest] ?? 0) - (times?[k] ?? 0))
            let v = itemScores[ids[k]] + typeBias[types?[k] ?? 0] + ageBias[bucket] + T(Double.log(w))
            s[k - lo] = v
            if v > m { m = v }
        }
        guard m > -T.infinity else { return [T](repeating: 0, count: d) }
        var total: T = 0
        for i in 0..<s.count {
            s[i] = s[i] > -T.infinity ? T.exp(s[i] - m) : 0
            total += s[i]
        }
        projected.values.withUnsafeBufferPointer { z in
            for k in lo..<ids.count where s[k - lo] > 0 {
                let a = s[k - lo] / total
                let row = z.baseAddress! + ids[k] * r
                for j in 0..<r { pooled[j] += a * row[j] }
            }
        }
        guard let output else { return pooled }
        var p = [T](repeating: 0, count: d)
        for i in 0..<r where pooled[i] != 0 {
            for j in 0..<d { p[j] += pooled[i] * output[i * d + j] }
        }
        return p
    }
}

extension AttentionProfileModel {
    /// Projects every item of `items` once, for ``AttentionInference/profile(items:types:times:weights:)``.
    public func inference(items: Matrix<T>) throws -> AttentionInference<T> {
        guard items.cols == dim else { throw LearningError("attention: item table has \(items.cols) columns, model dim is \(dim)") }
        let r = pooling.rank
        let v = parameters.values
        let z = v.withUnsafeBufferPointer { p in
            Dense.project(items, p.baseAddress! + pooling.weight.offset, r)
        }
        let q = Array(v[pooling.query.range])
        var scores = [T](repeating: 0, count: items.rows)
        z.values.withUnsafeBufferPointer { zp in
            for i in 0..<items.rows {
                var s: T = 0
                for j in 0..<r { s += q[j] * zp[i * r + j] }
                scores[i] = s
            }
        }
        return AttentionInference(configuration: configuration, projected: z, itemScores: scores,
                                  typeBias: Array(v[pooling.typeBias.range]), ageBias: Array(v[pooling.ageBias.range]),
                                  output: output.map { Array(v[$0.weight.range]) })
    }
}

extension Dense {
    /// X·W for a raw `cols × out` weight block.
    static func project<T: LearningScalar>(_ x: Matrix<T>, _ w: UnsafePointer<T>, _ out: Int) -> Matrix<T> {
        var y = Matrix<T>(rows: x.rows, cols: out)
        x.values.withUnsafeBufferPointer { xp in
            y.values.withUnsafeMutableBufferPointer { yp in
                matmul(xp.baseAddress, x.rows, x.cols, w, out, into: yp.baseAddress)
            }
        }
        return y
    }
}
