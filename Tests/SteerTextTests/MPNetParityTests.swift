// all-mpnet-base-v2 against the sentence-transformers reference. The weights are optional
// (Scripts/fetch-mpnet, ~420 MB): absent weights skip with a message, present ones must match.
import SteerTestSupport
import XCTest
@testable import SteerText

final class MPNetParityTests: XCTestCase {
    func encoder() throws -> MPNetEncoder {
        try sharedEncoder("all-mpnet-base-v2", load: { try MPNetEncoder(directory: $0) }) {
            throw XCTSkip("all-mpnet-base-v2 not in \(steerCache().path)/models: run Scripts/fetch-mpnet to enable MPNet parity")
        }
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
        try assertTokenIDsMatchReference(encoder().tokenizer, "mpnet_reference.json")
    }

    func testEmbeddingsMatchReference() throws {
        let worst = try assertEmbeddingsMatchReference(encoder(), "mpnet_reference.json")
        print("MPNet parity over \(worst.cases) cases: max cosine deficit \(1 - worst.worstCosine), max abs diff \(worst.worstDiff)")
    }
}
