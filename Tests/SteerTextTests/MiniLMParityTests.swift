// all-MiniLM-L6-v2 against the sentence-transformers reference: token ids and embeddings for
// every fixture case. The model must be present (`make test` runs Scripts/setup first), so its
// absence fails rather than skips.
import XCTest
@testable import SteerText

final class MiniLMParityTests: XCTestCase {
    nonisolated(unsafe) static var cached: MiniLMEncoder?

    func encoder() throws -> MiniLMEncoder {
        if let cached = Self.cached { return cached }
        guard let folder = modelFolder("all-MiniLM-L6-v2") else {
            XCTFail("all-MiniLM-L6-v2 not found in \(steerCache().path)/models: run Scripts/setup (or set STEER_CACHE)")
            throw CocoaError(.fileNoSuchFile)
        }
        let encoder = try MiniLMEncoder(directory: folder)
        Self.cached = encoder
        return encoder
    }

    func testConfiguration() throws {
        let encoder = try encoder()
        XCTAssertEqual(encoder.dimension, 384)
        XCTAssertEqual(encoder.name, "all-MiniLM-L6-v2")
        XCTAssertEqual(encoder.tokenizer.maxLength, 256)
    }

    func testTokenIDsMatchReference() throws {
        let tokenizer = try encoder().tokenizer
        for reference in try loadReference("minilm_reference.json").cases {
            XCTAssertEqual(tokenizer.encode(reference.text), reference.inputIDs, "text: \(reference.text.prefix(60))")
        }
    }

    func testEmbeddingsMatchReferenceOneByOneAndBatched() throws {
        let encoder = try encoder()
        let cases = try loadReference("minilm_reference.json").cases
        let batched = try encoder.embed(cases.map(\.text))
        var worstCosine = 1.0, worstDiff = 0.0
        for (index, reference) in cases.enumerated() {
            for vector in [try encoder.embed(reference.text), batched[index]] {
                let (cosine, diff) = compare(vector, reference.embedding)
                XCTAssertGreaterThanOrEqual(cosine, 0.9999, reference.text)
                XCTAssertLessThanOrEqual(diff, 1e-4, reference.text)
                worstCosine = min(worstCosine, cosine)
                worstDiff = max(worstDiff, diff)
            }
        }
        print("MiniLM parity over \(cases.count) cases: max cosine deficit \(1 - worstCosine), max abs diff \(worstDiff)")
    }

    func testTwoThreadEncoderMatchesReference() throws {
        guard let folder = modelFolder("all-MiniLM-L6-v2") else { return XCTFail("all-MiniLM-L6-v2 not found") }
        let encoder = try MiniLMEncoder(directory: folder, threads: 2)
        let cases = try loadReference("minilm_reference.json").cases
        // 24 texts: split by texts across both cores; one text: each linear split by columns.
        let batched = try encoder.embed(cases.map(\.text))
        for (index, reference) in cases.enumerated() {
            for vector in [batched[index], try encoder.embed(reference.text)] {
                let (cosine, diff) = compare(vector, reference.embedding)
                XCTAssertGreaterThanOrEqual(cosine, 0.9999, reference.text)
                XCTAssertLessThanOrEqual(diff, 1e-4, reference.text)
            }
        }
    }

    func testEmbeddingIsUnitLengthForEdgeInputs() throws {
        let encoder = try encoder()
        let prompts = ["", String(repeating: "tonight something light, ", count: 4200), "🎬🍿", "\u{0}\u{7}"]
        for (prompt, vector) in zip(prompts, try encoder.embed(prompts)) {
            XCTAssertEqual(vector.count, 384)
            let norm = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            XCTAssertEqual(norm, 1, accuracy: 1e-4, "prompt of \(prompt.utf8.count) bytes")
        }
        XCTAssertEqual(encoder.embedFlat([]).count, 0)
    }

    func testConcurrentCallersGetTheSameVectors() throws {
        let encoder = try encoder()
        let prompts = ["no horror tonight please", "Something light and funny for an evening with the kids"]
        let expected = try encoder.embed(prompts)
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let text = prompts[i % 2]
            let vector = try! encoder.embed(text)
            // Batched and single-row sgemm may sum in different orders: equal to float noise.
            XCTAssertLessThan(zip(vector, expected[i % 2]).map { abs($0 - $1) }.max()!, 1e-5)
        }
    }
}
