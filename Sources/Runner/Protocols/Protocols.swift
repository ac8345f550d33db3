import Experiments

/// One ranked list: a user's profile state, the items it is ranked against and what counts
/// as relevant. Event positions are offsets within the user's time-ordered events.
public struct Query: Sendable {
    public let user: Int32
    /// The static profile is built from events `0..<historyEnd`.
    public let historyEnd: Int
    /// Dynamic profiles have absorbed events `0..<absorbed`; these are also the "seen" events.
    public let absorbed: Int
    /// The ranked period: events `absorbed..<end`.
    public let end: Int
    /// Distinct relevant items, ascending.
    public let relevant: [Int32]
}

/// The lists a protocol asks for, and what it skipped.
public struct QuerySet: Sendable {
    /// Queries grouped by user, users ascending, a user's steps in time order.
    public var queries: [Query]
    /// Users with at least one event.
    public var activeUsers: Int
    /// Users that produced no scored list (too few events, or nothing relevant left).
    public var skippedUsers: Int
    /// Prequential steps skipped because nothing relevant was left (0 for holdout).
    public var skippedSteps: Int
    /// Number of users with at least one scored list.
    public var scoredUsers: Int
}

/// A protocol cuts each user's time-ordered events into the profile's history, its updates and
/// the ranked periods. New protocols (leave-last, a global temporal split …) are one small type.
public protocol EvaluationProtocol {
    /// The (historyEnd, absorbed, end) cuts of one user's n events with times `times`;
    /// an empty result skips the user.
    func cuts(count n: Int, times: UnsafeBufferPointer<Int64>) -> [(historyEnd: Int, absorbed: Int, end: Int)]
}

/// Holdout: n_test = max(1, ⌊n·t⌋), n_update = ⌊n·u⌋, n_history = n − n_update − n_test;
/// users with n_history < 1 are skipped.
public struct HoldoutProtocol: EvaluationProtocol {
    public let history: Double, update: Double, test: Double
    public init(history: Double, update: Double, test: Double) {
        self.history = history
        self.update = update
        self.test = test
    }
    public func cuts(count n: Int, times: UnsafeBufferPointer<Int64>) -> [(historyEnd: Int, absorbed: Int, end: Int)] {
        let nTest = max(1, Int((Double(n) * test).rounded(.down)))
        let nUpdate = Int((Double(n) * update).rounded(.down))
        let nHistory = n - nUpdate - nTest
        guard nHistory >= 1 else { return [] }
        return [(nHistory, nHistory + nUpdate, n)]
    }
}

/// Prequential (test-then-update): the first max(1, ⌊n·h⌋) events build the profile; the rest
/// is taken in chunks of `windowEvents` events, or of the events in successive `windowDays`-day
/// intervals [t₀ + j·d, t₀ + (j+1)·d) from the first event after the history (empty intervals
/// make no step). Each chunk is ranked, then absorbed.
public struct PrequentialProtocol: EvaluationProtocol {
    public let history: Double
    public let windowEvents: Int?
    public let windowDays: Double?
    public init(history: Double, windowEvents: Int?, windowDays: Double?) {
        self.history = history
        self.windowEvents = windowEvents
        self.windowDays = windowDays
    }
    public func cuts(count n: Int, times: UnsafeBufferPointer<Int64>) -> [(historyEnd: Int, absorbed: Int, end: Int)] {
        let h = min(n, max(1, Int((Double(n) * history).rounded(.down))))
        var out: [(Int, Int, Int)] = []
        if let w = windowEvents {
            var a = h
            while a < n { out.append((h, a, min(n, a + w))); a += w }
        } else if let d = windowDays {
            guard h < n else { return [] }
            let span = d * 86_400
            let t0 = times[h]
            var a = h
            while a < n {
                let j = ((Double(times[a] - t0)) / span).rounded(.down)
                let limit = Double(t0) + (j + 1) * span
                var e = a
                while e < n && Double(times[e]) < limit { e += 1 }
                out.append((h, a, e))
                a = e
            }
        }
        return out
    }
}

/// Leave-last-out, RecBole's `LS` split and SASRec's protocol. Per user in time order, the last
/// event is the test target and, with `valid`, the one before it the validation target; the
/// rest is the history X. Ranking the test target, the profile has absorbed the validation
/// event as its update Y (the static profile stays the history's); ranking the validation
/// target, the test event is never seen. Users with fewer than 3 events (2 without validation)
/// are skipped.
public struct LeaveLastProtocol: EvaluationProtocol {
    public let valid: Bool
    public let targets: ProtocolTargets
    public init(valid: Bool, targets: ProtocolTargets) {
        self.valid = valid
        self.targets = targets
    }
    public func cuts(count n: Int, times: UnsafeBufferPointer<Int64>) -> [(historyEnd: Int, absorbed: Int, end: Int)] {
        guard valid else { return n >= 2 ? [(n - 1, n - 1, n)] : [] }
        guard n >= 3 else { return [] }
        switch targets {
        case .test: return [(n - 2, n - 1, n)]
        case .valid: return [(n - 2, n - 2, n - 1)]
        }
    }
}

