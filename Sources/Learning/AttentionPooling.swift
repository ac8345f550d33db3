import Statistics

/// Variable-length sequences packed CSR-style for ``AttentionPooling``: sequence `j` is the
/// entries `offsets[j] ..< offsets[j+1]`, oldest first. Each entry names a row of the event
/// matrix (several sequences may share rows, e.g. the prefixes of one user's history), the
/// event's type, its age bucket and a fixed log-weight added to its score.
///
/// There is no padding: a sequence's softmax runs over exactly its entries. An entry with
/// log-weight −∞ (event weight 0) is masked: its α is exactly 0. A sequence whose entries are
/// all masked (or that has none) pools to the zero vector.
public struct PackedSequences: Sendable, Equatable {
    public var offsets: [Int]
    public var rows: [Int32]
    public var types: [Int32]
    public var buckets: [Int32]
    public var logWeights: [Double]

    public init(offsets: [Int] = [0], rows: [Int32] = [], types: [Int32] = [], buckets: [Int32] = [], logWeights: [Double] = []) {
        self.offsets = offsets
        self.rows = rows
        self.types = types
        self.buckets = buckets
        self.logWeights = logWeights
    }

    public var count: Int { offsets.count - 1 }
    public var entryCount: Int { rows.count }

    /// Appends one entry to the sequence being built (close it with ``endSequence()``).
    public mutating func append(row: Int, type: Int, bucket: Int, weight: Double) {
        rows.append(Int32(row))
        types.append(Int32(type))
        buckets.append(Int32(bucket))
        logWeights.append(weight > 0 ? Double.log(weight) : -.infinity)
    }

    public mutating func endSequence() { offsets.append(rows.count) }
}

/// Softmax attention pooling over each packed sequence of event vectors (d-dimensional rows of
/// `X`):
///
///     zᵢ = W·xᵢ            (W stored as a d × r matrix, zᵢ = xᵢ·W)
///     sᵢ = qᵀzᵢ + b_type[typeᵢ] + b_age[bucketᵢ] + log wᵢ
///     αᵢ = exp(sᵢ − max s) / Σⱼ exp(sⱼ − max s)      (over the sequence's unmasked entries)
///     y  = Σᵢ αᵢ zᵢ
///
/// With W = I, q = 0 and zero biases, y = Σ wᵢxᵢ / Σ wᵢ: the weighted mean of the sequence.
///
/// Backward, for `g = ∂L/∂y`: `∂L/∂αᵢ = gᵀzᵢ`, `∂L/∂sᵢ = αᵢ(gᵀzᵢ − Σⱼ αⱼ gᵀzⱼ)`,
/// `∂L/∂zᵢ = αᵢ g + (∂L/∂sᵢ) q` (summed over every sequence that uses row i),
/// `∂L/∂q += Σᵢ (∂L/∂sᵢ) zᵢ`, `∂L/∂b_type[t] += Σ_{typeᵢ=t} ∂L/∂sᵢ` (b_age likewise),
/// `∂L/∂W += Xᵀ·∂L/∂Z`, `∂L/∂X = ∂L/∂Z·Wᵀ`. Sequences and entries are visited in index order.
/// - Complexity: 2·n·d·r flops for Z (sgemm) plus O(entries·r) for the pooling; backward twice that.
public struct AttentionPooling: Sendable {
    public let inputs: Int
    public let rank: Int
    public let typeCount: Int
    public let bucketCount: Int
    public let weight: Parameter
    public let query: Parameter
    public let typeBias: Parameter
    public let ageBias: Parameter

    public struct Cache<T: LearningScalar>: Sendable {
        public var projected: Matrix<T>
        /// α per entry (0 for masked entries).
        public var attention: [T]
    }

    /// Adds `name.weight` (`[d, r]`, identity or Xavier), `name.query` (`[r]`, zeros),
    /// `name.type_bias` (`[types]`, zeros) and `name.age_bias` (`[buckets]`, zeros).
    public init<T>(_ name: String, inputs: Int, rank: Int, typeCount: Int, bucketCount: Int, identity: Bool,
                   store: inout ParameterStore<T>, rng: inout SeededGenerator) {
        self.inputs = inputs
        self.rank = rank
        self.typeCount = typeCount
        self.bucketCount = bucketCount
        weight = store.add("\(name).weight", shape: [inputs, rank],
                           initializer: identity ? .identity : .xavierUniform(fanIn: inputs, fanOut: rank),
                           decays: true, rng: &rng)
        query = store.add("\(name).query", shape: [rank], initializer: .zeros, decays: false, rng: &rng)
        typeBias = store.add("\(name).type_bias", shape: [max(1, typeCount)], initializer: .zeros, decays: false, rng: &rng)
        ageBias = store.add("\(name).age_bias", shape: [max(1, bucketCount)], initializer: .zeros, decays: false, rng: &rng)
    }

