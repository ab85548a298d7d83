// What a client sends is checked before it is served: strings with NUL or not UTF-8, unknown enum
// values and method numbers (beyond 32 bits too), and finite numbers too large to compute with
// (issue 19, rows 9 to 11). Payloads are written byte by byte, as a hostile client would.
import Foundation
import SteerClient
import SteerDaemon
import SteerDaemonTestSupport
import SteerWire
import XCTest

final class RequestValidationTests: XCTestCase {
    /// Field `number` of a message as a length-delimited field holding `bytes`.
    private func field(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] {
        precondition(bytes.count < 128)
        return [number << 3 | 2, UInt8(bytes.count)] + bytes
    }

    private func call(_ connection: SteerConnection, _ method: Method, payload: [UInt8], id: UInt64) throws -> ResponseEnvelope {
        try connection.send(RequestEnvelope(id: id, method: method, payload: payload))
        let response = try connection.receive()
        XCTAssertEqual(response.id, id)
        return response
    }

    func testStringsWithNULOrBadUTF8AreRefusedAndNothingIsDone() async throws {
        let daemon = try await TestDaemon(index: try smallIndex())
        let connection = try daemon.connect()
        // SaveSnapshot "nul\0tail.snap" used to write "nul" and answer OK.
        var response = try call(connection, .saveSnapshot, payload: field(1, Array("nul\0tail.snap".utf8)), id: 1)
        XCTAssertEqual(response.status, .invalidArgument)
        XCTAssertEqual(response.message, "steer.v1.SaveSnapshotRequest field name holds a NUL byte at byte 3 of its 13: strings must be "
            + "UTF-8 without NUL (protobuf-c would cut the string there)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: daemon.directory + "/snapshots"), ["index.snap"])
        // The plugin name that loaded SASRec, a prompt that ranked as "comedy", and a prompt that is not UTF-8.
        response = try call(connection, .loadBackbone, payload: field(1, Array("SASRec\0/../../x".utf8)), id: 2)
        XCTAssertEqual(response.status, .invalidArgument)
        XCTAssertTrue(response.message.contains("LoadBackboneRequest field name holds a NUL byte at byte 6"), response.message)
        response = try call(connection, .recommend, payload: field(1, [0x08, 0x01]) + field(2, Array("comedy\0 no horror at all".utf8)), id: 3)
        XCTAssertEqual(response.status, .invalidArgument)
        XCTAssertTrue(response.message.contains("RecommendRequest field prompt holds a NUL byte at byte 6"), response.message)
        response = try call(connection, .embedPrompt, payload: field(1, [0x63, 0x6F, 0xE9, 0x64]), id: 4)   // Latin-1 "coéd"
        XCTAssertEqual(response.status, .invalidArgument)
        XCTAssertTrue(response.message.contains("EmbedPromptRequest field prompts[0] is not valid UTF-8 (byte 2 of its 4)"), response.message)
        try await daemon.stop()
    }

    func testUnknownEnumValuesAndMethodNumbersAreNamedAsSent() async throws {
        let daemon = try await TestDaemon(index: try smallIndex())
        let connection = try daemon.connect()
        // polarity = 7 was served as unspecified.
        var response = try call(connection, .recommend, payload: field(1, [0x08, 0x01]) + field(2, Array("no horror".utf8)) + [0x18, 0x07], id: 1)
        XCTAssertEqual(response.status, .invalidArgument)
        XCTAssertEqual(response.message, "steer.v1.RecommendRequest field polarity is 7, not a value of steer.v1.Polarity "
            + "(known: 0 POLARITY_UNSPECIFIED, 1 POLARITY_POSITIVE, 2 POLARITY_NEGATIVE)")
        // Method 2^40 was reported as "method number 0"; 2^32 + 1 must not be served as Health.
        for (method, varint) in [(UInt64(1) << 40, [0x80, 0x80, 0x80, 0x80, 0x80, 0x20] as [UInt8]),
                                 (UInt64(1) << 32 | 1, [0x81, 0x80, 0x80, 0x80, 0x10])] {
            try connection.sendRaw(Framing.frame([0x08, 0x09, 0x10] + varint))
            response = try connection.receive()
            XCTAssertEqual(response.id, 9)
            XCTAssertEqual(response.status, .unimplemented)
            XCTAssertEqual(response.message, "unknown method number \(method): this steerd serves steer.v1 methods 1 to 12")
        }
        let text = try connection.call(.stats, StatsRequest(), as: StatsResponse.self).prometheusText
        XCTAssertFalse(text.contains("method=\"Health\""), "the truncated method number must not count as Health")
        try await daemon.stop()
    }

    func testRetrieveOfAFiniteQueryTooLargeToScoreIsOutOfRange() async throws {
        let daemon = try await TestDaemon(index: try smallIndex())   // items (i, 1): the largest norm is √122 ≈ 11.05
        let connection = try daemon.connect()
        // ±3e38 used to answer OK with every score +inf.
        let query = RetrieveRequest(k: 3, queries: [RetrieveQuery(vector: [1, 0]), RetrieveQuery(vector: [3e38, -3e38])])
        do {
            let r = try connection.call(.retrieve, query, as: RetrieveResponse.self)
            XCTFail("answered OK: \(r.results.map(\.scores))")
        } catch let error as RPCError {
            XCTAssertEqual(error.status, .invalidArgument)
            XCTAssertTrue(error.message.hasPrefix("input out of range: query 1 has norm 4.2426406948942856e+38 and the largest item "
                + "embedding norm is 11.045361017187261, so its scores could reach 4.686"), error.message)
        }
        // Just inside the bound (‖q‖ · 11.05 ≤ Float.max / 2) is served, every score finite.
        let large = RetrieveRequest(k: 12, queries: [RetrieveQuery(vector: [1.5e37, 0])])
        let r = try connection.call(.retrieve, large, as: RetrieveResponse.self)
        XCTAssertEqual(r.results[0].itemIDs.first, 11)
        XCTAssertTrue(r.results[0].scores.allSatisfy(\.isFinite), "\(r.results[0].scores)")
        try await daemon.stop()
    }
}
