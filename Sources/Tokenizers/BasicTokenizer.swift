import Foundation

/// BERT's basic tokenization: text normalisation followed by a split into words and punctuation.
///
/// Mirrors Hugging Face `tokenizers`' `BertNormalizer` + `BertPreTokenizer` (what
/// sentence-transformers runs through the fast tokenizer), step by step:
/// 1. clean text: drop U+0000, U+FFFD and control characters (categories Cc, Cf, Co, except
///    `\t \n \r`), map every whitespace character (White_Space) to a space;
/// 2. put spaces around CJK ideographs (the CJK Unified Ideographs blocks BERT lists, as the
///    Rust implementation spells them: its extension E/F range starts at U+2B920);
/// 3. strip accents (when enabled): NFD, then drop non-spacing marks (Mn);
/// 4. lower-case (when enabled), character by character (full Unicode lower-case mapping);
/// 5. split on whitespace and isolate every punctuation character (ASCII punctuation, which
///    includes the symbols `$+<=>^`|~`, or a Unicode P* category).
///
/// The general categories in steps 1, 3 and 5 are those of Unicode 8.0, which the Rust crate
/// behind `tokenizers` (`unicode_categories`) carries: a character assigned later counts as
/// unassigned there (kept, never split, never stripped), and the few whose category changed
/// since keep their 8.0 category. Whitespace, NFD and lower-casing follow
/// current Unicode, as Rust's standard library and `unicode-normalization` do.
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
            scalars = decomposed.unicodeScalars.filter { !Self.isStrippedMark($0) }
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
        preTokenize(normalize(text)[...])
    }

    /// Step 5 alone: splits normalised text on whitespace and isolates punctuation.
    public func preTokenize(_ normalized: ArraySlice<Unicode.Scalar>) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for c in normalized {
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

    /// A character of category Cc, Cf or Co (Unicode 8.0) other than `\t \n \r`.
    @inlinable
    public static func isControl(_ c: Unicode.Scalar) -> Bool {
        if c == "\t" || c == "\n" || c == "\r" { return false }
        if c.isASCII { return c.value < 32 || c.value == 127 }
        switch legacyCategory(c) {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// ASCII punctuation (33–47, 58–64, 91–96, 123–126) or a Unicode punctuation category (Unicode 8.0).
    @inlinable
    public static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) {
            return true
        }
        if c.isASCII { return false }
        switch legacyCategory(c) {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// A non-spacing mark (Mn, Unicode 8.0): what accent stripping removes after NFD.
    @inlinable
    public static func isStrippedMark(_ c: Unicode.Scalar) -> Bool {
        !c.isASCII && legacyCategory(c) == .nonspacingMark
    }

    /// The general category as Unicode 8.0 assigned it (`.unassigned` for later characters).
    @inlinable
    public static func legacyCategory(_ c: Unicode.Scalar) -> Unicode.GeneralCategory {
        switch c.value {
        // Characters whose category changed after 8.0 (found by CharacterClassTests).
        case 0x166D, 0x111C9: return .otherPunctuation   // now So, Mn
        case 0x1734, 0x1171E: return .nonspacingMark     // now Mc
        case 0x1885, 0x1886: return .otherLetter         // now Mn
        case 0xA9BD: return .spacingMark                 // now Mn
        default: break
        }
        guard let age = c.properties.age, age.major < 8 || (age.major == 8 && age.minor == 0) else {
            return .unassigned
        }
        return c.properties.generalCategory
    }

    /// A CJK ideograph in the blocks BERT treats as one word each (Hiragana, Katakana and
    /// Hangul are not among them).
    @inlinable
    public static func isCJK(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
