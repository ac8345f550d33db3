import Foundation
import JSON

/// A BERT-style tokenizer (BERT and MPNet use the same one with different special tokens):
/// `BasicTokenizer` + `WordPieceTokenizer`, special tokens around the text, truncation.
///
/// Loaded from a Hugging Face model folder: `vocab.txt` (one token a line, id = line number)
/// and `tokenizer_config.json` (`do_lower_case`, `strip_accents`, `tokenize_chinese_chars`,
/// `cls_token`, `sep_token`, `unk_token`, `pad_token`, `mask_token`, as strings or
/// `{"content": …}` objects), falling back to `special_tokens_map.json` for the special tokens.
///
/// Special ("added") tokens written in the text are recognised as the fast tokenizer does:
/// those of `tokenizer.json`'s `added_tokens` (else the special tokens of the configs), matched
/// leftmost-longest in the raw text, or in the normalised text for tokens marked
/// `"normalized": true` (MPNet's `<unk>`, so `<UNK>` matches too).
public struct BertTokenizer: Sendable {
    public let basic: BasicTokenizer
    public let wordPiece: WordPieceTokenizer
    /// Id of the token put before the text (`[CLS]` in BERT, `<s>` in MPNet).
    public let clsID: Int32
    /// Id of the token put after the text (`[SEP]` in BERT, `</s>` in MPNet).
    public let sepID: Int32
    /// Id of the padding token.
    public let padID: Int32
    /// Special tokens recognised verbatim in the raw text, longest first.
    public let specialTokens: [(text: [Unicode.Scalar], id: Int32)]
    /// Special tokens recognised in the normalised text (their text normalised too), longest first.
    public let normalizedSpecialTokens: [(text: [Unicode.Scalar], id: Int32)]

    public init(basic: BasicTokenizer, wordPiece: WordPieceTokenizer, clsID: Int32, sepID: Int32,
                padID: Int32, specialTokens: [(text: String, id: Int32)] = [],
                normalizedSpecialTokens: [(text: String, id: Int32)] = []) {
        self.basic = basic
        self.wordPiece = wordPiece
        self.clsID = clsID
        self.sepID = sepID
        self.padID = padID
        self.specialTokens = specialTokens
            .filter { !$0.text.isEmpty }
            .map { (Array($0.text.unicodeScalars), $0.id) }
            .sorted { $0.text.count > $1.text.count }
        self.normalizedSpecialTokens = normalizedSpecialTokens
            .map { (basic.normalize($0.text), $0.id) }
            .filter { !$0.0.isEmpty }
            .sorted { $0.0.count > $1.0.count }
    }

