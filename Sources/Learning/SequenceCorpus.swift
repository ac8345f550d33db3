import Statistics

/// The training side's view of behaviour: each user's visible events in time order (CSR:
/// user u's events are `userOffsets[u] ..< userOffsets[u+1]`). A protocol fills it with what
/// a learned strategy may see (e.g. the history and update parts of each training user), so
/// nothing outside these sequences can leak into training.
public struct SequenceCorpus: Sendable, Equatable {
    public private(set) var userOffsets: [Int] = [0]
    public private(set) var items: [Int32] = []
    public private(set) var types: [Int32] = []
    public private(set) var times: [Int64] = []
    public private(set) var weights: [Double] = []

    public init() {}

    public var userCount: Int { userOffsets.count - 1 }
    public var eventCount: Int { items.count }
    public func count(of user: Int) -> Int { userOffsets[user + 1] - userOffsets[user] }

    /// Appends the next user's events, oldest first (types, times and weights default to 0, 0, 1).
    public mutating func addUser(items ids: [Int], types t: [Int]? = nil, times ts: [Int64]? = nil, weights w: [Double]? = nil) throws {
        let u = userCount
        for (name, n) in [("types", t?.count), ("times", ts?.count), ("weights", w?.count)] {
            if let n, n != ids.count { throw LearningError("corpus: user \(u) has \(ids.count) items but \(n) \(name)") }
        }
        for (i, id) in ids.enumerated() {
            guard id >= 0, id <= Int(Int32.max) else { throw LearningError("corpus: user \(u) event \(i) has item id \(id)") }
            items.append(Int32(id))
            types.append(Int32(t?[i] ?? 0))
            times.append(ts?[i] ?? 0)
            weights.append(w?[i] ?? 1)
        }
        userOffsets.append(items.count)
    }
}

/// One next-item training example: predict event `position` of `user`'s sequence from the
/// events before it (the newest `window` of them).
public struct NextItemExample: Sendable, Equatable, Hashable {
    public var user: Int32
    public var position: Int32
    public init(user: Int, position: Int) {
        self.user = Int32(user)
        self.position = Int32(position)
    }
}

extension SequenceCorpus {
    /// Every position 1 ..< n of each listed user (n the user's event count), in user order.
    public func allNextItemExamples(users: [Int]) -> [NextItemExample] {
        var out: [NextItemExample] = []
        for u in users where count(of: u) >= 2 {
            for p in 1..<count(of: u) { out.append(NextItemExample(user: u, position: p)) }
        }
        return out
    }

    /// The last event of each listed user with at least 2 events (a validation slice).
    public func lastNextItemExamples(users: [Int]) -> [NextItemExample] {
        users.filter { count(of: $0) >= 2 }.map { NextItemExample(user: $0, position: count(of: $0) - 1) }
    }

    /// A seeded split of users 0 ..< userCount into (training, validation), validation holding
    /// round(fraction · users) of them, each list in ascending order.
    public func splitUsers(validationFraction: Double, seed: UInt64) -> (training: [Int], validation: [Int]) {
        var order = Array(0..<userCount)
        var rng = SeededGenerator(seed: seed, stream: 0x76616c)  // "val"
        shuffle(&order, &rng)
        let nv = min(userCount, Int((validationFraction * Double(userCount)).rounded()))
        return (order[nv...].sorted(), order[..<nv].sorted())
    }

    /// Builds the batch for `examples` (consecutive examples of one user share event rows):
    /// each example's sequence is the newest `window` events before its position.
    public func batch<C: Collection>(_ examples: C, window: Int) -> SequenceBatch where C.Element == NextItemExample {
        var b = SequenceBatch()
        var i = examples.startIndex
        while i < examples.endIndex {
            let user = examples[i].user
            var j = i
            var minP = Int.max, maxP = 0
            while j < examples.endIndex && examples[j].user == user {
                minP = min(minP, Int(examples[j].position))
                maxP = max(maxP, Int(examples[j].position))
                j = examples.index(after: j)
            }
            let s = userOffsets[Int(user)]
            let lo = max(0, minP - window)
            let base = b.eventCount
            for e in lo..<maxP {
                b.addEvent(item: Int(items[s + e]), type: Int(types[s + e]), time: times[s + e], weight: weights[s + e])
            }
            var k = i
            while k < j {
                let p = Int(examples[k].position)
                b.addExample(rows: (max(lo, p - window) - lo + base)..<(p - lo + base), targets: CollectionOfOne(Int(items[s + p])))
                k = examples.index(after: k)
            }
            i = j
        }
        return b
    }
}

extension SequenceCorpus {
    /// A batch of each listed user's newest `window` events, without targets: the profiles after
    /// everything the corpus shows of them (for scoring), e.g. `model.profiles(corpus.profileBatch(users: block, window: model.window), items: E)`.
    public func profileBatch(users: [Int], window: Int) -> SequenceBatch {
        var b = SequenceBatch()
        for u in users {
            let s = userOffsets[u], e = userOffsets[u + 1]
            let lo = max(s, e - window)
            let base = b.eventCount
            for i in lo..<e { b.addEvent(item: Int(items[i]), type: Int(types[i]), time: times[i], weight: weights[i]) }
            b.addExample(rows: base..<(base + e - lo), targets: EmptyCollection<Int>())
        }
        return b
    }
}

/// Fisher–Yates with ``Statistics/SeededGenerator/uniformIndex(_:)`` (stable across platforms).
func shuffle<T>(_ a: inout [T], _ rng: inout SeededGenerator) {
    guard a.count > 1 else { return }
    for i in stride(from: a.count - 1, to: 0, by: -1) {
        let j = rng.uniformIndex(i + 1)
        if i != j { a.swapAt(i, j) }
    }
}
