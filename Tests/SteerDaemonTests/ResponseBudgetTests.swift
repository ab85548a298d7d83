// The response-size bound: requests whose answer would exceed it are refused RESOURCE_EXHAUSTED,
// before the work when the request states the answer's size, and after encoding otherwise.
import Foundation
import SteerClient
import SteerDaemon
import SteerTransport
import SteerDaemonTestSupport
import SteerIndex
import SteerWire
import XCTest

final class ResponseBudgetTests: XCTestCase {
    /// 2,000 items of dimension 2: ids need two varint bytes, as in MovieLens-1M.
    private func index() throws -> ItemIndex { try smallIndex(count: 2_000) }

    private func retrieve(queries: Int, k: UInt32) -> RetrieveRequest {
        RetrieveRequest(k: k, queries: (0..<queries).map { RetrieveQuery(vector: [Float($0 % 7) - 3, 1]) })
    }

    /// Retrieve: 100 queries × k = 1,000 from a 4-byte-per-query request would answer some 600 KB;
    /// with a 64 KiB bound it is refused, and a request whose answer fits is served within the bound.
    func testRetrieveBeyondTheBoundIsRefusedAndOneWithinItIsServed() async throws {
        let limit = 64 << 10
        let daemon = try await TestDaemon(index: try index(), maxFrameSize: limit)
        let connection = try daemon.connect()
        assertRPCError(try connection.call(.retrieve, retrieve(queries: 100, k: 1_000), as: RetrieveResponse.self), .resourceExhausted,
                      mentioning: ["100 queries × 1000 items", "\(limit)-byte response limit", "--max-response-size"])
        // k beyond the index's 2,000 items counts as 2,000: 3 × 2,000 × 6 bytes ≈ 36 KB fits.
        try connection.send(RequestEnvelope(id: 7, method: .retrieve, payload: retrieve(queries: 3, k: 10_000).encoded()))
        let response = try connection.receive()
        XCTAssertEqual(response.status, .ok, response.message)
        XCTAssertLessThanOrEqual(response.encoded().count, limit, "the response envelope within the bound")
        XCTAssertEqual(try RetrieveResponse(decoding: response.payload).results.map(\.itemIDs.count), [2_000, 2_000, 2_000])
        XCTAssertEqual(daemon.server.stats.oversizedResponses, 1)
        try await daemon.stop()
    }

    /// A client that sends requests and never reads the answers is closed once more than the
    /// unread limit (16 MiB here) is queued for it, instead of steerd holding every answer.
    func testAClientThatNeverReadsIsClosedPastTheUnreadLimit() async throws {
        let daemon = try await TestDaemon(index: try index())
        XCTAssertEqual(ResponseBudget(maxBytes: 4 << 20).unreadLimit, 16 << 20)
        let silent = try daemon.connect()
        // 40 answers of some 1.2 MB each (100 queries × 2,000 items), 48 MB in all.
        for id in 1...40 { try silent.send(RequestEnvelope(id: UInt64(id), method: .retrieve, payload: retrieve(queries: 100, k: 2_000).encoded())) }
        try await waitUntil { daemon.server.stats.unreadCloses == 1 }
        XCTAssertEqual(daemon.server.stats.unreadCloses, 1, "the connection that does not read was closed")
        var answered = 0
        do {
            while true { _ = try silent.receive(); answered += 1 }
        } catch {
            // A reset when steerd closed with some of the 40 requests still unread on its side
            // (these small Retrieves are answered as they are read, so that is the usual case).
            XCTAssertTrue("\(error)".contains("closed the connection") || "\(error)".contains("Connection reset by peer"), "\(error)")
        }
        XCTAssertLessThan(answered, 40, "some answers were dropped with the connection")
        XCTAssertTrue(try daemon.connect().call(.health, HealthRequest(), as: HealthResponse.self).live)
        try await daemon.stop()
    }

