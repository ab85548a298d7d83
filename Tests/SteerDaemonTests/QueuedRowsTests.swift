// The per-connection bound on queued compute work, counted in rows (queries, prompts, histories).
import Foundation
import SteerClient
@testable import SteerDaemon
import SteerDaemonTestSupport
import SteerIndex
import SteerWire
import XCTest

final class QueuedRowsTests: XCTestCase {
    private func retrieve(queries: Int) -> RetrieveRequest {
        RetrieveRequest(k: 10, queries: (0..<queries).map { RetrieveQuery(vector: [Float($0 % 5) - 2, 1]) })
    }

    /// Over the socket: a request larger than the connection's quota is refused with the flag to
    /// raise it, the connection serves on, and rows are given back after every answer.
    func testARequestPastTheQuotaIsRefusedAndTheConnectionServesOn() async throws {
        let daemon = try await TestDaemon(index: try smallIndex(count: 500)) { $0.maxQueuedRowsPerConnection = 8 }
        let connection = try daemon.connect()
        assertRPCError(try connection.call(.retrieve, retrieve(queries: 9), as: RetrieveResponse.self), .resourceExhausted,
                        mentioning: ["Retrieve with 9 rows", "can never be served", "--max-queued-rows-per-connection"])
        XCTAssertEqual(daemon.server.stats.refusedInFlight(.connectionRows), 1)
        for _ in 0..<3 {
            XCTAssertEqual(try connection.call(.retrieve, retrieve(queries: 8), as: RetrieveResponse.self).results.count, 8)
        }
        try await daemon.stop()
    }

    /// Pipelined requests that together pass the quota: each is answered (served, or refused for
    /// the rows in flight), and once all are answered the whole quota is free again.
    func testPipelinedRequestsGiveTheirRowsBack() async throws {
        // 6 queries × 100,000 items × 2 dimensions passes the inline scoring budget: each Retrieve
        // goes to a compute thread, so its rows stay in flight while the next frames are read.
        let daemon = try await TestDaemon(index: try smallIndex(count: 100_000)) { $0.maxQueuedRowsPerConnection = 8 }
        let connection = try daemon.connect()
        let payload = retrieve(queries: 6).encoded()
        for id in 1...20 { try connection.send(RequestEnvelope(id: UInt64(id), method: .retrieve, payload: payload)) }
        var served = 0, refused = 0
        for _ in 1...20 {
            let response = try connection.receive()
            switch response.status {
            case .ok: served += 1
            case .resourceExhausted:
                refused += 1
                XCTAssertTrue(response.message.contains("in flight"), response.message)
            default: XCTFail("\(response.status): \(response.message)")
            }
        }
        XCTAssertEqual(served + refused, 20)
        XCTAssertGreaterThan(served, 0)
        print("20 pipelined Retrieve of 6 rows with a quota of 8: \(served) served, \(refused) refused")
        XCTAssertEqual(try connection.call(.retrieve, retrieve(queries: 8), as: RetrieveResponse.self).results.count, 8,
                       "every row given back")
        try await daemon.stop()
    }
}
