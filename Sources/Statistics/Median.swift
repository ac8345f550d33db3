/// The median of `x`: the middle value, or the mean of the two middle values when `x.count`
/// is even. NaN for an empty array.
///
/// - Complexity: O(n log n).
public func median(_ x: [Double]) -> Double {
    guard !x.isEmpty else { return .nan }
    let s = x.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
