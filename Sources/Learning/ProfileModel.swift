/// A learned map from a sequence of events to a profile vector in item space, trainable by
/// ``Trainer``: a forward pass over a ``SequenceBatch`` and a backward pass that accumulates
/// ∂L/∂θ into ``parameters`` given ∂L/∂profiles.
public protocol ProfileModel {
    associatedtype Scalar: LearningScalar
    associatedtype State
    var parameters: ParameterStore<Scalar> { get set }
    /// Item-space dimension (profile length).
    var dim: Int { get }
    /// Each sequence is cut to its newest `window` events.
    var window: Int { get }
    /// Profiles `batch.count × dim` and what backward needs.
    func forward(_ batch: SequenceBatch, items: Matrix<Scalar>) throws -> (profiles: Matrix<Scalar>, state: State)
    /// Accumulates parameter gradients for ∂L/∂profiles into `parameters.gradients`.
    mutating func backward(state: State, profileGradient: Matrix<Scalar>)
}

extension ProfileModel {
    /// Profiles for `batch` (inference).
    public func profiles(_ batch: SequenceBatch, items: Matrix<Scalar>) throws -> Matrix<Scalar> {
        try forward(batch, items: items).profiles
    }

    /// One user's profile from their events, oldest first.
    public func profile(items ids: [Int], types: [Int]? = nil, times: [Int64]? = nil, weights: [Double]? = nil,
                        itemTable: Matrix<Scalar>) throws -> [Scalar] {
        try forward(.single(items: ids, types: types, times: times, weights: weights), items: itemTable).profiles.values
    }
}

/// The newest `window` entries of sequence j: `lo ..< hi` into `batch.rows`.
@inline(__always)
func windowRange(_ batch: SequenceBatch, _ j: Int, window: Int) -> Range<Int> {
    let lo = batch.offsets[j], hi = batch.offsets[j + 1]
    return max(lo, hi - window)..<hi
}
