/// A small, fast, portable pseudo-random generator: xoshiro256** (Blackman & Vigna,
/// "Scrambled linear pseudorandom number generators", ACM TOMS 47(4), 2021) whose 256-bit
/// state is filled from a 64-bit seed by four outputs of SplitMix64 (Steele, Lea & Flood,
/// "Fast splittable pseudorandom number generators", OOPSLA 2014), as the authors recommend.
///
/// Only 64-bit wrapping integer arithmetic is used, so a seed gives the same stream on every
/// platform and Swift version (unlike `SystemRandomNumberGenerator`, or the standard
/// library's `random(in:using:)`, whose reduction to a range is not a documented contract).
/// Use ``uniformIndex(_:)`` and ``nextDouble()`` for ranges; they are part of this contract.
/// A change to any of them changes published results and must fail the known-answer tests.
///
/// The period is 2²⁵⁶ − 1; the generator is not cryptographically secure.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the state with four successive SplitMix64 outputs of `seed`.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        self.init(state: (mixer.next(), mixer.next(), mixer.next(), mixer.next()))
    }

    /// A generator for one of many independent streams of a seed, for example chunk `stream`
    /// of a parallel resampling loop: seeded with `seed` XOR SplitMix64's finaliser of
    /// `stream` + 1. Deterministic in (seed, stream) alone, so results do not depend on how
    /// chunks are spread over threads.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed ^ SplitMix64.mix(stream &+ 1))
    }

    /// Starts from a raw xoshiro256** state (used by the reference test vectors).
    /// The state must not be all zero.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
        precondition(s0 | s1 | s2 | s3 != 0, "xoshiro256** state must not be all zero")
    }

    /// The next 64 random bits (the reference `next()` of xoshiro256**).
    ///
    /// - Complexity: O(1).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniformly distributed integer in 0..<n, without modulo bias, by Lemire's
    /// multiply-and-reject method ("Fast random integer generation in an interval",
    /// ACM TOMS 29(1), 2019): the high word of x·n for a 64-bit x, redrawing x while the low
    /// word falls below 2⁶⁴ mod n.
    ///
    /// - Precondition: n > 0.
    /// - Complexity: O(1) expected (fewer than 2 draws on average, usually 1).
    public mutating func uniformIndex(_ n: Int) -> Int {
        precondition(n > 0, "uniformIndex: n must be > 0 (got \(n))")
        let bound = UInt64(n)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound  // 2⁶⁴ mod n
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return Int(product.high)
    }

    /// A uniformly distributed Double in [0, 1): the top 53 bits of ``next()`` times 2⁻⁵³.
    ///
    /// - Complexity: O(1).
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}

@inline(__always)
private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
}

/// SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference `splitmix64.c`), used to seed
/// ``SeededGenerator``.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 output function (a variant of MurmurHash3's 64-bit finaliser).
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
