// all-mpnet-base-v2 against the sentence-transformers reference. The weights are optional
// (Scripts/fetch-mpnet, ~420 MB): absent weights skip with a message, present ones must match.
import XCTest
@testable import SteerText

final class MPNetParityTests: XCTestCase {
    nonisolated(unsafe) static var cached: MPNetEncoder?

    func encoder() throws -> MPNetEncoder {
        if let cached = Self.cached { return cached }
        guard let folder = modelFolder("all-mpnet-base-v2") else {
            throw XCTSkip("all-mpnet-base-v2 not in \(steerCache().path)/models: run Scripts/fetch-mpnet to enable MPNet parity")
        }
        let encoder = try MPNetEncoder(directory: folder)
        Self.cached = encoder
        return encoder
    }

    func testConfiguration() throws {
        let encoder = try encoder()
        XCTAssertEqual(encoder.dimension, 768)
        XCTAssertEqual(encoder.tokenizer.maxLength, 384)
        XCTAssertEqual(encoder.tokenizer.clsID, 0)
        XCTAssertEqual(encoder.tokenizer.sepID, 2)
        XCTAssertEqual(encoder.tokenizer.unkID, 104)
    }

    func testTokenIDsMatchReference() throws {
        let tokenizer = try encoder().tokenizer
        for reference in try loadReference("mpnet_reference.json").cases {
            XCTAssertEqual(tokenizer.encode(reference.text), reference.inputIDs, "text: \(reference.text.prefix(60))")
        }
    }

    func testEmbeddingsMatchReference() throws {
        let encoder = try encoder()
        let cases = try loadReference("mpnet_reference.json").cases
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
        print("MPNet parity over \(cases.count) cases: max cosine deficit \(1 - worstCosine), max abs diff \(worstDiff)")
    }
}
