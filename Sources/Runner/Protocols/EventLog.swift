import Datasets
import Experiments

/// Every user's events in time order (equal timestamps keep dataset order), with the event
/// weights of the spec's `event_weights` resolved.
public struct EventLog: Sendable {
    /// Events of user u are at `start[u]..<start[u + 1]`.
    public let start: [Int]
    public let item: [Int32]
    public let time: [Int64]
    public let weight: [Double]
    /// Event type index into the dataset's type names (all 0 without /events/type).
    public let type: [Int32]
    /// Number of event types (at least 1).
    public let typeCount: Int
    public let userCount: Int

    /// Sorts the events of `dataset` by (user, time, dataset order).
    public init(dataset: Dataset, eventWeights: [(String, Double)]) {
        let n = dataset.eventCount
        let U = dataset.userCount
        // Counting sort by user (stable), then a stable sort by time within each user.
        var counts = [Int](repeating: 0, count: U + 1)
        for u in dataset.eventUser { counts[Int(u) + 1] += 1 }
        for u in 0..<U { counts[u + 1] += counts[u] }
        var next = counts
        var order = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let u = Int(dataset.eventUser[i])
            order[next[u]] = i
            next[u] += 1
        }
        let times = dataset.eventTime
        for u in 0..<U {
            let lo = counts[u], hi = counts[u + 1]
            var sorted = true
            for k in (lo + 1)..<max(hi, lo + 1) where times[order[k - 1]] > times[order[k]] { sorted = false; break }
            if !sorted {
                let slice = order[lo..<hi].sorted { (times[$0], $0) < (times[$1], $1) }
                order.replaceSubrange(lo..<hi, with: slice)
            }
        }
        var typeWeight = [Double](repeating: 1, count: max(dataset.typeNames.count, 1))
        for (name, w) in eventWeights {
            if let t = dataset.typeNames.firstIndex(of: name) { typeWeight[t] = w }
        }
        start = counts
        item = order.map { Int32(dataset.eventItem[$0]) }
        time = order.map { times[$0] }
        if let types = dataset.eventType {
            weight = order.map { typeWeight[Int(types[$0])] }
            type = order.map { Int32(types[$0]) }
        } else {
            weight = [Double](repeating: 1, count: n)
            type = [Int32](repeating: 0, count: n)
        }
        typeCount = max(dataset.typeNames.count, 1)
        userCount = U
    }

    public func count(of user: Int) -> Int { start[user + 1] - start[user] }

    /// A log given directly: events of row r at `start[r]..<start[r + 1]`.
    public init(start: [Int], item: [Int32], time: [Int64], weight: [Double], type: [Int32]? = nil, typeCount: Int = 1) {
        precondition(start.first == 0 && start.last == item.count && item.count == time.count && item.count == weight.count
                     && (type?.count ?? item.count) == item.count, "EventLog: inconsistent arrays")
        self.start = start
        self.item = item
        self.time = time
        self.weight = weight
        self.type = type ?? [Int32](repeating: 0, count: item.count)
        self.typeCount = max(typeCount, 1)
        self.userCount = start.count - 1
    }

    /// The log of a dataset's evaluation cases, one row per case: the case's own history, oldest
    /// first, then its target (at the time of the history's last event). Cases carry no event
    /// types, so every event weighs 1.
    public init(cases: EvaluationCases) {
        var start = [0], item: [Int32] = [], time: [Int64] = []
        item.reserveCapacity(cases.historyItem.count + cases.count)
        for c in 0..<cases.count {
            let h = cases.history(of: c)
            for i in h { item.append(Int32(cases.historyItem[i])); time.append(cases.historyTime[i]) }
            item.append(Int32(cases.target[c]))
            time.append(h.isEmpty ? 0 : cases.historyTime[h.upperBound - 1])
            start.append(item.count)
        }
        self.init(start: start, item: item, time: time, weight: [Double](repeating: 1, count: item.count))
    }
}
