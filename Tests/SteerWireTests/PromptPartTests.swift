// The prompt parts of Route and Recommend (fields added to existing messages): round trips, their
// bytes, and that a message without parts still encodes to the bytes it always had.
import XCTest
@testable import SteerWire

final class PromptPartTests: XCTestCase {
    private let comedy = PromptPart(text: "a comedy", polarity: .positive, confidence: 0.96, steered: true)
    private let romance = PromptPart(text: "but please no romance", polarity: .negative, confidence: 0.6, steered: false)

    func roundTrip<M: WireMessage & Equatable>(_ message: M, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try M(decoding: message.encoded()), message, file: file, line: line)
    }

    func testRoundTrips() {
        roundTrip(RouteResponse(results: [RouteResult(polarity: .positive, confidence: 0.96, parts: [comedy, romance]),
                                          RouteResult(polarity: .negative, confidence: 0.98, parts: [])]))
        roundTrip(RecommendRequest(history: [1, 2], k: 4, parts: [comedy, romance, PromptPart(text: "Ünïcødé 映画", polarity: .negative)]))
        roundTrip(RecommendResponse(itemIDs: [3], scores: [1.5], polarity: .positive, routeConfidence: 0.96, titles: ["T"],
                                    categories: ["c"], parts: [comedy, romance]))
    }

    /// text = "ab" (0x0A), polarity (0x10), confidence as fixed32 (0x1D), steered (0x20).
    private let negativePartBytes: [UInt8] = [
        0x0A, 0x02, 0x61, 0x62,                                      // text = "ab"
        0x10, 0x02,                                                  // polarity = NEGATIVE
        0x1D, 0x00, 0x00, 0x00, 0x3F,                                // confidence = 0.5 (fixed32)
        0x20, 0x01,                                                  // steered = true
    ]

    func testRecommendRequestPartsBytes() throws {
        let request = RecommendRequest(history: [1], k: 3, parts: [PromptPart(text: "ab", polarity: .negative, confidence: 0.5)])
        let expected: [UInt8] = [
            0x0A, 0x03, 0x0A, 0x01, 0x01,                            // history { item_ids, packed: 1 }
            0x20, 0x03,                                              // k = 3
            0x32, 0x0D,                                              // parts (field 6), 13 bytes:
        ] + negativePartBytes
        XCTAssertEqual(request.encoded(), expected)
        XCTAssertEqual(try RecommendRequest(decoding: expected), request)
    }

    func testRecommendResponsePartsBytes() throws {
        // A part that did not steer: steered = false and the default polarity are left out, like every default.
        let response = RecommendResponse(itemIDs: [7], scores: [], parts: [PromptPart(text: "ab", polarity: .negative, confidence: 0.5),
                                                                         PromptPart(text: "c", polarity: .unspecified, confidence: 0, steered: false)])
        let expected: [UInt8] = [
            0x0A, 0x01, 0x07,                                        // item_ids, packed: 7
            0x3A, 0x0D,                                              // parts (field 7), 13 bytes:
        ] + negativePartBytes + [
            0x3A, 0x03, 0x0A, 0x01, 0x63,                            // parts: { text = "c" }
        ]
        XCTAssertEqual(response.encoded(), expected)
        XCTAssertEqual(try RecommendResponse(decoding: expected), response)
    }

    func testDroppedCategoriesBytes() throws {
        // RecommendRequest.drop_refused_categories is field 7 (varint); PromptPart.dropped_categories field 5 (strings).
        // Bytes are the contract here, so they are compared exactly (the one float, 0.5, is exact in fixed32).
        let request = RecommendRequest(history: [1], k: 3, dropRefusedCategories: true)
        let requestBytes: [UInt8] = [0x0A, 0x03, 0x0A, 0x01, 0x01, 0x20, 0x03, 0x38, 0x01]
        XCTAssertEqual(request.encoded(), requestBytes)
        XCTAssertEqual(try RecommendRequest(decoding: requestBytes), request)

        let response = RecommendResponse(itemIDs: [7], scores: [], parts: [
            PromptPart(text: "ab", polarity: .negative, confidence: 0.5, droppedCategories: ["Horror", "War"]),
        ])
        let responseBytes: [UInt8] = [
            0x0A, 0x01, 0x07,                                        // item_ids, packed: 7
            0x3A, 0x1A,                                              // parts (field 7), 26 bytes:
        ] + negativePartBytes + [
            0x2A, 0x06, 0x48, 0x6F, 0x72, 0x72, 0x6F, 0x72,          //   dropped_categories = "Horror"
            0x2A, 0x03, 0x57, 0x61, 0x72,                            //   dropped_categories = "War"
        ]
        XCTAssertEqual(response.encoded(), responseBytes)
        XCTAssertEqual(try RecommendResponse(decoding: responseBytes), response)
        roundTrip(RecommendRequest(history: [4], prompt: "a comedy, no romance", k: 2, dropRefusedCategories: true))
    }

    func testRouteResultPartsBytes() throws {
        let response = RouteResponse(results: [RouteResult(polarity: .positive, confidence: 1,
                                                           parts: [PromptPart(text: "ab", polarity: .negative, confidence: 0.5)])])
        let expected: [UInt8] = [
            0x0A, 0x16,                                              // results (field 1), 22 bytes:
            0x08, 0x01,                                              //   polarity = POSITIVE
            0x15, 0x00, 0x00, 0x80, 0x3F,                            //   confidence = 1.0 (fixed32)
            0x1A, 0x0D,                                              //   parts (field 3), 13 bytes:
        ] + negativePartBytes
        XCTAssertEqual(response.encoded(), expected)
        XCTAssertEqual(try RouteResponse(decoding: expected), response)
    }

    func testMessagesWithoutPartsKeepTheirBytes() {
        // The bytes of MessageTests.testRecommendRequestBytes: an older peer sees no difference.
        XCTAssertEqual(RecommendRequest(history: [3, 300], prompt: "no", polarity: .positive, k: 5, includeHistory: true).encoded(), [
            0x0A, 0x05, 0x0A, 0x03, 0x03, 0xAC, 0x02, 0x12, 0x02, 0x6E, 0x6F, 0x18, 0x01, 0x20, 0x05, 0x28, 0x01,
        ])
        XCTAssertEqual(RouteResponse(results: [RouteResult(polarity: .negative, confidence: 0.5)]).encoded(),
                       [0x0A, 0x07, 0x08, 0x02, 0x15, 0x00, 0x00, 0x00, 0x3F])
    }

    func testPartsAreCheckedLikeEveryField() {
        // An unknown polarity number in a request's part is refused, named by its path; in a response it reads as unspecified.
        XCTAssertThrowsError(try RecommendRequest(decoding: [0x32, 0x02, 0x10, 0x09])) { error in
            XCTAssertTrue("\(error)".contains("parts[0].polarity"), "\(error)")
        }
        XCTAssertEqual(try RecommendResponse(decoding: [0x3A, 0x02, 0x10, 0x09]).parts.map(\.polarity), [.unspecified])
        XCTAssertEqual(try RouteResponse(decoding: [0x0A, 0x04, 0x1A, 0x02, 0x10, 0x09]).results[0].parts.map(\.polarity), [.unspecified])
        // A part's text must be UTF-8 without NUL.
        XCTAssertThrowsError(try RecommendRequest(decoding: [0x32, 0x03, 0x0A, 0x01, 0x00])) { error in
            XCTAssertTrue("\(error)".contains("parts[0].text"), "\(error)")
        }
    }
}
