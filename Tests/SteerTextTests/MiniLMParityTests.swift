// all-MiniLM-L6-v2 against the sentence-transformers reference: token ids and embeddings for
// every fixture case. The model must be present (`make test` runs Scripts/setup first), so its
// absence fails rather than skips.
import SteerTestSupport
import XCTest
@testable import SteerText

final class MiniLMParityTests: XCTestCase {
    func encoder() throws -> MiniLMEncoder {
        try sharedEncoder("all-MiniLM-L6-v2", load: { try MiniLMEncoder(directory: $0) }) {
            XCTFail("all-MiniLM-L6-v2 not found in \(steerCache().path)/models: run Scripts/setup (or set STEER_CACHE)")
            throw CocoaError(.fileNoSuchFile)
        }
    }

    func testConfiguration() throws {
        let encoder = try encoder()
        XCTAssertEqual(encoder.dimension, 384)
        XCTAssertEqual(encoder.name, "all-MiniLM-L6-v2")
        XCTAssertEqual(encoder.tokenizer.maxLength, 256)
    }

    func testTokenIDsMatchReference() throws {
        try assertTokenIDsMatchReference(encoder().tokenizer, "minilm_reference.json")
    }

    func testEmbeddingsMatchReferenceOneByOneAndBatched() throws {
        let worst = try assertEmbeddingsMatchReference(encoder(), "minilm_reference.json")
        print("MiniLM parity over \(worst.cases) cases: max cosine deficit \(1 - worst.worstCosine), max abs diff \(worst.worstDiff)")
    }

    /// 24 texts: split by texts across both cores; one text: each linear split by columns.
    func testTwoThreadEncoderMatchesReference() throws {
        guard let folder = modelFolder("all-MiniLM-L6-v2") else { return XCTFail("all-MiniLM-L6-v2 not found") }
        try assertEmbeddingsMatchReference(MiniLMEncoder(directory: folder, threads: 2), "minilm_reference.json")
    }

    /// The preferred kernels are AVX-512 on a CPU that has it; the OpenBLAS set must match too.
    func testOpenBLASKernelsMatchReference() throws {
        guard let folder = modelFolder("all-MiniLM-L6-v2") else { return XCTFail("all-MiniLM-L6-v2 not found") }
        try assertEmbeddingsMatchReference(MiniLMEncoder(directory: folder, threads: 1, kernel: .openBLAS), "minilm_reference.json")
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
