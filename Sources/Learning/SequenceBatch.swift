/// A batch of examples for the profile models: event rows (item id into the frozen item
/// table, type, unix time, event weight) and, per example, the rows of its sequence, oldest
/// first (CSR: `rows[offsets[j] ..< offsets[j+1]]`), plus the items to predict
/// (`targets[targetOffsets[j] ..< targetOffsets[j+1]]`; empty for inference).
///
/// Examples may share event rows: the prefixes of one user's history are one run of rows.
public struct SequenceBatch: Sendable, Equatable {
    public var eventItems: [Int32] = []
    public var eventTypes: [Int32] = []
    public var eventTimes: [Int64] = []
    public var eventWeights: [Double] = []
    public var offsets: [Int] = [0]
    public var rows: [Int32] = []
    public var targetOffsets: [Int] = [0]
    public var targets: [Int32] = []

    public init() {}

    public var count: Int { offsets.count - 1 }
    public var eventCount: Int { eventItems.count }

    /// Appends an event row; returns its index.
    @discardableResult
    public mutating func addEvent(item: Int, type: Int = 0, time: Int64 = 0, weight: Double = 1) -> Int {
        eventItems.append(Int32(item))
        eventTypes.append(Int32(type))
        eventTimes.append(time)
        eventWeights.append(weight)
        return eventItems.count - 1
    }

    /// Appends an example over event rows `rows` (oldest first) with next items `targets`.
    public mutating func addExample<R: Sequence, S: Sequence>(rows r: R, targets t: S) where R.Element == Int, S.Element == Int {
        for x in r { rows.append(Int32(x)) }
        offsets.append(rows.count)
        for x in t { targets.append(Int32(x)) }
        targetOffsets.append(targets.count)
    }

    /// A single-example batch from one user's events (for inference one user at a time).
    public static func single(items: [Int], types: [Int]? = nil, times: [Int64]? = nil, weights: [Double]? = nil,
                              targets: [Int] = []) -> SequenceBatch {
        var b = SequenceBatch()
        for (i, item) in items.enumerated() {
            b.addEvent(item: item, type: types?[i] ?? 0, time: times?[i] ?? 0, weight: weights?[i] ?? 1)
        }
        b.addExample(rows: 0..<items.count, targets: targets)
        return b
    }

    /// Checks ids against the table and the model (a message names the first bad row).
    func validate(itemCount: Int, typeCount: Int) throws {
        for (i, it) in eventItems.enumerated() where it < 0 || Int(it) >= itemCount {
            throw LearningError("batch: event row \(i) has item \(it), outside 0..<\(itemCount)")
        }
        for (i, t) in eventTypes.enumerated() where t < 0 || Int(t) >= max(1, typeCount) {
            throw LearningError("batch: event row \(i) has type \(t), the model knows \(max(1, typeCount)) types")
        }
        for (i, w) in eventWeights.enumerated() where !(w >= 0) || !w.isFinite {
            throw LearningError("batch: event row \(i) has weight \(w), expected a finite value >= 0")
        }
        for (i, r) in rows.enumerated() where r < 0 || Int(r) >= eventItems.count {
            throw LearningError("batch: entry \(i) names event row \(r), the batch has \(eventItems.count)")
        }
        for (i, t) in targets.enumerated() where t < 0 || Int(t) >= itemCount {
            throw LearningError("batch: target \(i) is item \(t), outside 0..<\(itemCount)")
        }
        guard offsets.count == targetOffsets.count else {
            throw LearningError("batch: \(offsets.count - 1) sequences but \(targetOffsets.count - 1) target lists")
        }
    }

    /// The item vectors of the event rows, `events × d`.
    func gatherEvents<T>(_ items: Matrix<T>) -> Matrix<T> {
        let d = items.cols
        var x = Matrix<T>(rows: eventItems.count, cols: d)
        items.values.withUnsafeBufferPointer { ep in
            x.values.withUnsafeMutableBufferPointer { xp in
                for (i, it) in eventItems.enumerated() {
                    (xp.baseAddress! + i * d).update(from: ep.baseAddress! + Int(it) * d, count: d)
                }
            }
        }
        return x
    }
}

/// How an event's age within its sequence maps to a learned age bias `b_age[bucket]`.
/// The age is measured back from the sequence's newest event.
public enum AgeBucketing: Sendable, Equatable {
    /// `min(buckets − 1, n)`, n the number of events after it (the newest event is bucket 0).
    case position(buckets: Int)
    /// `min(buckets − 1, ⌊log₂(1 + n)⌋)`: 0, 1, 2–3, 4–7, … events back.
    case logPosition(buckets: Int)
    /// `min(buckets − 1, ⌊log₂(1 + Δt / unit)⌋)`, Δt the seconds from the event to the newest one.
    case logTime(buckets: Int, unitSeconds: Double)

    public var count: Int {
        switch self {
        case .position(let b), .logPosition(let b), .logTime(let b, _): return max(1, b)
        }
    }

    public func bucket(eventsBack n: Int, secondsBack dt: Int64) -> Int {
        switch self {
        case .position(let b): return min(max(1, b) - 1, n)
        case .logPosition(let b): return min(max(1, b) - 1, Self.log2Floor(1 + n))
        case .logTime(let b, let unit):
            let x = 1 + max(0, Double(dt)) / unit
            return min(max(1, b) - 1, x.isFinite ? Int(x.exponent) : max(1, b) - 1)
        }
    }

    private static func log2Floor(_ x: Int) -> Int { Int.bitWidth - 1 - x.leadingZeroBitCount }
}
