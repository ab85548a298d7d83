// RequestRows: the rows of compute work a request carries, counted on the wire bytes.
import SteerWire
import XCTest

final class RequestRowsTests: XCTestCase {
    func testCountsAgreeWithTheDecodedMessages() throws {
        let fuse = FuseRequest(dim: 2, userVectors: [1, 2, 3, 4, 5, 6], polarities: [.negative, .positive, .negative],
                               prompts: ["no horror", "a comedy", "not sad"])
        XCTAssertEqual(RequestRows.count(.fuse, payload: fuse.encoded()), 3)
        XCTAssertEqual(RequestRows.count(.route, payload: RouteRequest(prompts: ["a", "b"]).encoded()), 2)
        XCTAssertEqual(RequestRows.count(.embedPrompt, payload: EmbedPromptRequest(prompts: ["x"]).encoded()), 1)
        XCTAssertEqual(RequestRows.count(.encodeHistory, payload: EncodeHistoryRequest(histories: [[1, 2], [3], [4, 5, 6], [7]]).encoded()), 4)
        let retrieve = RetrieveRequest(k: 10, queries: (0..<5).map { RetrieveQuery(vector: [Float($0), 1]) })
        XCTAssertEqual(RequestRows.count(.retrieve, payload: retrieve.encoded()), 5)
        XCTAssertEqual(RequestRows.count(.health, payload: HealthRequest().encoded()), 0, "not counted in rows")
        XCTAssertEqual(RequestRows.count(.recommend, payload: RecommendRequest(history: [1, 2], k: 10).encoded()), 0)
        XCTAssertEqual(RequestRows.count(.fuse, payload: []), 0, "an empty message has no rows")
    }

    /// Byte by byte: a packed polarities field (tag 0x22) of three values, one a 2-byte varint
    /// (an unknown value the decoder refuses later, but still one row), and the same values unpacked (tag 0x20).
    func testPackedAndUnpackedPolaritiesByteByByte() {
        XCTAssertEqual(RequestRows.count(.fuse, payload: [0x22, 0x04, 0x01, 0x02, 0x80, 0x01]), 3)
        XCTAssertEqual(RequestRows.count(.fuse, payload: [0x20, 0x01, 0x20, 0x02, 0x20, 0x80, 0x01]), 3)
        // Other fields around it are skipped: dim = 2 (0x08 0x02), one user-vector float (0x12 0x04 …).
        XCTAssertEqual(RequestRows.count(.fuse, payload: [0x08, 0x02, 0x12, 0x04, 0, 0, 0x80, 0x3F, 0x22, 0x01, 0x01]), 1)
    }

    func testMalformedBytesCountNil() {
        XCTAssertNil(RequestRows.count(.fuse, payload: [0x22, 0x05, 0x01]), "length past the end")
        XCTAssertNil(RequestRows.count(.fuse, payload: [0x22, 0x02, 0x01, 0x80]), "a packed varint cut short")
        XCTAssertNil(RequestRows.count(.route, payload: [0x0A]), "a tag without its length")
        XCTAssertEqual(RequestRows.count(.retrieve, payload: [0x15, 0, 0, 0, 0]), 0, "queries as a fixed32: not a row (the decoder refuses it)")
        XCTAssertEqual(RequestRows.count(.route, payload: [0x08, 0x01]), 0, "prompts as a varint: not a row")
        XCTAssertNil(RequestRows.count(.encodeHistory, payload: [0x0B]), "wire type 3 (a group)")
        // Every prefix of a well-formed request either counts its complete rows or is malformed.
        let bytes = RouteRequest(prompts: ["a comedy", "no horror", "something old"]).encoded()
        for end in 0...bytes.count {
            if let rows = RequestRows.count(.route, payload: Array(bytes[..<end])) {
                XCTAssertLessThanOrEqual(rows, 3, "prefix of \(end) bytes")
            }
        }
    }
}
