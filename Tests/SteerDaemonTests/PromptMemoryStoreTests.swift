// The prompt memory kept between starts: read back when it matches, embedded again (and the file
// replaced) when it is corrupt, holds other wordings or was embedded with other weights.
import Foundation
import Logging
@testable import SteerDaemon
import SteerDaemonTestSupport
import SteerPrompt
import SteerSnapshot
import SteerTestSupport
import SteerText
import XCTest

final class PromptMemoryStoreTests: XCTestCase {
    private let wordings = ["farm boy joins rebels to fight galactic empire", "toys come alive when humans leave",
                            "a shark terrorises a beach town", "I want a comedy", "a heist goes wrong", "I want a comedy"]
    private let logger = Logger(label: "test")

    private func memory(_ texts: [String], _ encoder: some SentenceEncoder, _ directory: String) throws -> PromptMemory {
        try PromptMemoryStore.memory(texts: texts, encoder: encoder, precision: .fp32, directory: directory, logger: logger)
    }

    func testAMatchingFileIsReadInsteadOfEmbedding() throws {
        let encoder = try SentenceEncoders.load(directory: URL(fileURLWithPath: miniLMDirectory))
        let directory = try temporaryDirectory("steer-memory")
        let first = try memory(wordings, encoder, directory)
        XCTAssertEqual(first.texts.count, 5, "duplicates removed")
        let path = PromptMemoryStore.path(texts: wordings, encoder: encoder, precision: .fp32, directory: directory)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))

        // A row past the checked ones marked in the file: only a memory read from the file has it.
        var rows = first.unitEmbeddings
        let d = first.dimension, marked = PromptMemoryStore.checkedRows
        rows[marked * d] += 0.5
        try PromptMemoryStore.snapshot(of: PromptMemory(texts: first.texts, embeddings: rows, dimension: d)).write(to: path)
        let second = try memory(wordings, encoder, directory)
        XCTAssertEqual(second.texts, first.texts)
        XCTAssertEqual(second.unitEmbeddings, rows, "a file round trip is bit-exact")

        XCTAssertNotEqual(PromptMemoryStore.path(texts: Array(wordings.dropLast(2)), encoder: encoder, precision: .fp32, directory: directory),
                          path, "other wordings, another file")
        XCTAssertNotEqual(PromptMemoryStore.path(texts: wordings, encoder: encoder, precision: .int8, directory: directory),
                          path, "another precision, another file")
    }

    func testABadFileIsEmbeddedAgainAndReplaced() throws {
        let encoder = try SentenceEncoders.load(directory: URL(fileURLWithPath: miniLMDirectory))
        let directory = try temporaryDirectory("steer-memory")
        let fresh = try PromptMemory(texts: wordings, encoder: encoder)
        let path = PromptMemoryStore.path(texts: wordings, encoder: encoder, precision: .fp32, directory: directory)
        func assertEmbeddedAgain(_ why: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let memory = try memory(wordings, encoder, directory)
            XCTAssertEqual(memory.texts, fresh.texts, why, file: file, line: line)
            let largest = zip(memory.unitEmbeddings, fresh.unitEmbeddings).map { abs($0 - $1) }.max() ?? 1
            XCTAssertLessThan(largest, 1e-5, why, file: file, line: line)
            // The file was replaced by a good one: read back, its floats are the ones written (bit-exact by contract).
            let reread = try PromptMemoryStore.read(path: path, texts: wordings, encoder: encoder)
            XCTAssertEqual(reread.unitEmbeddings, memory.unitEmbeddings, why, file: file, line: line)
        }

        try Data("not a snapshot".utf8).write(to: URL(fileURLWithPath: path))
        try assertEmbeddedAgain("a corrupt file")

        var rows = fresh.unitEmbeddings
        rows[0] += 0.01
        try PromptMemoryStore.snapshot(of: PromptMemory(texts: fresh.texts, embeddings: rows, dimension: fresh.dimension)).write(to: path)
        XCTAssertThrowsError(try PromptMemoryStore.read(path: path, texts: wordings, encoder: encoder)) {
            guard case .otherWeights = $0 as? PromptMemoryStoreError else { return XCTFail("\($0)") }
        }
        try assertEmbeddedAgain("a file embedded with other weights")

        let other = try PromptMemory(texts: ["something else entirely"], encoder: encoder)
        try PromptMemoryStore.snapshot(of: other).write(to: path)
        XCTAssertThrowsError(try PromptMemoryStore.read(path: path, texts: wordings, encoder: encoder)) {
            XCTAssertEqual($0 as? PromptMemoryStoreError, .otherTexts)
        }
        try assertEmbeddedAgain("a file of other wordings")
    }

    func testAnUnwritableDirectoryOnlyCostsTime() throws {
        let encoder = try SentenceEncoders.load(directory: URL(fileURLWithPath: miniLMDirectory))
        let directory = try temporaryDirectory("steer-memory")
        let blocked = directory + "/file"
        try Data().write(to: URL(fileURLWithPath: blocked))   // a file where the directory should be
        let memory = try memory(wordings, encoder, blocked)
        XCTAssertEqual(memory.texts.count, 5)
    }
}