    private func waitUntil(_ condition: () -> Bool, seconds: Double = 60) async throws {
        let limit = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !condition(), ContinuousClock.now < limit { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// However large the bound, one Retrieve returns at most `maxRetrieveResults` scored items.
    func testRetrieveResultsAreCappedWhateverTheBound() async throws {
        let daemon = try await TestDaemon(index: try index(), maxFrameSize: 1 << 30)
        let connection = try daemon.connect()
        // 4,096 × 2,000 = 8.2 M results (some 49 MB of answer, under the 1 GiB bound).
        assertRPCError(try connection.call(.retrieve, retrieve(queries: 4_096, k: 2_000), as: RetrieveResponse.self), .resourceExhausted,
                      mentioning: ["8192000 scored items", "at most \(ResponseBudget.maxRetrieveResults)"])
        // Requests outside Retrieve's own limits still get its precise INVALID_ARGUMENT.
        XCTAssertThrowsError(try connection.call(.retrieve, retrieve(queries: 2, k: 0), as: RetrieveResponse.self)) {
            XCTAssertEqual(($0 as? RPCError)?.status, .invalidArgument)
        }
        try await daemon.stop()
    }

    /// A response whose size is not known beforehand (Stats' Prometheus text) is measured once
    /// encoded and replaced by RESOURCE_EXHAUSTED; small ones (Health) go out.
    func testAnEncodedResponseOverTheBoundIsReplaced() async throws {
        let daemon = try await TestDaemon { $0.maxResponseSize = 256 }
        let connection = try daemon.connect()
        XCTAssertTrue(try connection.call(.health, HealthRequest(), as: HealthResponse.self).live)
        assertRPCError(try connection.call(.stats, StatsRequest(), as: StatsResponse.self), .resourceExhausted,
                      mentioning: ["the Stats response came to", "256-byte response limit"])
        XCTAssertTrue(try connection.call(.health, HealthRequest(), as: HealthResponse.self).live, "the connection stays open")
        try await daemon.stop()
    }

    /// EncodeHistory: histories × dim known from the request; refused before the backbone runs.
    func testEncodeHistoryBeyondTheBoundIsRefused() async throws {
        let fixture = SteeringFixture()
        let daemon = try await TestDaemon(pluginDirectory: try MeanPoolPlugin.directory.get()) { $0.maxResponseSize = 8 << 10 }
        try fixture.writeCheckpoint(to: daemon.directory + "/snapshots/a.snap", headArchive: nil)
        let connection = try daemon.connect()
        _ = try connection.call(.loadBackbone, LoadBackboneRequest(name: "MeanPool", checkpoint: "a.snap"), as: LoadBackboneResponse.self)
        // 300 × 8 floats = 9.6 KB > 8 KiB; 100 × 8 = 3.2 KB fits.
        assertRPCError(try connection.call(.encodeHistory, EncodeHistoryRequest(histories: Array(repeating: [1, 2], count: 300)),
                                          as: EncodeHistoryResponse.self), .resourceExhausted,
                      mentioning: ["EncodeHistory of 300 histories", "send fewer histories"])
        let served = try connection.call(.encodeHistory, EncodeHistoryRequest(histories: Array(repeating: [1, 2], count: 100)),
                                         as: EncodeHistoryResponse.self)
        XCTAssertEqual(served.userVectors.count, 100 * SteeringFixture.dim)
        try await daemon.stop()
    }

    /// EmbedPrompt: prompts × encoder dim known from the request; refused before any prompt is
    /// embedded (the prompt cache stays empty).
    func testEmbedPromptBeyondTheBoundIsRefusedBeforeEmbedding() async throws {
        let daemon = try await TestDaemon(encoderDirectory: miniLMDirectory) { $0.maxResponseSize = 64 << 10 }
        let connection = try daemon.connect()
        // 64 × 384 floats ≈ 98 KB > 64 KiB.
        let prompts = (0..<64).map { "a comedy number \($0)" }
        assertRPCError(try connection.call(.embedPrompt, EmbedPromptRequest(prompts: prompts), as: EmbedPromptResponse.self), .resourceExhausted,
                      mentioning: ["EmbedPrompt of 64 prompts of dim 384", "send fewer prompts"])
        let text = try connection.call(.stats, StatsRequest(), as: StatsResponse.self).prometheusText
        let line = text.split(separator: "\n").first { $0.hasPrefix("steer_prompt_cache_bytes ") }
        XCTAssertEqual(line.flatMap { Double($0.split(separator: " ").last ?? "") }, 0, "a prompt was embedded: \(line ?? "no cache line")")
        XCTAssertEqual(try connection.call(.embedPrompt, EmbedPromptRequest(prompts: Array(prompts.prefix(8))),
                                           as: EmbedPromptResponse.self).embeddings.count, 8 * 384)
        try await daemon.stop()
    }
}
