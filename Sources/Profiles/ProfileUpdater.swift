/// An incremental profile update `P(t+1) = f(P(t), event)`: one event at a time, O(d) per event
/// for the vector strategies. A new strategy is one small type conforming to this protocol.
public protocol ProfileUpdater {
    /// Absorbs one event: the item, its (L2-normalised) vector, the event-type weight and time.
    mutating func absorb(item: Int, vector: UnsafeBufferPointer<Float>, weight: Double, time: Int64)
    /// Marks the end of the history X (the `static` profile stops changing here).
    mutating func endOfHistory()
    /// The current profile.
    var profile: Profile { get }
}

extension ProfileUpdater {
    public mutating func endOfHistory() {}
}

/// A vector profile whose current value can be replaced: the `online` strategy takes gradient
/// steps on the profile and hands the result back, and later events mix with it as they would
/// have mixed with the formula's own value.
public protocol AdjustableProfileUpdater: ProfileUpdater {
    /// The current profile vector (the formula's value, not normalised).
    var vector: [Double] { get }
    /// Replaces the current profile vector by `p`, keeping the absorbed weight. Without any
    /// absorbed weight (a zero profile) nothing changes.
    mutating func replaceProfile(with p: [Double])
}

/// A profile as scoring sees it.
public enum Profile: Equatable {
    /// A direction in item space (scored by cosine: only its direction matters). All zeros
    /// when nothing with positive weight was absorbed.
    case vector([Double])
    /// The kept window of item ids, oldest first (`concat`).
    case window([Int])
    /// The kept window of item ids with their event weights, oldest first (`interests`).
    case weightedWindow(items: [Int], weights: [Double])
}

/// Weighted running mean: `P = Σ wᵢxᵢ / Σ wᵢ`.
/// - Complexity: O(d) per event.
public struct MeanUpdater: ProfileUpdater {
    public private(set) var sum: [Double]
    public private(set) var weight: Double = 0

    public init(dim: Int) { sum = [Double](repeating: 0, count: dim) }

    public mutating func absorb(item: Int, vector: UnsafeBufferPointer<Float>, weight w: Double, time: Int64) {
        guard w != 0 else { return }
        sum.withUnsafeMutableBufferPointer { s in
            for j in 0..<s.count { s[j] += w * Double(vector[j]) }
        }
        weight += w
    }

    /// Multiplies every absorbed weight by `factor` (the decay between two events).
    mutating func scale(by factor: Double) {
        sum.withUnsafeMutableBufferPointer { s in for j in 0..<s.count { s[j] *= factor } }
        weight *= factor
    }

    public var profile: Profile { .vector(vector) }

    public var vector: [Double] { weight > 0 ? sum.map { $0 / weight } : sum.map { _ in 0 } }

    public mutating func replaceProfile(with p: [Double]) {
        guard weight > 0 else { return }
        precondition(p.count == sum.count, "replaceProfile: \(p.count) values for a \(sum.count)-d profile")
        let w = weight
        sum = p.map { $0 * w }
    }
}

extension MeanUpdater: AdjustableProfileUpdater {}

/// The control: the weighted mean of the history X, never updated afterwards.
public struct StaticUpdater: ProfileUpdater {
    var inner: MeanUpdater
    public private(set) var frozen = false

    public init(dim: Int) { inner = MeanUpdater(dim: dim) }

    public mutating func absorb(item: Int, vector: UnsafeBufferPointer<Float>, weight: Double, time: Int64) {
        if !frozen { inner.absorb(item: item, vector: vector, weight: weight, time: time) }
    }

    public mutating func endOfHistory() { frozen = true }

    public var profile: Profile { inner.profile }
}

/// Exponentially decayed weighted mean: event i weighs `wᵢ · 2^(−Δ/h)`, Δ the time (or number
/// of events) from event i to the most recent absorbed event; `P = Σ wᵢ2^(−Δᵢ/h)xᵢ / Σ wᵢ2^(−Δᵢ/h)`.
///
/// Incremental form: absorbing an event Δ after the previous one multiplies both sums by
/// `2^(−Δ/h)`, then adds the new event with its own weight.
/// - Complexity: O(d) per event.
public struct DecayUpdater: ProfileUpdater {
    public enum HalfLife: Equatable, Sendable { case days(Double), events(Double) }
    public let halfLife: HalfLife
    private var inner: MeanUpdater
    private var lastTime: Int64?
    /// Σ wᵢ2^(−Δᵢ/h)xᵢ and Σ wᵢ2^(−Δᵢ/h).
    public var sum: [Double] { inner.sum }
    public var weight: Double { inner.weight }

    public init(dim: Int, halfLife: HalfLife) {
        self.halfLife = halfLife
        inner = MeanUpdater(dim: dim)
    }

    public mutating func absorb(item: Int, vector: UnsafeBufferPointer<Float>, weight w: Double, time: Int64) {
        if let last = lastTime {
            let factor: Double
            switch halfLife {
            case .days(let h): factor = exp2(-Double(time - last) / (h * 86_400))
            case .events(let h): factor = exp2(-1 / h)
            }
            if factor != 1 { inner.scale(by: factor) }
        }
        lastTime = time
        inner.absorb(item: item, vector: vector, weight: w, time: time)
    }

    public var profile: Profile { inner.profile }
}

extension DecayUpdater: AdjustableProfileUpdater {
    public var vector: [Double] { inner.vector }
    public mutating func replaceProfile(with p: [Double]) { inner.replaceProfile(with: p) }
}

/// Keeps the last `window` absorbed event vectors (as item ids), ignoring event weights.
/// - Complexity: O(1) per event.
public struct ConcatUpdater: ProfileUpdater {
    public let window: Int
    private var ring: [Int] = []
    private var head = 0

    public init(window: Int) {
        precondition(window >= 1, "concat window must be >= 1")
        self.window = window
        ring.reserveCapacity(window)
    }

    public mutating func absorb(item: Int, vector: UnsafeBufferPointer<Float>, weight: Double, time: Int64) {
        if ring.count < window { ring.append(item) } else {
            ring[head] = item
            head = (head + 1) % window
        }
    }

    /// The kept items, oldest first.
    public var items: [Int] { ring.count < window ? ring : Array(ring[head...] + ring[..<head]) }

    public var profile: Profile { .window(items) }
}

/// Keeps the last `window` absorbed events (item ids and event weights), oldest first: the
/// matrix U'' = [w₁f(x₁) … wₙf(xₙ)] that `interests` reduces.
/// - Complexity: O(1) per event.
public struct WeightedWindowUpdater: ProfileUpdater {
    public let window: Int
    private var items: [Int] = []
    private var weights: [Double] = []
    private var head = 0

    public init(window: Int) {
        precondition(window >= 1, "interests window must be >= 1")
        self.window = window
    }

    public mutating func absorb(item: Int, vector: UnsafeBufferPointer<Float>, weight: Double, time: Int64) {
        if items.count < window {
            items.append(item); weights.append(weight)
        } else {
            items[head] = item; weights[head] = weight
            head = (head + 1) % window
        }
    }

    public var profile: Profile {
        guard items.count == window, head > 0 else { return .weightedWindow(items: items, weights: weights) }
        return .weightedWindow(items: Array(items[head...] + items[..<head]), weights: Array(weights[head...] + weights[..<head]))
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
