// steerd on a temporary socket, spoken to by the client library: statuses, pipelining, bad input.
import Foundation
import SteerClient
import SteerDaemonTestSupport
import SteerIndex
import SteerWire
import XCTest
@testable import SteerDaemon

final class EndToEndTests: XCTestCase {
    func testHealthBeforeAndAfterAnIndexIsLoaded() async throws {
        let daemon = try await TestDaemon()
        let connection = try daemon.connect()
        var health = try connection.call(.health, HealthRequest(), as: HealthResponse.self)
        XCTAssertTrue(health.live)
        XCTAssertFalse(health.ready)
        XCTAssertEqual(health.abiMajor, 1)

        try smallIndex().write(to: daemon.directory + "/snapshots/small.snap")
        let loaded = try connection.call(.loadSnapshot, LoadSnapshotRequest(name: "small.snap"), as: LoadSnapshotResponse.self)
        XCTAssertEqual(loaded, LoadSnapshotResponse(nItems: 12, dim: 2, nCategories: 3))
        health = try connection.call(.health, HealthRequest(), as: HealthResponse.self)
        XCTAssertTrue(health.ready)
        XCTAssertEqual(health.nItems, 12)
        try await daemon.stop()
    }

    func testRetrieveWithFilters() async throws {
        let daemon = try await TestDaemon(index: try smallIndex())
        let connection = try daemon.connect()
        // Query (1, 0): score = item id, so the best items are the highest ids.
        let request = RetrieveRequest(k: 3, queries: [
            RetrieveQuery(vector: [1, 0]),
            RetrieveQuery(vector: [1, 0], excludeItems: [11, 10]),
            RetrieveQuery(vector: [1, 0], requireCategories: [0]),
            RetrieveQuery(vector: [1, 0], excludeCategories: [2, 1]),
            RetrieveQuery(vector: [0, 1]),  // all tie at 1: ascending ids
        ])
        let response = try connection.call(.retrieve, request, as: RetrieveResponse.self)
        XCTAssertEqual(response.results.map(\.itemIDs), [[11, 10, 9], [9, 8, 7], [9, 6, 3], [9, 6, 3], [0, 1, 2]])
        XCTAssertEqual(response.results[0].scores, [11, 10, 9])
        try await daemon.stop()
    }

    func testErrorsCarryPreciseStatuses() async throws {
        let daemon = try await TestDaemon(index: try smallIndex())
        let connection = try daemon.connect()
        func status(_ method: Method, _ request: some WireMessage) -> StatusCode? {
            do {
                _ = try connection.call(method, request, as: HealthResponse.self)
                return .ok
            } catch let error as RPCError {
                return error.status
            } catch {
                XCTFail("\(error)")
                return nil
            }
        }
        XCTAssertEqual(status(.retrieve, RetrieveRequest(k: 3, queries: [RetrieveQuery(vector: [1, 0, 0])])), .invalidArgument)
        XCTAssertEqual(status(.retrieve, RetrieveRequest(k: 3, queries: [RetrieveQuery(vector: [1, 0], excludeItems: [12])])), .invalidArgument)
        XCTAssertEqual(status(.retrieve, RetrieveRequest(k: 3, queries: [RetrieveQuery(vector: [1, 0], requireCategories: [3])])), .invalidArgument)
        XCTAssertEqual(status(.retrieve, RetrieveRequest(k: 0, queries: [RetrieveQuery(vector: [1, 0])])), .invalidArgument)
        XCTAssertEqual(status(.retrieve, RetrieveRequest(k: 3, queries: [])), .invalidArgument)
        XCTAssertEqual(status(.embedPrompt, EmbedPromptRequest(prompts: ["a comedy"])), .failedPrecondition)  // no encoder configured
        XCTAssertEqual(status(.recommend, HealthRequest()), .failedPrecondition)  // no backbone loaded
        XCTAssertEqual(status(.encodeHistory, EncodeHistoryRequest(histories: [[1]])), .failedPrecondition)
        XCTAssertEqual(status(.loadSnapshot, LoadSnapshotRequest(name: "../etc/passwd")), .invalidArgument)
        XCTAssertEqual(status(.loadSnapshot, LoadSnapshotRequest(name: ".hidden")), .invalidArgument)
        XCTAssertEqual(status(.loadSnapshot, LoadSnapshotRequest(name: "absent.snap")), .notFound)
        XCTAssertEqual(status(.loadBackbone, LoadBackboneRequest(name: "../x")), .invalidArgument)
        XCTAssertEqual(status(.loadBackbone, LoadBackboneRequest(name: "Absent")), .notFound)

        // A corrupt snapshot is refused with DATA_LOSS and the index in use stays.
        try Data([1, 2, 3, 4, 5]).write(to: URL(fileURLWithPath: daemon.directory + "/snapshots/corrupt.snap"))
        XCTAssertEqual(status(.loadSnapshot, LoadSnapshotRequest(name: "corrupt.snap")), .dataLoss)
        XCTAssertEqual(try connection.call(.health, HealthRequest(), as: HealthResponse.self).nItems, 12)

        // An unknown method number, and an undecodable payload for a known one.
        try connection.send(RequestEnvelope(id: 77, methodNumber: 4242))
        var response = try connection.receive()
        XCTAssertEqual(response.id, 77)
        XCTAssertEqual(response.status, .unimplemented)
        try connection.send(RequestEnvelope(id: 78, method: .retrieve, payload: [0x12, 0x05, 0x0A]))
        response = try connection.receive()
        XCTAssertEqual(response.id, 78)
        XCTAssertEqual(response.status, .invalidArgument)

        // A deadline already past.
        try connection.send(RequestEnvelope(id: 79, method: .health, deadlineUnixMicros: 1))
        response = try connection.receive()
        XCTAssertEqual(response.status, .deadlineExceeded)
        try await daemon.stop()
    }

