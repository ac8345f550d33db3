/// The outcome of a two-sided hypothesis test: the test statistic and its p-value.
///
/// Each test documents which statistic it reports (for example the t statistic of
/// ``pairedTTest(_:_:)`` or min(R⁺, R⁻) of ``wilcoxonSignedRank(_:_:)``), always the value
/// `scipy.stats` reports for the same call.
public struct TestResult: Equatable, Sendable {
    /// The test statistic, as scipy.stats reports it (may be ±infinity, never NaN).
    public var statistic: Double
    /// The two-sided p-value, in [0, 1].
    public var p: Double

}
