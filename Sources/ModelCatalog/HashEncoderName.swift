/// The name of a `hash-<d>` feature-hashing encoder: `hash-` and a dimension `d ≥ 1` written
/// in plain decimal (`hash-64`; not `hash-064`, `hash-+64` or `hash-0`).
public struct HashEncoderName: Hashable, Sendable {
    public static let prefix = "hash-"

    /// The embedding dimension `d`.
    public let dimension: Int

    /// Parses `hash-<d>`; nil for any other name.
    public init?(_ name: String) {
        let digits = name.dropFirst(Self.prefix.count)
        guard name.hasPrefix(Self.prefix), let d = Int(digits), d >= 1, String(d) == digits else { return nil }
        dimension = d
    }
}