    /// Loads `vocab.txt` and `tokenizer_config.json` (or `special_tokens_map.json`) from `directory`.
    public init(directory: String) throws {
        let vocabPath = (directory as NSString).appendingPathComponent("vocab.txt")
        guard let data = FileManager.default.contents(atPath: vocabPath) else {
            throw TokenizerError(path: vocabPath, message: "cannot read the vocabulary file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError(path: vocabPath, message: "is not valid UTF-8")
        }
        var vocabulary: [String: Int32] = [:]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        vocabulary.reserveCapacity(lines.count)
        for (i, line) in lines.enumerated() {
            var token = String(line)
            if token.hasSuffix("\r") { token.removeLast() }
            vocabulary[token] = Int32(i)   // a repeated token keeps its last id, as in BERT's load_vocab
        }
        if vocabulary.isEmpty { throw TokenizerError(path: vocabPath, message: "is empty") }

        let configPath = (directory as NSString).appendingPathComponent("tokenizer_config.json")
        let mapPath = (directory as NSString).appendingPathComponent("special_tokens_map.json")
        let config = try Self.readJSONObject(configPath) ?? .object([])
        let map = try Self.readJSONObject(mapPath) ?? .object([])
        func special(_ key: String, _ fallback: String) -> String {
            Self.tokenText(config[key]) ?? Self.tokenText(map[key]) ?? fallback
        }
        func id(_ key: String, _ fallback: String) throws -> Int32 {
            let token = special(key, fallback)
            guard let id = vocabulary[token] else {
                throw TokenizerError(path: vocabPath, message: "has no entry for the \(key) \"\(token)\"")
            }
            return id
        }
        let lowercase = config["do_lower_case"]?.boolValue ?? true
        let stripAccents = config["strip_accents"]?.boolValue   // null: follows lowercase
        let chinese = config["tokenize_chinese_chars"]?.boolValue ?? true
        let unk = try id("unk_token", "[UNK]")
        var specials: [(String, Int32)] = []
        var normalizedSpecials: [(String, Int32)] = []
        let fastPath = (directory as NSString).appendingPathComponent("tokenizer.json")
        if let fast = try Self.readJSONObject(fastPath), let added = fast["added_tokens"]?.arrayValue {
            for (k, token) in added.enumerated() {
                guard let content = token["content"]?.stringValue, let id = token["id"]?.intValue.flatMap(Int32.init(exactly:)) else {
                    throw TokenizerError(path: fastPath, message: "added_tokens[\(k)] has no content and id")
                }
                if token["normalized"]?.boolValue == true {
                    normalizedSpecials.append((content, id))
                } else {
                    specials.append((content, id))
                }
            }
        } else {
            for key in ["cls_token", "sep_token", "pad_token", "unk_token", "mask_token", "bos_token", "eos_token"] {
                let token = special(key, "")
                if let id = vocabulary[token] { specials.append((token, id)) }
            }
        }
        self.init(basic: BasicTokenizer(lowercase: lowercase, stripAccents: stripAccents, tokenizeChineseChars: chinese),
                  wordPiece: WordPieceTokenizer(vocabulary: vocabulary, unknownID: unk),
                  clsID: try id("cls_token", "[CLS]"), sepID: try id("sep_token", "[SEP]"),
                  padID: try id("pad_token", "[PAD]"), specialTokens: specials,
                  normalizedSpecialTokens: normalizedSpecials)
    }

    /// The largest id this tokenizer can produce (vocabulary and special tokens).
    public var maxID: Int32 {
        let ids = [clsID, sepID, padID, wordPiece.unknownID] + specialTokens.map(\.id) + normalizedSpecialTokens.map(\.id)
        return max(wordPiece.vocabulary.values.max() ?? 0, ids.max() ?? 0)
    }

    /// Token ids of `text` without the special tokens around it.
    public func wordPieceIDs(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        for segment in Self.split(Array(text.unicodeScalars)[...], on: specialTokens) {
            switch segment {
            case .special(let id):
                ids.append(id)
            case .text(let raw):
                var view = String.UnicodeScalarView()
                view.append(contentsOf: raw)
                for part in Self.split(basic.normalize(String(view))[...], on: normalizedSpecialTokens) {
                    switch part {
                    case .special(let id):
                        ids.append(id)
                    case .text(let normalized):
                        for word in basic.preTokenize(normalized) { wordPiece.appendIDs(of: word, to: &ids) }
                    }
                }
            }
        }
        return ids
    }

    /// `[CLS] pieces [SEP]`, the pieces cut so that the whole has at most `maxLength` ids
    /// (`maxLength` ≥ 2).
    public func encode(_ text: String, maxLength: Int) -> [Int32] {
        let pieces = wordPieceIDs(text)
        var ids: [Int32] = [clsID]
        ids.append(contentsOf: pieces.prefix(max(0, maxLength - 2)))
        ids.append(sepID)
        return ids
    }

    // MARK: Helpers

    private enum Segment { case text(ArraySlice<Unicode.Scalar>), special(Int32) }

    /// Splits `scalars` at the leftmost-longest occurrences of `tokens` (sorted longest first).
    private static func split(_ scalars: ArraySlice<Unicode.Scalar>, on tokens: [(text: [Unicode.Scalar], id: Int32)]) -> [Segment] {
        guard !tokens.isEmpty else { return [.text(scalars)] }
        var segments: [Segment] = []
        var start = scalars.startIndex, i = scalars.startIndex
        outer: while i < scalars.endIndex {
            for token in tokens where token.text.first == scalars[i] {
                let end = i + token.text.count
                if end <= scalars.endIndex, scalars[i..<end].elementsEqual(token.text) {
                    if i > start { segments.append(.text(scalars[start..<i])) }
                    segments.append(.special(token.id))
                    i = end
                    start = end
                    continue outer
                }
            }
            i += 1
        }
        if scalars.endIndex > start { segments.append(.text(scalars[start..<scalars.endIndex])) }
        return segments
    }

    private static func readJSONObject(_ path: String) throws -> JSONValue? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError(path: path, message: "cannot be read")
        }
        let object: JSONValue
        do { object = try JSONParser.parse(bytes: Array(data)) } catch {
            throw TokenizerError(path: path, message: "is not valid JSON: \(error)")
        }
        guard object.objectValue != nil else { throw TokenizerError(path: path, message: "is not a JSON object") }
        return object
    }

    /// A special token given as `"[CLS]"` or as `{"content": "[CLS]", …}`.
    private static func tokenText(_ value: JSONValue?) -> String? {
        value?.stringValue ?? value?["content"]?.stringValue
    }
}
