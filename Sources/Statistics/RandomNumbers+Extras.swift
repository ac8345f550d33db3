#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

extension SeededGenerator {
    /// A generator for a named stream of a seed (e.g. `"bootstrap"`, `"random-projection(64)/384"`):
    /// the label's 64-bit FNV-1a hash is the stream number, so each use of one spec seed gets
    /// its own reproducible stream.
    public init(seed: UInt64, label: String) {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in label.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        self.init(seed: seed, stream: h)
    }

    /// A standard normal deviate by the Box–Muller transform (one value per two uniforms).
    public mutating func nextGaussian() -> Double {
        var u = nextDouble()
        while u <= 0 { u = nextDouble() }
        let v = nextDouble()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
