import Foundation
import Tokenizers
import XCTest

/// BERT basic tokenization and WordPiece on hand-checked cases (the full check against
/// Hugging Face's output is ReferenceTests, which needs the real vocabularies).
final class TokenizerTests: XCTestCase {
    let basic = BasicTokenizer()

    func testAccentsAreStrippedAndTextLowerCased() {
        XCTAssertEqual(basic.tokenize("Crème BRÛLÉE Ångström naïve"), ["creme", "brulee", "angstrom", "naive"])
        XCTAssertEqual(BasicTokenizer(lowercase: false).tokenize("Crème"), ["Crème"], "no lower-casing, no accent stripping")
        XCTAssertEqual(BasicTokenizer(lowercase: true, stripAccents: false).tokenize("Crème"), ["crème"])
    }

    func testPunctuationAndSymbolsAreSplit() {
        XCTAssertEqual(basic.tokenize("$19.99 deal: 50% off #1 @home & a^b`c~d"),
                       ["$", "19", ".", "99", "deal", ":", "50", "%", "off", "#", "1", "@", "home", "&", "a", "^", "b", "`", "c", "~", "d"])
        XCTAssertEqual(basic.tokenize("L'Oréal — 1.7 oz «x»"), ["l", "'", "oreal", "—", "1", ".", "7", "oz", "«", "x", "»"])
    }

    func testCJKIdeographsAreSplitButKanaAndHangulAreNot() {
        XCTAssertEqual(basic.tokenize("华为Mate60"), ["华", "为", "mate60"])
        XCTAssertEqual(basic.tokenize("ナイキ"), ["ナイキ"])
        // Hangul syllables decompose under NFD into conjoining jamo (letters, not marks), which stay.
        XCTAssertEqual(basic.tokenize("삼성").first?.unicodeScalars.map(\.value), [0x1109, 0x1161, 0x11B7, 0x1109, 0x1165, 0x11BC])
    }

    func testControlCharactersAndWhitespace() {
        XCTAssertEqual(basic.tokenize("tab\tseparated\ntext  and\u{00A0}nbsp\u{200B}zw\u{0000}x\u{FFFD}y"),
                       ["tab", "separated", "text", "and", "nbspzwxy"],
                       "NBSP is whitespace; U+200B (Cf), U+0000 and U+FFFD are removed")
        XCTAssertEqual(basic.tokenize(""), [])
        XCTAssertEqual(basic.tokenize("   \n\t "), [])
    }

    func testEmojiStayWords() {
        // Emoji are symbols (So/Sk), not punctuation; the skin-tone modifier stays attached.
        XCTAssertEqual(basic.tokenize("gift 🎁 👍🏽!"), ["gift", "🎁", "👍🏽", "!"])
    }

    func testWordPieceGreedyLongestMatch() {
        let vocab: [String: Int32] = ["[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "unaff": 4, "##a": 5, "##ble": 6, "a": 7]
        let wp = WordPieceTokenizer(vocabulary: vocab, unknownID: 0)
        XCTAssertEqual(wp.ids(of: "unaffable"), [4, 3], "longest first piece (unaff) wins, then the longest rest (##able)")
        XCTAssertEqual(wp.ids(of: "unaffble"), [4, 6])
        XCTAssertEqual(wp.ids(of: "unaffaaa"), [4, 5, 5, 5])
        XCTAssertEqual(wp.ids(of: "unx"), [0], "a word that cannot be split completely is one [UNK]")
        XCTAssertEqual(wp.ids(of: "a"), [7])
        XCTAssertEqual(wp.ids(of: String(repeating: "a", count: 100)).count, 100, "100 characters is still split")
        let long = String(repeating: "a", count: 101)
        XCTAssertEqual(WordPieceTokenizer(vocabulary: vocab.merging(["##a": 5]) { $1 }, unknownID: 0).ids(of: long), [0],
                       "a word over 100 characters is [UNK]")
    }

    func testSpecialTokensInTextAndTruncation() {
        let vocab: [String: Int32] = ["[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "a": 5, "b": 6, "[": 7, "]": 8, "mask": 9]
        let tokenizer = BertTokenizer(basic: BasicTokenizer(), wordPiece: WordPieceTokenizer(vocabulary: vocab, unknownID: 1),
                                      clsID: 2, sepID: 3, padID: 0, specialTokens: [("[MASK]", 4), ("[CLS]", 2)])
        XCTAssertEqual(tokenizer.encode("a [MASK] b", maxLength: 10), [2, 5, 4, 6, 3])
        XCTAssertEqual(tokenizer.encode("a [mask] b", maxLength: 10), [2, 5, 7, 9, 8, 6, 3], "special tokens match case-sensitively")
        XCTAssertEqual(tokenizer.encode("a b a b a b", maxLength: 4), [2, 5, 6, 3])
        XCTAssertEqual(tokenizer.encode("", maxLength: 4), [2, 3])
    }

    func testLoadingErrorsNameTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertThrowsError(try BertTokenizer(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("vocab.txt"), "\(error)")
        }
        try "[PAD]\n[CLS]\n[SEP]\nhello\n".write(toFile: dir + "/vocab.txt", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BertTokenizer(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("unk_token \"[UNK]\""), "\(error)")
        }
        try "{not json".write(toFile: dir + "/tokenizer_config.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BertTokenizer(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("tokenizer_config.json"), "\(error)")
        }
    }
}

/// Every code point from U+0080 up, classified by BasicTokenizer's predicates, against how
/// Hugging Face `tokenizers` treats it (fixture written by scripts/make-encoder-fixtures.py).
final class CharacterClassTests: XCTestCase {
    func testEveryCodePointIsClassifiedLikeHuggingFace() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/bert-char-classes.json")
        let classes = try JSONDecoder().decode([String: [[UInt32]]].self, from: Data(contentsOf: url))
        func set(_ name: String) throws -> Set<UInt32> {
            var out = Set<UInt32>()
            for r in try XCTUnwrap(classes[name]) { for v in r[0]...r[1] { out.insert(v) } }
            return out
        }
        let removed = try set("removed"), space = try set("space"), punct = try set("punct")
        let cjk = try set("cjk"), mark = try set("mark")
        var mismatches: [String] = []
        for v in UInt32(0x80)...0x10FFFF {
            guard let c = Unicode.Scalar(v) else { continue }
            let isRemoved = v == 0xFFFD || BasicTokenizer.isControl(c)
            var got: [String] = []
            var want: [String] = []
            if isRemoved { got.append("removed") }
            if removed.contains(v) { want.append("removed") }
            if !isRemoved {
                if BasicTokenizer.isWhitespace(c) { got.append("space") } else if BasicTokenizer.isPunctuation(c) { got.append("punct") }
                if BasicTokenizer.isCJK(c) { got.append("cjk") }
                if space.contains(v) { want.append("space") }
                if punct.contains(v) { want.append("punct") }
                if cjk.contains(v) { want.append("cjk") }
            }
            if String(c).decomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual([c]) {
                if BasicTokenizer.isStrippedMark(c) { got.append("mark") }
                if mark.contains(v) { want.append("mark") }
            }
            if got != want { mismatches.append("U+\(String(v, radix: 16, uppercase: true)) \(got) vs \(want)") }
        }
        XCTAssertEqual(mismatches.count, 0, "first: \(mismatches.prefix(20).joined(separator: "; "))")
    }
}
