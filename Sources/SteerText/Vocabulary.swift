// A WordPiece vocabulary (BERT's vocab.txt): token strings and their ids, validated on load.
import Foundation

/// The token ↔ id table of a WordPiece model: line `n` of `vocab.txt` (0-based) is token id `n`.
///
/// Loading refuses files the reference tokenizer would silently misread: an empty file, an empty
/// line inside the file, or a token listed twice (Python's tokenizer keeps the last id, which
/// shifts every id the model was trained with).
public struct Vocabulary: Sendable {
    /// The tokens in id order.
    public let tokens: [String]
    // Keyed by UTF-8 bytes, not String: String equality is canonical equivalence ("é" == "e\u{301}"),
    // but the reference tokenizer matches code points exactly.
    private let ids: [[UInt8]: Int32]
    /// The longest token in Unicode scalars, counting a `##` prefix: bounds the WordPiece search.
    let longestToken: Int

    /// Builds a vocabulary from tokens in id order.
    /// - Parameters:
    ///   - tokens: the tokens; token `i` gets id `i`.
    ///   - source: names the origin in error messages.
    /// - Throws: ``SteerTextError/Code/malformedVocabulary`` when `tokens` is empty or holds an
    ///   empty or duplicate token.
    public init(tokens: [String], source: String = "<in-memory vocabulary>") throws {
        guard !tokens.isEmpty else { throw SteerTextError.vocabulary(source, "it holds no tokens") }
        guard tokens.count <= Int(Int32.max) else { throw SteerTextError.vocabulary(source, "too many tokens") }
        var ids: [[UInt8]: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        var longest = 0
        for (index, token) in tokens.enumerated() {
            guard !token.isEmpty else {
                throw SteerTextError.vocabulary(source, "line \(index + 1) is empty")
            }
            let key = Array(token.utf8)
            if let first = ids[key] {
                throw SteerTextError.vocabulary(
                    source, "token \"\(token)\" appears twice (lines \(first + 1) and \(index + 1))")
            }
            ids[key] = Int32(index)
            longest = max(longest, token.unicodeScalars.count)
        }
        self.tokens = tokens
        self.ids = ids
        self.longestToken = longest
    }

    /// Loads a `vocab.txt`: UTF-8, one token per line; a final newline is optional.
    /// - Throws: ``SteerTextError/Code/io`` when unreadable, ``SteerTextError/Code/malformedVocabulary``
    ///   when malformed (see ``init(tokens:source:)``).
    public init(contentsOf url: URL) throws {
        let text: String
        do {
            // Foundation's reader keeps (leaks) a 4 KB buffer for an empty file: an empty file is not read.
            var info = stat()
            let empty = stat(url.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && info.st_size == 0 && access(url.path, R_OK) == 0
            text = empty ? "" : try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw SteerTextError.io(url.path, "\(error.localizedDescription) (expected a UTF-8 vocab.txt)")
        }
        // Split bytes, not Characters: "\r\n" is one Character and would hide the line break.
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        // Tolerate CRLF files: no WordPiece token ends in a carriage return.
        let tokens = lines.map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
        try self.init(tokens: tokens, source: url.path)
    }

    /// The number of tokens.
    public var count: Int { tokens.count }

    /// The id of `token`, or nil when it is not in the vocabulary.
    public func id(of token: String) -> Int32? { ids[Array(token.utf8)] }

    /// The id of the token spelled by `utf8`, or nil.
    func id(utf8: [UInt8]) -> Int32? { ids[utf8] }

    /// The token with id `id`, or nil when out of range.
    public func token(for id: Int32) -> String? {
        id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil
    }
}
