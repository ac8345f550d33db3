/// Iterative k-core filtering of an event list.
public enum KCore {
    /// Clears `alive[e]` for every event whose user has fewer than `minUserEvents` or whose
    /// item has fewer than `minItemEvents` live events, and repeats until no event is removed
    /// (removing a user's events can push an item below its threshold and back). Counts are of
    /// events, not of distinct items. A threshold of 0 or 1 removes nothing by itself.
    ///
    /// - Returns: the number of events removed.
    /// - Complexity: O(rounds × events), rounds usually a handful.
    @discardableResult
    public static func filter(users: [UInt32], items: [UInt32], userCount: Int, itemCount: Int,
                              minUserEvents: Int, minItemEvents: Int, alive: inout [Bool]) -> Int {
        precondition(users.count == items.count && alive.count == users.count)
        guard minUserEvents > 1 || minItemEvents > 1 else { return 0 }
        var removed = 0
        var userDeg = [Int32](repeating: 0, count: userCount)
        var itemDeg = [Int32](repeating: 0, count: itemCount)
        for e in 0..<users.count where alive[e] {
            userDeg[Int(users[e])] += 1
            itemDeg[Int(items[e])] += 1
        }
        let mu = Int32(clamping: minUserEvents), mi = Int32(clamping: minItemEvents)
        while true {
            var changed = 0
            for e in 0..<users.count where alive[e] {
                let u = Int(users[e]), i = Int(items[e])
                if userDeg[u] < mu || itemDeg[i] < mi {
                    alive[e] = false
                    changed += 1
                }
            }
            if changed == 0 { break }
            removed += changed
            // Recount from the survivors: a round's removals are judged on the degrees at its start.
            for k in 0..<userCount { userDeg[k] = 0 }
            for k in 0..<itemCount { itemDeg[k] = 0 }
            for e in 0..<users.count where alive[e] {
                userDeg[Int(users[e])] += 1
                itemDeg[Int(items[e])] += 1
            }
        }
        return removed
    }
}
