// vocab.txt loading: ids by line, and the malformed files refused with a clear message.
import SteerTestSupport
import XCTest
@testable import SteerText

final class VocabularyTests: XCTestCase {
    func write(_ text: String) throws -> URL {
        let url = URL(fileURLWithPath: try temporaryDirectory("steer-text")).appendingPathComponent("vocab.txt")
        try Data(text.utf8).write(to: url)
        return url
    }

    func testIdsAreLineNumbersWithOrWithoutFinalNewlineOrCRLF() throws {
        for text in ["[PAD]\nhello\nworld\n", "[PAD]\nhello\nworld", "[PAD]\r\nhello\r\nworld\r\n"] {
            let vocabulary = try Vocabulary(contentsOf: write(text))
            XCTAssertEqual(vocabulary.count, 3)
            XCTAssertEqual(vocabulary.id(of: "world"), 2)
            XCTAssertEqual(vocabulary.token(for: 1), "hello")
            XCTAssertNil(vocabulary.id(of: "nope"))
        }
    }

    func testLookupIsByExactCodePoints() throws {
        // Swift's String == is canonical equivalence; the reference matches code points.
        let vocabulary = try Vocabulary(tokens: ["caf\u{E9}"])
        XCTAssertEqual(vocabulary.id(of: "caf\u{E9}"), 0)
        XCTAssertNil(vocabulary.id(of: "cafe\u{301}"))
    }

    func testEmptyFileIsRefused() throws {
        let error = textError { _ = try Vocabulary(contentsOf: write("")) }
        XCTAssertEqual(error?.code, .malformedVocabulary)
        XCTAssertTrue(error?.description.contains("no tokens") ?? false)
    }

    func testDuplicateTokenIsRefusedWithBothLines() throws {
        let error = textError { _ = try Vocabulary(contentsOf: write("a\nb\na\n")) }
        XCTAssertEqual(error?.code, .malformedVocabulary)
        XCTAssertTrue(error?.description.contains("\"a\" appears twice (lines 1 and 3)") ?? false, error?.description ?? "")
    }

    func testEmptyLineIsRefused() throws {
        let error = textError { _ = try Vocabulary(contentsOf: write("a\n\nb\n")) }
        XCTAssertTrue(error?.description.contains("line 2 is empty") ?? false, error?.description ?? "")
    }

    func testMissingFileIsAnIOError() throws {
        let error = textError { _ = try Vocabulary(contentsOf: URL(fileURLWithPath: "/nonexistent/vocab.txt")) }
        XCTAssertEqual(error?.code, .io)
        XCTAssertTrue(error?.description.contains("/nonexistent/vocab.txt") ?? false)
    }
}