    public func forward<T>(_ x: Matrix<T>, sequences seq: PackedSequences, parameters p: UnsafeBufferPointer<T>)
        -> (Matrix<T>, Cache<T>) {
        precondition(x.cols == inputs, "AttentionPooling: input has \(x.cols) columns, expected \(inputs)")
        let r = rank
        var z = Matrix<T>(rows: x.rows, cols: r)
        x.values.withUnsafeBufferPointer { xp in
            z.values.withUnsafeMutableBufferPointer { zp in
                matmul(xp.baseAddress, x.rows, inputs, p.baseAddress! + weight.offset, r, into: zp.baseAddress)
            }
        }
        var y = Matrix<T>(rows: seq.count, cols: r)
        var alpha = [T](repeating: 0, count: seq.entryCount)
        let q = p.baseAddress! + query.offset
        let bt = p.baseAddress! + typeBias.offset, ba = p.baseAddress! + ageBias.offset
        z.values.withUnsafeBufferPointer { zp in
            // qᵀzᵢ once per event row.
            var rowScore = [T](repeating: 0, count: x.rows)
            for e in 0..<x.rows {
                var s: T = 0
                let zr = zp.baseAddress! + e * r
                for c in 0..<r { s += q[c] * zr[c] }
                rowScore[e] = s
            }
            y.values.withUnsafeMutableBufferPointer { yp in
                alpha.withUnsafeMutableBufferPointer { a in
                    for j in 0..<seq.count {
                        let lo = seq.offsets[j], hi = seq.offsets[j + 1]
                        var m = -T.infinity
                        for k in lo..<hi {
                            let lw = seq.logWeights[k]
                            guard lw > -.infinity else { a[k] = -.infinity; continue }
                            let s = rowScore[Int(seq.rows[k])] + bt[Int(seq.types[k])] + ba[Int(seq.buckets[k])] + T(lw)
                            a[k] = s
                            if s > m { m = s }
                        }
                        guard m > -T.infinity else {
                            for k in lo..<hi { a[k] = 0 }
                            continue
                        }
                        var total: T = 0
                        for k in lo..<hi {
                            let e = a[k] > -T.infinity ? T.exp(a[k] - m) : 0
                            a[k] = e
                            total += e
                        }
                        let out = yp.baseAddress! + j * r
                        for k in lo..<hi {
                            a[k] /= total
                            let w = a[k]
                            if w == 0 { continue }
                            let zr = zp.baseAddress! + Int(seq.rows[k]) * r
                            for c in 0..<r { out[c] += w * zr[c] }
                        }
                    }
                }
            }
        }
        return (y, Cache(projected: z, attention: alpha))
    }

    /// Accumulates parameter gradients into `g`; returns ∂L/∂X (empty when not needed).
    public func backward<T>(_ x: Matrix<T>, sequences seq: PackedSequences, cache: Cache<T>, outputGradient gy: Matrix<T>,
                            parameters p: UnsafeBufferPointer<T>, gradients g: UnsafeMutableBufferPointer<T>,
                            needInputGradient: Bool = false) -> Matrix<T> {
        precondition(gy.rows == seq.count && gy.cols == rank, "AttentionPooling: gradient shape mismatch")
        let r = rank
        var gz = Matrix<T>(rows: x.rows, cols: r)
        let q = p.baseAddress! + query.offset
        let gq = g.baseAddress! + query.offset
        let gbt = g.baseAddress! + typeBias.offset, gba = g.baseAddress! + ageBias.offset
        cache.projected.values.withUnsafeBufferPointer { zp in
            gy.values.withUnsafeBufferPointer { gyp in
                gz.values.withUnsafeMutableBufferPointer { gzp in
                    var dots = [T](repeating: 0, count: 0)
                    for j in 0..<seq.count {
                        let lo = seq.offsets[j], hi = seq.offsets[j + 1]
                        let gj = gyp.baseAddress! + j * r
                        dots.removeAll(keepingCapacity: true)
                        var mean: T = 0
                        for k in lo..<hi {
                            let a = cache.attention[k]
                            var d: T = 0
                            if a != 0 {
                                let zr = zp.baseAddress! + Int(seq.rows[k]) * r
                                for c in 0..<r { d += gj[c] * zr[c] }
                            }
                            dots.append(d)
                            mean += a * d
                        }
                        for k in lo..<hi {
                            let a = cache.attention[k]
                            if a == 0 { continue }
                            let ds = a * (dots[k - lo] - mean)
                            let row = Int(seq.rows[k])
                            let zr = zp.baseAddress! + row * r
                            let gzr = gzp.baseAddress! + row * r
                            for c in 0..<r {
                                gzr[c] += a * gj[c] + ds * q[c]
                                gq[c] += ds * zr[c]
                            }
                            gbt[Int(seq.types[k])] += ds
                            gba[Int(seq.buckets[k])] += ds
                        }
                    }
                }
            }
        }
        var gx = Matrix<T>(rows: needInputGradient ? x.rows : 0, cols: inputs)
        x.values.withUnsafeBufferPointer { xp in
            gz.values.withUnsafeBufferPointer { gzp in
                matmul(xp.baseAddress, inputs, x.rows, gzp.baseAddress, r, transA: true,
                       into: g.baseAddress! + weight.offset, accumulate: true)
                if needInputGradient {
                    gx.values.withUnsafeMutableBufferPointer { gxp in
                        matmul(gzp.baseAddress, x.rows, r, p.baseAddress! + weight.offset, inputs, transB: true,
                               into: gxp.baseAddress)
                    }
                }
            }
        }
        return gx
    }
}
