import Foundation

/// BERT's basic tokenization: text normalisation followed by a split into words and punctuation.
///
/// Mirrors Hugging Face `tokenizers`' `BertNormalizer` + `BertPreTokenizer` (what
/// sentence-transformers runs through the fast tokenizer), step by step:
/// 1. clean text: drop U+0000, U+FFFD and control characters (categories Cc, Cf, Cs, Co, Cn,
///    except `\t \n \r`), map every whitespace character to a space;
/// 2. put spaces around CJK ideographs (the CJK Unified Ideographs blocks BERT lists);
/// 3. strip accents (when enabled): NFD, then drop non-spacing marks (Mn);
/// 4. lower-case (when enabled), character by character (full Unicode lower-case mapping);
/// 5. split on whitespace and isolate every punctuation character (ASCII punctuation, which
///    includes the symbols `$+<=>^`|~`, or a Unicode P* category).
public struct BasicTokenizer: Sendable {
    public var lowercase: Bool
    public var stripAccents: Bool
    public var tokenizeChineseChars: Bool

    /// `stripAccents` defaults to `lowercase`, as in BERT when `strip_accents` is null.
    public init(lowercase: Bool = true, stripAccents: Bool? = nil, tokenizeChineseChars: Bool = true) {
        self.lowercase = lowercase
        self.stripAccents = stripAccents ?? lowercase
        self.tokenizeChineseChars = tokenizeChineseChars
    }

    /// The normalised text (steps 1–4), before the split into words.
    public func normalize(_ text: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count + 8)
        var ascii = true
        for c in text.unicodeScalars {
            if c.value == 0 || c.value == 0xFFFD || Self.isControl(c) { continue }
            if Self.isWhitespace(c) {
                scalars.append(" ")
            } else if tokenizeChineseChars && Self.isCJK(c) {
                scalars.append(" ")
                scalars.append(c)
                scalars.append(" ")
            } else {
                scalars.append(c)
                if !c.isASCII { ascii = false }
            }
        }
        if stripAccents && !ascii {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            let decomposed = String(view).decomposedStringWithCanonicalMapping
            scalars = decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
        }
        if lowercase {
            var lowered: [Unicode.Scalar] = []
            lowered.reserveCapacity(scalars.count)
            for c in scalars {
                if c.isASCII {
                    lowered.append(c.value >= 65 && c.value <= 90 ? Unicode.Scalar(UInt8(truncatingIfNeeded: c.value + 32)) : c)
                } else {
                    lowered.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
                }
            }
            scalars = lowered
        }
        return scalars
    }

    /// Words and punctuation marks of `text`, in order, after normalisation.
    public func tokenize(_ text: String) -> [String] {
        tokenizeScalars(text).map { word in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: word)
            return String(view)
        }
    }

    /// Like `tokenize`, each word as its Unicode scalars.
    public func tokenizeScalars(_ text: String) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for c in normalize(text) {
            if c.properties.isWhitespace {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
            } else if Self.isPunctuation(c) {
                if !current.isEmpty { words.append(current); current.removeAll(keepingCapacity: true) }
                words.append([c])
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    // MARK: Character classes (tokenizers' `bert.rs` normalizer and pre-tokenizer)

    /// `\t`, `\n`, `\r` or a Unicode White_Space character.
    @inlinable
    public static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == "\t" || c == "\n" || c == "\r" || c.properties.isWhitespace
    }

    /// A character of category Cc, Cf, Cs, Co or Cn other than `\t \n \r`.
    @inlinable
    public static func isControl(_ c: Unicode.Scalar) -> Bool {
        if c == "\t" || c == "\n" || c == "\r" { return false }
        if c.isASCII { return c.value < 32 || c.value == 127 }
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// ASCII punctuation (33–47, 58–64, 91–96, 123–126) or a Unicode punctuation category.
    @inlinable
    public static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) {
            return true
        }
        if c.isASCII { return false }
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// A CJK ideograph in the blocks BERT treats as one word each (Hiragana, Katakana and
    /// Hangul are not among them).
    @inlinable
    public static func isCJK(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
