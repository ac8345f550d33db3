/// The running top-K of one ranked list: scores descending, ties by item id ascending.
///
/// Items must be offered in ascending id order (possibly over several calls); a score equal to
/// one already kept then never displaces it, which is exactly "ties break by item id ascending".
/// `-infinity` marks an excluded item and is never kept.
public struct TopKAccumulator {
    public let k: Int
    public private(set) var count = 0
    public private(set) var scores: [Float]
    public private(set) var items: [Int32]

    public init(k: Int) {
        precondition(k >= 1, "top-K needs K >= 1")
        self.k = k
        scores = [Float](repeating: -.infinity, count: k)
        items = [Int32](repeating: -1, count: k)
    }

    /// Offers `row[j]` as the score of item `firstItem + j`, for every j.
    /// - Complexity: O(n + m·K) for n scores of which m enter the list.
    public mutating func offer(_ row: UnsafeBufferPointer<Float>, firstItem: Int) {
        scores.withUnsafeMutableBufferPointer { sc in
            items.withUnsafeMutableBufferPointer { it in
                Self.offer(row, firstItem: firstItem, k: k, count: &count, scores: sc.baseAddress!, items: it.baseAddress!)
            }
        }
    }

    /// The kept items, best first.
    public var ranked: [Int32] { Array(items[0..<count]) }

    /// The merge kernel on raw storage (used by the scoring engine for many lists at once).
    @inlinable
    public static func offer(_ row: UnsafeBufferPointer<Float>, firstItem: Int, k: Int, count: inout Int,
                             scores: UnsafeMutablePointer<Float>, items: UnsafeMutablePointer<Int32>) {
        var n = count
        var threshold: Float = n < k ? -.infinity : scores[k - 1]
        for j in 0..<row.count {
            let s = row[j]
            // Keep s if the list is not full (and s is not excluded) or s beats the K-th score.
            guard s > threshold || (n < k && s != -.infinity) else { continue }
            var p = n < k ? n : k - 1
            while p > 0 && scores[p - 1] < s {
                if p < k { scores[p] = scores[p - 1]; items[p] = items[p - 1] }
                p -= 1
            }
            scores[p] = s
            items[p] = Int32(firstItem + j)
            if n < k { n += 1 }
            if n == k { threshold = scores[k - 1] }
        }
        count = n
    }

    /// Offers `count` scores `values[t·stride]` of the items `ids[t]`, in any id order: the
    /// list stays ordered by score descending, then item id ascending, whatever the order
    /// of the offers. Scores must be finite.
    @inlinable
    public static func offerUnordered(_ values: UnsafePointer<Float>, stride: Int, count m: Int, ids: UnsafePointer<Int32>,
                                      k: Int, count: inout Int, scores: UnsafeMutablePointer<Float>, items: UnsafeMutablePointer<Int32>) {
        var n = count
        var tScore: Float = n < k ? -.infinity : scores[k - 1]
        var tItem: Int32 = n < k ? .max : items[k - 1]
        for t in 0..<m {
            let s = values[t * stride]
            let id = ids[t]
            guard n < k || s > tScore || (s == tScore && id < tItem) else { continue }
            var p = n < k ? n : k - 1
            while p > 0 && (scores[p - 1] < s || (scores[p - 1] == s && items[p - 1] > id)) {
                if p < k { scores[p] = scores[p - 1]; items[p] = items[p - 1] }
                p -= 1
            }
            scores[p] = s
            items[p] = id
            if n < k { n += 1 }
            if n == k { tScore = scores[k - 1]; tItem = items[k - 1] }
        }
        count = n
    }
}
