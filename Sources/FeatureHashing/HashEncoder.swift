import ModelCatalog

/// The `hash-<d>` encoder: signed feature hashing of the lower-cased word tokens of a text,
/// L2-normalised (Weinberger et al., "Feature Hashing for Large Scale Multitask Learning", 2009).
///
/// Tokens are maximal runs of Unicode letters and digits, lower-cased. Each token's UTF-8 bytes
/// go through 64-bit FNV-1a; the bucket is `h mod d` and the sign is `+` when bit 63 of `h` is 0,
/// `−` otherwise. A text with no token gives a zero vector.
public struct HashEncoder: Sendable {
    public let dimension: Int

    public init(dimension: Int) {
        precondition(dimension >= 1, "hash encoder dimension must be >= 1")
        self.dimension = dimension
    }

    /// Parses `hash-<d>` (`HashEncoderName`); nil for any other name.
    public init?(name: String) {
        guard let parsed = HashEncoderName(name) else { return nil }
        self.init(dimension: parsed.dimension)
    }

    /// The word tokens of `text`: maximal runs of letters and digits, lower-cased.
    public static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            if Self.isLetterOrDigit(u) {
                current.append(u)
            } else if !current.isEmpty {
                out.append(String(current).lowercased())
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { out.append(String(current).lowercased()) }
        return out
    }

    /// Letters (general categories Lu, Ll, Lt, Lm, Lo) and numbers (Nd, Nl, No).
    static func isLetterOrDigit(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// 64-bit FNV-1a of the UTF-8 bytes.
    @inlinable
    public static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// The L2-normalised hashed vector of `text`, written into `out` (`dimension` floats).
    public func encode(_ text: String, into out: UnsafeMutableBufferPointer<Float>) {
        var acc = [Double](repeating: 0, count: dimension)
        for t in Self.tokens(text) {
            let h = Self.fnv1a(t)
            acc[Int(h % UInt64(dimension))] += (h >> 63) == 0 ? 1 : -1
        }
        let norm = acc.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for j in 0..<dimension { out[j] = norm > 0 ? Float(acc[j] / norm) : 0 }
    }

    /// Encodes every text; row-major `[texts.count × dimension]`.
    public func encode(_ texts: [String]) -> [Float] {
        var out = [Float](repeating: 0, count: texts.count * dimension)
        out.withUnsafeMutableBufferPointer { buf in
            for (i, t) in texts.enumerated() {
                encode(t, into: UnsafeMutableBufferPointer(rebasing: buf[(i * dimension)..<((i + 1) * dimension)]))
            }
        }
        return out
    }
}