/// One global cut for everybody (RecBole's `TO` split; the leakage-free protocol of Ji et al.
/// 2023): events before `testFrom` are history, events at or after it are ranked. With
/// `validFrom` < `testFrom`, events in [validFrom, testFrom) are the validation period: ranked
/// when `targets` is `valid` (the test period never seen), absorbed as the update Y before the
/// test period is ranked otherwise (the static profile is the history before `validFrom`).
/// Users with no history before the first cut, or no event in the ranked period, are skipped.
public struct TemporalProtocol: EvaluationProtocol {
    /// Unix seconds.
    public let testFrom: Int64
    public let validFrom: Int64?
    public let targets: ProtocolTargets
    public init(testFrom: Int64, validFrom: Int64?, targets: ProtocolTargets) {
        self.testFrom = testFrom
        self.validFrom = validFrom
        self.targets = targets
    }
    public func cuts(count n: Int, times: UnsafeBufferPointer<Int64>) -> [(historyEnd: Int, absorbed: Int, end: Int)] {
        // Times are ascending: the first index at or after a cut.
        func first(atOrAfter t: Int64) -> Int {
            var lo = 0, hi = n
            while lo < hi {
                let mid = (lo + hi) / 2
                if times[mid] < t { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        let iT = first(atOrAfter: testFrom)
        guard let validFrom else { return iT >= 1 && iT < n ? [(iT, iT, n)] : [] }
        let iV = first(atOrAfter: validFrom)
        guard iV >= 1 else { return [] }
        switch targets {
        case .test: return iT < n ? [(iV, iT, n)] : []
        case .valid: return iT > iV ? [(iV, iV, iT)] : []
        }
    }
}

extension TimeCut {
    /// The cut as a unix time: a quantile q of all N event times is
    /// `numpy.quantile(times, q, method="higher")`, the sorted times' element ⌈q·(N − 1)⌉.
    public func resolve(sortedTimes: [Int64]) -> Int64 {
        switch self {
        case .time(let t): return t
        case .quantile(let q):
            guard !sortedTimes.isEmpty else { return 0 }
            let i = min(sortedTimes.count - 1, Int((q * Double(sortedTimes.count - 1)).rounded(.up)))
            return sortedTimes[i]
        }
    }
}

extension ProtocolSpec {
    /// The protocol implementation over `log` (whose event times resolve `temporal` quantiles).
    /// `cases` ranks the dataset's own cases through ``CaseLog`` and has no per-user cuts here.
    public func implementation(for log: EventLog) -> any EvaluationProtocol {
        switch self {
        case let .holdout(h, u, t): return HoldoutProtocol(history: h, update: u, test: t)
        case let .prequential(h, we, wd): return PrequentialProtocol(history: h, windowEvents: we, windowDays: wd)
        case let .leaveLast(valid, targets): return LeaveLastProtocol(valid: valid, targets: targets)
        case let .temporal(testFrom, validFrom, targets):
            let needsSort = { if case .quantile = testFrom { return true }; if case .quantile? = validFrom { return true }; return false }()
            let sorted = needsSort ? log.time.sorted() : []
            return TemporalProtocol(testFrom: testFrom.resolve(sortedTimes: sorted), validFrom: validFrom?.resolve(sortedTimes: sorted), targets: targets)
        case .cases:
            // Each case is one row of a case log whose last event is the target.
            return LeaveLastProtocol(valid: false, targets: .test)
        }
    }
}

extension QuerySet {
    /// Builds the ranked lists of `proto` over `log`. With `excludeSeen`, the items of the
    /// absorbed events are removed from the relevant set; a list left with none is skipped.
    public init(log: EventLog, protocol proto: any EvaluationProtocol, excludeSeen: Bool, users: Set<Int>? = nil) {
        var queries: [Query] = []
        var active = 0, skippedUsers = 0, skippedSteps = 0, scoredUsers = 0
        var seen = Set<Int32>()
        log.time.withUnsafeBufferPointer { times in
            for u in 0..<log.userCount {
                let s = log.start[u], n = log.count(of: u)
                if n == 0 { continue }
                if let users, !users.contains(u) { continue }
                active += 1
                let cuts = proto.cuts(count: n, times: UnsafeBufferPointer(rebasing: times[s..<(s + n)]))
                var scored = false
                seen.removeAll(keepingCapacity: true)
                var seenUpTo = 0
                for c in cuts {
                    if excludeSeen {
                        while seenUpTo < c.absorbed { seen.insert(log.item[s + seenUpTo]); seenUpTo += 1 }
                    }
                    var rel = Set<Int32>()
                    for k in c.absorbed..<c.end {
                        let it = log.item[s + k]
                        if !excludeSeen || !seen.contains(it) { rel.insert(it) }
                    }
                    if rel.isEmpty { skippedSteps += 1; continue }
                    scored = true
                    queries.append(Query(user: Int32(u), historyEnd: c.historyEnd, absorbed: c.absorbed, end: c.end, relevant: rel.sorted()))
                }
                if scored { scoredUsers += 1 } else { skippedUsers += 1 }
            }
        }
        self.init(queries: queries, activeUsers: active, skippedUsers: skippedUsers, skippedSteps: skippedSteps, scoredUsers: scoredUsers)
    }
}
