// The BERT / MPNet WordPiece tokenizer: BasicTokenizer words → greedy longest-match sub-words →
// [CLS] … [SEP] ids, truncated to the encoder's maximum sequence length.
import Foundation

/// Turns a prompt into the token ids a BERT-family encoder reads.
///
/// Matches the HF `BertTokenizer` / `MPNetTokenizer` pipeline: ``BasicTokenizer`` normalisation
/// and splitting, then greedy longest-match-first WordPiece with `##` continuation pieces; a
/// word longer than 100 code points, or one that cannot be covered by vocabulary pieces,
/// becomes a single unknown token. The result is `cls + pieces + sep`, with the pieces cut so
/// the whole fits in ``maxLength`` (the final separator is always kept).
public struct WordPieceTokenizer: Sendable {
    /// The names of the special tokens, as in `tokenizer_config.json`.
    public struct SpecialTokens: Sendable, Equatable {
        public var cls: String
        public var sep: String
        public var unk: String
        public var pad: String

        /// BERT's `[CLS]`, `[SEP]`, `[UNK]`, `[PAD]`.
        public static let bert = SpecialTokens(cls: "[CLS]", sep: "[SEP]", unk: "[UNK]", pad: "[PAD]")
        /// MPNet's `<s>`, `</s>`, `[UNK]`, `<pad>`.
        public static let mpnet = SpecialTokens(cls: "<s>", sep: "</s>", unk: "[UNK]", pad: "<pad>")

        public init(cls: String, sep: String, unk: String, pad: String) {
            self.cls = cls
            self.sep = sep
            self.unk = unk
            self.pad = pad
        }
    }

    /// Words longer than this many code points become the unknown token (HF's default).
    public static let maxCharactersPerWord = 100

    public let vocabulary: Vocabulary
    /// The longest id sequence ``encode(_:)`` returns, special tokens included.
    public let maxLength: Int
    public let clsID: Int32
    public let sepID: Int32
    public let unkID: Int32
    public let padID: Int32
    private let basic: BasicTokenizer

    /// - Parameters:
    ///   - vocabulary: the WordPiece vocabulary.
    ///   - specialTokens: names of the special tokens; each must be in `vocabulary`.
    ///   - lowercase: `do_lower_case`.
    ///   - stripAccents: `strip_accents`; nil follows `lowercase` (the HF default).
    ///   - splitCJK: `tokenize_chinese_chars`.
    ///   - maxLength: maximum ids per sequence including the two special tokens (≥ 2).
    ///   - source: names the vocabulary in error messages.
    /// - Throws: ``SteerTextError/Code/malformedVocabulary`` naming a missing special token.
    public init(
        vocabulary: Vocabulary, specialTokens: SpecialTokens = .bert, lowercase: Bool = true,
        stripAccents: Bool? = nil, splitCJK: Bool = true, maxLength: Int, source: String = "vocabulary"
    ) throws {
        func lookup(_ token: String, _ role: String) throws -> Int32 {
            guard let id = vocabulary.id(of: token) else {
                throw SteerTextError.vocabulary(source, "the \(role) token \"\(token)\" is not in the vocabulary")
            }
            return id
        }
        clsID = try lookup(specialTokens.cls, "classifier (cls)")
        sepID = try lookup(specialTokens.sep, "separator (sep)")
        unkID = try lookup(specialTokens.unk, "unknown (unk)")
        padID = try lookup(specialTokens.pad, "padding (pad)")
        guard maxLength >= 2 else {
            throw SteerTextError.config(source, "maximum sequence length \(maxLength) leaves no room for cls and sep")
        }
        self.vocabulary = vocabulary
        self.maxLength = maxLength
        self.basic = BasicTokenizer(lowercase: lowercase, stripAccents: stripAccents ?? lowercase, splitCJK: splitCJK)
    }

    /// The ids of `text`: `[cls] pieces… [sep]`, at most ``maxLength`` of them.
    /// - Complexity: O(n) in the length of `text`; stops reading once ``maxLength`` is reached.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [clsID]
        let budget = maxLength - 1
        basic.forEachWord(in: text) { word in
            appendPieces(of: word, to: &ids)
            return ids.count < budget
        }
        if ids.count > budget { ids.removeLast(ids.count - budget) }
        ids.append(sepID)
        return ids
    }

    /// The sub-word strings of `text` without special tokens or truncation (for inspection).
    public func tokenize(_ text: String) -> [String] {
        var ids: [Int32] = []
        basic.forEachWord(in: text) { word in
            appendPieces(of: word, to: &ids)
            return true
        }
        return ids.map { vocabulary.tokens[Int($0)] }
    }

    /// Greedy longest-match-first WordPiece of one word; the whole word becomes unk when any
    /// position cannot be matched.
    private func appendPieces(of word: ArraySlice<Unicode.Scalar>, to ids: inout [Int32]) {
        if word.count > Self.maxCharactersPerWord {
            ids.append(unkID)
            return
        }
        // UTF-8 bytes of the word and the byte offset of each code point boundary.
        var bytes: [UInt8] = []
        var boundaries: [Int] = [0]
        for scalar in word {
            bytes.append(contentsOf: scalar.utf8)
            boundaries.append(bytes.count)
        }
        let n = word.count
        let firstPiece = ids.count
        var start = 0
        var candidate: [UInt8] = []
        candidate.reserveCapacity(bytes.count + 2)
        while start < n {
            let prefix = start > 0 ? 2 : 0
            var end = min(n, start + vocabulary.longestToken - prefix)
            var found: Int32?
            while start < end {
                candidate.removeAll(keepingCapacity: true)
                if prefix > 0 { candidate.append(contentsOf: [0x23, 0x23]) }  // "##"
                candidate.append(contentsOf: bytes[boundaries[start]..<boundaries[end]])
                if let id = vocabulary.id(utf8: candidate) {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                ids.removeLast(ids.count - firstPiece)
                ids.append(unkID)
                return
            }
            ids.append(id)
            start = end
        }
    }
}
