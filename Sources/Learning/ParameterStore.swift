import Statistics

/// One named tensor inside a ``ParameterStore``: its shape and where its values lie in the
/// flat vector.
public struct Parameter: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    /// First index in ``ParameterStore/values``.
    public let offset: Int
    /// Whether AdamW's decoupled weight decay applies (matrices yes; biases, gains, queries no).
    public let decays: Bool
    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }
}

/// How a tensor's initial values are drawn.
public enum Initializer: Sendable, Equatable {
    case zeros
    case ones
    /// Glorot & Bengio (2010): U(−a, a) with a = √(6 / (fanIn + fanOut)).
    case xavierUniform(fanIn: Int, fanOut: Int)
    /// The identity matrix (a square 2-d tensor), or the leading block of it.
    case identity
    case constant(Double)
}

/// All trainable values of a model in one flat vector, with a gradient vector of the same
/// length and the named tensors that partition them (in the order they were added).
///
/// A flat store lets the optimizer, the gradient norm and the determinism checks run over one
/// buffer in a fixed order, and lets weights be saved by name (see ``save(to:metadata:)``).
public struct ParameterStore<T: LearningScalar>: Sendable {
    public private(set) var values: [T] = []
    public var gradients: [T] = []
    public private(set) var tensors: [Parameter] = []

    public init() {}

    /// Number of scalars.
    public var count: Int { values.count }

    /// Appends a tensor `name` of `shape`, filled by `initializer` (random draws from `rng`,
    /// row-major order, so a seed fixes every value).
    @discardableResult
    public mutating func add(_ name: String, shape: [Int], initializer: Initializer, decays: Bool,
                             rng: inout SeededGenerator) -> Parameter {
        precondition(!tensors.contains { $0.name == name }, "ParameterStore: duplicate tensor \(name)")
        precondition(shape.allSatisfy { $0 >= 0 }, "ParameterStore: negative shape \(shape) for \(name)")
        let p = Parameter(name: name, shape: shape, offset: values.count, decays: decays)
        let n = p.count
        switch initializer {
        case .zeros: values += [T](repeating: 0, count: n)
        case .ones: values += [T](repeating: 1, count: n)
        case .constant(let c): values += [T](repeating: T(c), count: n)
        case .xavierUniform(let fanIn, let fanOut):
            let a = (6.0 / Double(max(1, fanIn + fanOut))).squareRoot()
            for _ in 0..<n { values.append(T((2 * rng.nextDouble() - 1) * a)) }
        case .identity:
            precondition(shape.count == 2, "ParameterStore: identity needs a 2-d tensor (\(name) has shape \(shape))")
            var block = [T](repeating: 0, count: n)
            for i in 0..<min(shape[0], shape[1]) { block[i * shape[1] + i] = 1 }
            values += block
        }
        gradients += [T](repeating: 0, count: n)
        tensors.append(p)
        return p
    }

    /// The tensor called `name`, if there is one.
    public func tensor(_ name: String) -> Parameter? { tensors.first { $0.name == name } }

    /// The values of tensor `p` (a copy).
    public func values(of p: Parameter) -> [T] { Array(values[p.range]) }

    /// Overwrites tensor `p`'s values.
    public mutating func setValues(_ v: [T], of p: Parameter) {
        precondition(v.count == p.count, "ParameterStore: \(v.count) values for \(p.name) of shape \(p.shape)")
        values.replaceSubrange(p.range, with: v)
    }

    /// Replaces every value (same count), e.g. to restore the best epoch's weights.
    public mutating func setAllValues(_ v: [T]) {
        precondition(v.count == values.count, "ParameterStore: \(v.count) values for a store of \(values.count)")
        values = v
    }

    /// Sets every gradient to 0.
    public mutating func zeroGradients() {
        gradients.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// FNV-1a (64-bit) over the values' bit patterns in index order: equal only for bitwise
    /// equal weights (a cheap fingerprint for determinism checks; use sha256 of the saved file
    /// for provenance).
    public func fingerprint() -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for v in values {
            var bits = v.bitPatternWidened
            for _ in 0..<(MemoryLayout<T>.size) {
                h = (h ^ (bits & 0xff)) &* 0x0000_0100_0000_01b3
                bits >>= 8
            }
        }
        return h
    }

    /// √(Σ g²), accumulated in float64 in index order (deterministic).
    public func gradientNorm() -> Double {
        var s = 0.0
        gradients.withUnsafeBufferPointer { g in for x in g { s += Double(x) * Double(x) } }
        return s.squareRoot()
    }

    /// Read access to the values and write access to the gradients, as raw pointers for the
    /// layers' forward and backward passes.
    @inlinable
    public mutating func withBuffers<R>(_ body: (UnsafeBufferPointer<T>, UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        try values.withUnsafeBufferPointer { v in
            try gradients.withUnsafeMutableBufferPointer { g in try body(v, g) }
        }
    }

    /// Mutable access to values (the optimizer), gradients read-only.
    mutating func withMutableValues<R>(_ body: (UnsafeMutableBufferPointer<T>, UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        let g = gradients
        return try values.withUnsafeMutableBufferPointer { v in
            try g.withUnsafeBufferPointer { gp in try body(v, gp) }
        }
    }
}