    func testUndecodableEnvelopeKeepsTheConnection() async throws {
        let daemon = try await TestDaemon()
        let connection = try daemon.connect()
        try connection.sendRaw(Framing.frame([0x0A, 0xFF, 0xFF, 0x01]))
        let refusal = try connection.receive()
        XCTAssertEqual(refusal.status, .invalidArgument)
        XCTAssertEqual(refusal.id, 0)
        XCTAssertTrue(try connection.call(.health, HealthRequest(), as: HealthResponse.self).live)
        try await daemon.stop()
    }

    func testOversizedFrameIsAnsweredAndTheConnectionClosed() async throws {
        let daemon = try await TestDaemon(maxFrameSize: 1024)
        let connection = try daemon.connect()
        try connection.sendRaw([0x00, 0x00, 0x04, 0x01])  // 1025 bytes announced, none sent
        let refusal = try connection.receive()
        XCTAssertEqual(refusal.status, .resourceExhausted)
        XCTAssertTrue(refusal.message.contains("1025"), refusal.message)
        XCTAssertThrowsError(try connection.receive())  // closed
        // The daemon keeps serving others.
        XCTAssertTrue(try daemon.connect().call(.health, HealthRequest(), as: HealthResponse.self).live)
        try await daemon.stop()
    }

    func testManyRequestsInFlightAreAllAnsweredAndMatchedByID() async throws {
        let daemon = try await TestDaemon(index: try smallIndex())
        let connection = try daemon.connect()
        var expected: [UInt64: [UInt32]] = [:]
        for i in 0..<200 {
            let id = UInt64(1000 + i)
            if i % 2 == 0 {
                let exclude = UInt32(i % 12)
                try connection.send(RequestEnvelope(id: id, method: .retrieve, payload: RetrieveRequest(
                    k: 1, queries: [RetrieveQuery(vector: [1, 0], excludeItems: [11, exclude])]).encoded()))
                expected[id] = [exclude == 10 ? 9 : 10]
            } else {
                try connection.send(RequestEnvelope(id: id, method: .health))
                expected[id] = []
            }
        }
        var seen = Set<UInt64>()
        for _ in 0..<200 {
            let response = try connection.receive()
            XCTAssertEqual(response.status, .ok, response.message)
            XCTAssertTrue(seen.insert(response.id).inserted, "duplicate response \(response.id)")
            if let items = expected[response.id], !items.isEmpty {
                XCTAssertEqual(try RetrieveResponse(decoding: response.payload).results[0].itemIDs, items)
            }
        }
        XCTAssertEqual(seen, Set(expected.keys))
        let stats = try connection.call(.stats, StatsRequest(), as: StatsResponse.self)
        XCTAssertGreaterThanOrEqual(stats.requestsTotal, 200)
        XCTAssertTrue(stats.prometheusText.contains("steer_requests_total{method=\"Retrieve\",status=\"OK\"} 100"), stats.prometheusText)
        try await daemon.stop()
    }

    func testSaveThenLoadSnapshotAndGracefulShutdownRemovesTheSocket() async throws {
        let daemon = try await TestDaemon(index: try smallIndex(count: 30))
        let connection = try daemon.connect()
        let saved = try connection.call(.saveSnapshot, SaveSnapshotRequest(name: "copy.snap"), as: SaveSnapshotResponse.self)
        XCTAssertGreaterThan(saved.bytes, 0)
        let loaded = try connection.call(.loadSnapshot, LoadSnapshotRequest(name: "copy.snap"), as: LoadSnapshotResponse.self)
        XCTAssertEqual(loaded.nItems, 30)
        XCTAssertTrue(FileManager.default.fileExists(atPath: daemon.socketPath))
        let socketPath = daemon.socketPath
        try await daemon.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: socketPath))
    }
}
