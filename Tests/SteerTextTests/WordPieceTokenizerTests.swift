// BasicTokenizer + WordPiece behaviour on a tiny hand-made vocabulary: every rule in isolation.
import XCTest
@testable import SteerText

final class WordPieceTokenizerTests: XCTestCase {
    let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world", "un", "##aff", "##able", "cafe",
                  "!", ",", ".", "$", "東", "京", "the", "x", "##x", "a", "##b", "'", "s"]

    func make(maxLength: Int = 64, lowercase: Bool = true) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabulary: Vocabulary(tokens: tokens), lowercase: lowercase, maxLength: maxLength)
    }

    func testEmptyAndWhitespaceOnlyGiveClsSep() throws {
        let t = try make()
        XCTAssertEqual(t.encode(""), [2, 3])
        XCTAssertEqual(t.encode(" \t\n\r\u{3000}"), [2, 3])
    }

    func testGreedyLongestMatchWithContinuationPieces() throws {
        XCTAssertEqual(try make().tokenize("unaffable"), ["un", "##aff", "##able"])
    }

    func testUnsplittableWordBecomesOneUnknown() throws {
        // "unaffablez": pieces up to "##able" match, then "z" does not: the whole word is [UNK].
        XCTAssertEqual(try make().tokenize("hello unaffablez world"), ["hello", "[UNK]", "world"])
    }

    func testWordsOverOneHundredCodePointsAreUnknown() throws {
        let t = try make()
        XCTAssertEqual(t.tokenize(String(repeating: "x", count: 100)).count, 100)
        XCTAssertEqual(t.tokenize(String(repeating: "x", count: 101)), ["[UNK]"])
    }

    func testLowercaseAndAccentStripping() throws {
        XCTAssertEqual(try make().tokenize("HeLLo CAFÉ Café cafe\u{301}"), ["hello", "cafe", "cafe", "cafe"])
        // Cased (lowercase false, strip_accents follows it): nothing is folded.
        XCTAssertEqual(try make(lowercase: false).tokenize("Hello café"), ["[UNK]", "[UNK]"])
    }

    func testPunctuationIsSplitIncludingAsciiSymbols() throws {
        // `$` is a Unicode symbol (Sc) but BERT counts all non-alphanumeric ASCII as punctuation.
        XCTAssertEqual(try make().tokenize("hello,world!$x."), ["hello", ",", "world", "!", "$", "x", "."])
        XCTAssertEqual(try make().tokenize("a's"), ["a", "'", "s"])
    }

    func testCJKIdeographsAreSeparateWords() throws {
        XCTAssertEqual(try make().tokenize("東京"), ["東", "京"])
        XCTAssertEqual(try make().tokenize("hello東world"), ["hello", "東", "world"])
    }

    func testControlCharactersAndReplacementAreDropped() throws {
        XCTAssertEqual(try make().tokenize("hel\u{0}lo\u{FFFD} wor\u{200B}ld\u{7}"), ["hello", "world"])
    }

    func testEmojiAndUnknownScriptsBecomeUnknown() throws {
        XCTAssertEqual(try make().tokenize("hello 🎬 world"), ["hello", "[UNK]", "world"])
    }

    func testTruncationKeepsSeparator() throws {
        let t = try make(maxLength: 5)
        XCTAssertEqual(t.encode("hello world hello world hello"), [2, 4, 5, 4, 3])
        XCTAssertEqual(t.encode("unaffable unaffable"), [2, 6, 7, 8, 3])
    }

    func testHundredKilobytePromptIsTruncatedQuickly() throws {
        let t = try make(maxLength: 256)
        let prompt = String(repeating: "hello world, ", count: 8000)  // 104 kB
        XCTAssertGreaterThan(prompt.utf8.count, 100_000)
        let start = Date()
        let ids = t.encode(prompt)
        XCTAssertEqual(ids.count, 256)
        XCTAssertEqual(ids.first, 2)
        XCTAssertEqual(ids.last, 3)
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
        // One giant unbroken word is a single [UNK].
        XCTAssertEqual(t.encode(String(repeating: "x", count: 100_000)), [2, 1, 3])
    }

    func testMissingSpecialTokenIsRefusedByName() throws {
        let vocabulary = try Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "hello"])
        let error = textError { _ = try WordPieceTokenizer(vocabulary: vocabulary, maxLength: 8) }
        XCTAssertEqual(error?.code, .malformedVocabulary)
        XCTAssertTrue(error?.description.contains("\"[SEP]\"") ?? false, error?.description ?? "")
    }
}
