/// WordPiece: greedy longest-match-first split of one word into vocabulary pieces.
///
/// The first piece is looked up as is, later pieces with the `##` prefix. A word with more
/// than `maxInputCharsPerWord` Unicode scalars (100 in BERT), or one that cannot be split
/// completely, becomes the single unknown token (as in BERT and `tokenizers`' `WordPiece`).
/// - Complexity: O(n²) dictionary look-ups for a word of n scalars in the worst case.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: [String: Int32]
    public let unknownID: Int32
    public let continuingPrefix: String
    public let maxInputCharsPerWord: Int

    public init(vocabulary: [String: Int32], unknownID: Int32, continuingPrefix: String = "##",
                maxInputCharsPerWord: Int = 100) {
        self.vocabulary = vocabulary
        self.unknownID = unknownID
        self.continuingPrefix = continuingPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
    }

    /// Appends the ids of `word`'s pieces to `ids`.
    public func appendIDs(of word: [Unicode.Scalar], to ids: inout [Int32]) {
        if word.count > maxInputCharsPerWord {
            ids.append(unknownID)
            return
        }
        let start0 = ids.count
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                var view = String.UnicodeScalarView()
                if start > 0 { view.append(contentsOf: continuingPrefix.unicodeScalars) }
                view.append(contentsOf: word[start..<end])
                if let id = vocabulary[String(view)] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                ids.removeSubrange(start0...)
                ids.append(unknownID)
                return
            }
            ids.append(id)
            start = end
        }
    }

    /// The ids of `word`'s pieces.
    public func ids(of word: String) -> [Int32] {
        var ids: [Int32] = []
        appendIDs(of: Array(word.unicodeScalars), to: &ids)
        return ids
    }
}
