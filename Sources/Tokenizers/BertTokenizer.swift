import Foundation

/// A BERT-style tokenizer (BERT and MPNet use the same one with different special tokens):
/// `BasicTokenizer` + `WordPieceTokenizer`, special tokens around the text, truncation.
///
/// Loaded from a Hugging Face model folder: `vocab.txt` (one token a line, id = line number)
/// and `tokenizer_config.json` (`do_lower_case`, `strip_accents`, `tokenize_chinese_chars`,
/// `cls_token`, `sep_token`, `unk_token`, `pad_token`, `mask_token`, as strings or
/// `{"content": …}` objects), falling back to `special_tokens_map.json` for the special tokens.
public struct BertTokenizer: Sendable {
    public let basic: BasicTokenizer
    public let wordPiece: WordPieceTokenizer
    /// Id of the token put before the text (`[CLS]` in BERT, `<s>` in MPNet).
    public let clsID: Int32
    /// Id of the token put after the text (`[SEP]` in BERT, `</s>` in MPNet).
    public let sepID: Int32
    /// Id of the padding token.
    public let padID: Int32
    /// Special tokens recognised verbatim in the raw text (as the fast tokenizer's added
    /// tokens are), longest first.
    public let specialTokens: [(text: [Unicode.Scalar], id: Int32)]

    public init(basic: BasicTokenizer, wordPiece: WordPieceTokenizer, clsID: Int32, sepID: Int32,
                padID: Int32, specialTokens: [(text: String, id: Int32)] = []) {
        self.basic = basic
        self.wordPiece = wordPiece
        self.clsID = clsID
        self.sepID = sepID
        self.padID = padID
        self.specialTokens = specialTokens
            .filter { !$0.text.isEmpty }
            .map { (Array($0.text.unicodeScalars), $0.id) }
            .sorted { $0.text.count > $1.text.count }
    }

    /// Loads `vocab.txt` and `tokenizer_config.json` (or `special_tokens_map.json`) from `directory`.
    public init(directory: String) throws {
        let vocabPath = (directory as NSString).appendingPathComponent("vocab.txt")
        guard let data = FileManager.default.contents(atPath: vocabPath) else {
            throw TokenizerError(path: vocabPath, "cannot read the vocabulary file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError(path: vocabPath, "is not valid UTF-8")
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
        if vocabulary.isEmpty { throw TokenizerError(path: vocabPath, "is empty") }

        let configPath = (directory as NSString).appendingPathComponent("tokenizer_config.json")
        let mapPath = (directory as NSString).appendingPathComponent("special_tokens_map.json")
        let config = try Self.readJSONObject(configPath) ?? [:]
        let map = try Self.readJSONObject(mapPath) ?? [:]
        func special(_ key: String, _ fallback: String) -> String {
            Self.tokenText(config[key]) ?? Self.tokenText(map[key]) ?? fallback
        }
        func id(_ key: String, _ fallback: String) throws -> Int32 {
            let token = special(key, fallback)
            guard let id = vocabulary[token] else {
                throw TokenizerError(path: vocabPath, "has no entry for the \(key) \"\(token)\"")
            }
            return id
        }
        let lowercase = (config["do_lower_case"] as? Bool) ?? true
        let stripAccents = config["strip_accents"] as? Bool   // null: follows lowercase
        let chinese = (config["tokenize_chinese_chars"] as? Bool) ?? true
        let unk = try id("unk_token", "[UNK]")
        var specials: [(String, Int32)] = []
        for key in ["cls_token", "sep_token", "pad_token", "unk_token", "mask_token", "bos_token", "eos_token"] {
            let token = special(key, "")
            if let id = vocabulary[token] { specials.append((token, id)) }
        }
        self.init(basic: BasicTokenizer(lowercase: lowercase, stripAccents: stripAccents, tokenizeChineseChars: chinese),
                  wordPiece: WordPieceTokenizer(vocabulary: vocabulary, unknownID: unk),
                  clsID: try id("cls_token", "[CLS]"), sepID: try id("sep_token", "[SEP]"),
                  padID: try id("pad_token", "[PAD]"), specialTokens: specials)
    }

    /// Token ids of `text` without the special tokens around it.
    public func wordPieceIDs(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        for segment in splitOnSpecialTokens(text) {
            switch segment {
            case .special(let id):
                ids.append(id)
            case .text(let part):
                for word in basic.tokenizeScalars(part) { wordPiece.appendIDs(of: word, to: &ids) }
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

    private enum Segment { case text(String), special(Int32) }

    /// Splits the raw text at verbatim occurrences of the special tokens (e.g. a literal `[MASK]`).
    private func splitOnSpecialTokens(_ text: String) -> [Segment] {
        guard !specialTokens.isEmpty, text.unicodeScalars.contains(where: { $0 == "[" || $0 == "<" }) else {
            return [.text(text)]
        }
        let scalars = Array(text.unicodeScalars)
        var segments: [Segment] = []
        var start = 0, i = 0
        func flush(_ end: Int) {
            if end > start {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[start..<end])
                segments.append(.text(String(view)))
            }
        }
        outer: while i < scalars.count {
            for token in specialTokens where token.text.first == scalars[i] {
                if i + token.text.count <= scalars.count, scalars[i..<(i + token.text.count)].elementsEqual(token.text) {
                    flush(i)
                    segments.append(.special(token.id))
                    i += token.text.count
                    start = i
                    continue outer
                }
            }
            i += 1
        }
        flush(scalars.count)
        return segments
    }

    private static func readJSONObject(_ path: String) throws -> [String: Any]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError(path: path, "cannot be read")
        }
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw TokenizerError(path: path, "is not a JSON object")
            }
            return object
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw TokenizerError(path: path, "is not valid JSON (\(error.localizedDescription))")
        }
    }

    /// A special token given as `"[CLS]"` or as `{"content": "[CLS]", …}`.
    private static func tokenText(_ value: Any?) -> String? {
        if let s = value as? String { return s }
        if let d = value as? [String: Any], let s = d["content"] as? String { return s }
        return nil
    }
}
