// Round trips of envelopes and messages through protobuf-c, and refusal of garbage.
import XCTest
@testable import SteerWire

final class EnvelopeTests: XCTestCase {
    func testRequestEnvelopeRoundTrip() throws {
        let request = RequestEnvelope(id: 0xDEAD_BEEF_0000_0001, method: .retrieve, deadlineUnixMicros: 1_700_000_000_000_000,
                                      payload: [0, 1, 2, 255])
        XCTAssertEqual(try RequestEnvelope(decoding: request.encoded()), request)
        XCTAssertEqual(try RequestEnvelope(decoding: request.encoded()).method, .retrieve)
    }

    func testUnknownMethodNumberSurvivesDecoding() throws {
        let request = RequestEnvelope(id: 9, methodNumber: 999)
        let decoded = try RequestEnvelope(decoding: request.encoded())
        XCTAssertEqual(decoded.methodNumber, 999)
        XCTAssertNil(decoded.method)
    }

    func testEmptyEnvelopeDecodesToDefaults() throws {
        let decoded = try RequestEnvelope(decoding: [])
        XCTAssertEqual(decoded, RequestEnvelope(id: 0, methodNumber: 0))
    }

    func testResponseEnvelopeRoundTripAndResult() throws {
        let ok = ResponseEnvelope.ok(id: 7, HealthResponse())
        XCTAssertEqual(try ResponseEnvelope(decoding: ok.encoded()), ok)
        XCTAssertNoThrow(try ok.result(as: HealthResponse.self))

        let failed = ResponseEnvelope.failure(id: 8, RPCError(.notFound, "no such thing"))
        let decoded = try ResponseEnvelope(decoding: failed.encoded())
        XCTAssertEqual(decoded.status, .notFound)
        XCTAssertEqual(decoded.message, "no such thing")
        XCTAssertThrowsError(try decoded.result(as: HealthResponse.self)) { error in
            XCTAssertEqual(error as? RPCError, RPCError(.notFound, "no such thing"))
        }
    }

    func testGarbageIsInvalidArgumentNamingTheType() {
        // Field 1 declared as a length-delimited field running past the end.
        let garbage: [UInt8] = [0x0A, 0xFF, 0xFF, 0x01, 0x00]
        XCTAssertThrowsError(try RequestEnvelope(decoding: garbage)) { error in
            let rpc = error as? RPCError
            XCTAssertEqual(rpc?.status, .invalidArgument)
            XCTAssertTrue(rpc?.message.contains("steer.v1.Request") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try RetrieveRequest(decoding: [0x12, 0x05, 0x0A]))
    }

    func testEveryTruncationOfAValidMessageIsRefusedOrParsedWithoutCrashing() throws {
        let bytes = RetrieveRequest(k: 5, queries: [RetrieveQuery(vector: [1, 2, 3], excludeItems: [4, 5],
                                                                   requireCategories: [1], excludeCategories: [2])]).encoded()
        var refused = 0
        for cut in 0..<bytes.count {
            if (try? RetrieveRequest(decoding: Array(bytes[0..<cut]))) == nil { refused += 1 }
        }
        // Cuts inside the nested query always break it; a cut right after a field can parse.
        XCTAssertGreaterThan(refused, bytes.count / 2)
    }

    func testStatusCodesMatchGRPCNumbers() {
        XCTAssertEqual(StatusCode.invalidArgument.rawValue, 3)
        XCTAssertEqual(StatusCode.resourceExhausted.rawValue, 8)
        XCTAssertEqual(StatusCode.unimplemented.rawValue, 12)
        XCTAssertEqual(StatusCode.dataLoss.rawValue, 15)
        XCTAssertEqual(StatusCode.allCases.count, 17)
        XCTAssertEqual("\(StatusCode.deadlineExceeded)", "DEADLINE_EXCEEDED")
    }

    /// The names are tables indexed by raw value: a case added out of step with its table would
    /// take another case's name (or trap), so every name is checked against its case.
    func testEveryStatusAndMethodHasItsOwnName() {
        XCTAssertEqual(StatusCode.allCases.map(\.description).last, "UNAUTHENTICATED")
        XCTAssertEqual("\(StatusCode.ok) \(StatusCode.unavailable)", "OK UNAVAILABLE")
        XCTAssertEqual(Set(StatusCode.allCases.map(\.description)).count, StatusCode.allCases.count)
        XCTAssertEqual(Method.allCases.map(\.description), ["Health", "EmbedPrompt", "Route", "EncodeHistory", "Fuse", "Retrieve",
                                                            "Recommend", "ListBackbones", "LoadBackbone", "SaveSnapshot",
                                                            "LoadSnapshot", "Stats"])
        XCTAssertEqual(Method.allCases.map(\.rawValue), Array(1...UInt32(Method.allCases.count)))
    }
}
