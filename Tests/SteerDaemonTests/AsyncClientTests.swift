// SteerAsyncClient against an in-process steerd: answers out of order reach their callers;
// deadlines, client-side timeouts, cancellation, closed connections and the in-flight window.
import Foundation
import SteerClient
import SteerDaemonTestSupport
import SteerIndex
import SteerWire
import Synchronization
import XCTest

final class AsyncClientTests: XCTestCase {
    func testAnswersThatComeOutOfOrderReachTheirOwnCallers() async throws {
        let daemon = try await TestDaemon(index: try smallIndex(), encoderDirectory: miniLMDirectory)
        let client = try SteerAsyncClient(socketPath: daemon.socketPath)
        let order = LockedEvents()
        let slow = Task {
            let r = try await client.response(.embedPrompt, payload: slowEmbedPayload(2, tag: "order"))
            order.append("slow")
            return r
        }
        try await Task.sleep(for: .milliseconds(50))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<50 {
                group.addTask {
                    let r = try await client.retrieve(RetrieveRequest(k: UInt32(1 + i % 12), queries: [RetrieveQuery(vector: [Float(i % 5) - 2, 1])]))
                    XCTAssertEqual(r.results[0].itemIDs.count, 1 + i % 12)
                    order.append("fast")
                }
            }
            try await group.waitForAll()
        }
        let embedded = try await slow.value.result(as: EmbedPromptResponse.self)
        XCTAssertEqual(embedded.dim, 384)
        XCTAssertEqual(embedded.embeddings.count, 2 * 384)
        XCTAssertEqual(order.events, Array(repeating: "fast", count: 50) + ["slow"], "the slow call sent first should be answered last")
        XCTAssertEqual(client.unmatchedResponses, 0)
        try await daemon.stop()
    }

    func testTheDeadlineTravelsInTheEnvelope() async throws {
        try await withEmbeddingSteerd { client in
            let started = ContinuousClock.now
            do {
                _ = try await client.call(.embedPrompt, try EmbedPromptRequest(decoding: slowEmbedPayload(256, tag: "deadline")), as: EmbedPromptResponse.self,
                                          deadline: .milliseconds(300))
                XCTFail("256 long prompts were embedded within 300 ms")
            } catch let error as RPCError {
                XCTAssertEqual(error.status, .deadlineExceeded, "\(error)")
            }
            XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(1_500))
            try await assertStillServes(client)
        }
    }

    func testAClientSideTimeoutFailsTheCallAndTheConnectionGoesOn() async throws {
        try await withEmbeddingSteerd { client in
            let started = ContinuousClock.now
            do {
                _ = try await client.response(.embedPrompt, payload: slowEmbedPayload(2, tag: "timeout"), deadline: nil, timeout: .milliseconds(100))
                XCTFail("answered within 100 ms")
            } catch let error as AsyncClientError {
                XCTAssertEqual(error.kind, .timedOut)
                XCTAssertTrue(error.message.contains("EmbedPrompt"), error.message)
            }
            XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(800))
            XCTAssertEqual(client.inFlight, 1, "steerd still owes the answer, which holds the slot")
            try await assertStillServes(client)
            // The late answer is dropped quietly and frees the slot.
            let waitStart = ContinuousClock.now
            while client.inFlight > 0 && ContinuousClock.now - waitStart < .seconds(60) { try await Task.sleep(for: .milliseconds(20)) }
            XCTAssertEqual(client.inFlight, 0)
            XCTAssertEqual(client.unmatchedResponses, 0)
        }
    }

    func testCancellingACallFailsOnlyThatCall() async throws {
        try await withEmbeddingSteerd { client in
            let slow = Task { try await client.response(.embedPrompt, payload: slowEmbedPayload(2, tag: "cancel")) }
            try await Task.sleep(for: .milliseconds(50))
            slow.cancel()
            do {
                _ = try await slow.value
                XCTFail("the cancelled call returned")
            } catch {
                XCTAssertTrue(error is CancellationError, "\(error)")
            }
            try await assertStillServes(client)
        }
    }

    /// Closing the client fails every waiting call at once, those sent and those waiting for a slot.
    func testClosingTheClientFailsEveryWaitingCall() async throws {
        let daemon = try await TestDaemon(encoderDirectory: miniLMDirectory)
        let client = try SteerAsyncClient(socketPath: daemon.socketPath, configuration: .init(maxInFlight: 3))
        // Each call 8 long prompts: none can finish in the moment between the check and the close.
        let calls = (0..<8).map { i in Task { try await client.response(.embedPrompt, payload: slowEmbedPayload(8, tag: "close \(i)")) } }
        for _ in 0..<2_000 where daemon.server.requestsInFlight < 3 { try await Task.sleep(for: .milliseconds(1)) }
        XCTAssertEqual(daemon.server.requestsInFlight, 3)
        XCTAssertEqual(client.inFlight, 3)
        let closed = ContinuousClock.now
        client.close()
        for call in calls {
            do {
                _ = try await call.value
                XCTFail("a call was answered after close")
            } catch let error as AsyncClientError {
                XCTAssertEqual(error.kind, .connectionClosed, error.message)
            }
        }
        XCTAssertLessThan(ContinuousClock.now - closed, .milliseconds(500))
        XCTAssertTrue(client.isClosed)
        do {
            _ = try await client.health()
            XCTFail("a closed client answered")
        } catch let error as AsyncClientError {
            XCTAssertEqual(error.kind, .connectionClosed)
        }
        try await daemon.stop()
    }

    /// steerd closes the connection after an oversized frame, with a RESOURCE_EXHAUSTED for the
    /// whole connection: every waiting call fails with it.
    func testWhenSteerdClosesTheConnectionEveryWaitingCallFails() async throws {
        // The small frame bound is for requests; the answers (4 × 384 floats) may be larger.
        let daemon = try await TestDaemon(maxFrameSize: 4_096, encoderDirectory: miniLMDirectory) { $0.maxResponseSize = 1 << 20 }
        let client = try SteerAsyncClient(socketPath: daemon.socketPath)
        let calls = (0..<4).map { i in Task { try await client.response(.embedPrompt, payload: slowEmbedPayload(4, tag: "gone \(i)", repeats: 20)) } }
        // The oversized frame goes once steerd works on all four, each 4 long prompts, far longer
        // than reading one frame: a call answered before steerd reads the oversized frame would
        // rightly succeed, so a fixed sleep made this test racy.
        var working = 0
        for _ in 0..<2_000 where working < 4 {
            working = daemon.server.requestsInFlight
            if working < 4 { try await Task.sleep(for: .milliseconds(1)) }
        }
        XCTAssertEqual(working, 4, "the four calls in flight")
        let tooLarge = Task { try await client.response(.embedPrompt, payload: slowEmbedPayload(1, tag: "huge", repeats: 200)) }
        for call in calls + [tooLarge] {
            do {
                _ = try await call.value
                XCTFail("a call was answered on a connection steerd closed")
            } catch let error as RPCError {
                XCTAssertEqual(error.status, .resourceExhausted, "\(error)")
            }
        }
        XCTAssertTrue(client.isClosed)
        try await daemon.stop()
    }

    /// The client's window keeps steerd's per-connection limit from refusing anything; without
    /// it (a window above the limit) the same burst is partly refused.
    func testTheInFlightWindowKeepsBelowSteerdsLimit() async throws {
        // 17,000 items × 64 dimensions passes the inline scoring budget: each Retrieve goes to a
        // compute thread and stays in flight (a small one is answered as it is read).
        let (items, dim) = (17_000, 64)
        let wide = try ItemIndex(embeddings: (0..<items * dim).map { Float($0 % 13) - 6 }, dimension: dim,
                                 itemCategories: Array(repeating: [], count: items), categoryCount: 0)
        let daemon = try await TestDaemon(index: wide) { $0.maxInFlightPerConnection = 4 }
        func burst(window: Int) async throws -> [StatusCode: Int] {
            let client = try SteerAsyncClient(socketPath: daemon.socketPath, configuration: .init(maxInFlight: window))
            defer { client.close() }
            return try await withThrowingTaskGroup(of: StatusCode.self) { group in
                for i in 0..<300 {
                    group.addTask {
                        try await client.response(.retrieve, payload: RetrieveRequest(k: 3, queries: [
                            RetrieveQuery(vector: (0..<dim).map { Float(($0 + i) % 7) - 3 })]).encoded()).status
                    }
                }
                var counts: [StatusCode: Int] = [:]
                for try await status in group { counts[status, default: 0] += 1 }
                return counts
            }
        }
        let windowed = try await burst(window: 4)
        XCTAssertEqual(windowed, [.ok: 300])
        let unbounded = try await burst(window: 256)
        XCTAssertGreaterThan(unbounded[.resourceExhausted] ?? 0, 0, "the limit never refused: the first burst proves nothing")
        try await daemon.stop()
    }
}

/// A fresh steerd with the MiniLM encoder (its EmbedPrompt is the slow call these tests need) and
/// one client of it: `body` runs, then steerd stops.
private func withEmbeddingSteerd(_ body: (SteerAsyncClient) async throws -> Void) async throws {
    let daemon = try await TestDaemon(encoderDirectory: miniLMDirectory)
    let client = try SteerAsyncClient(socketPath: daemon.socketPath)
    try await body(client)
    try await daemon.stop()
}

/// The connection still answers after what the test did to it: Health says steerd is live.
private func assertStillServes(_ client: SteerAsyncClient, file: StaticString = #filePath, line: UInt = #line) async throws {
    let live = try await client.health().live
    XCTAssertTrue(live, "the connection no longer serves", file: file, line: line)
}

/// `count` distinct prompts of `repeats` × 9 words: an EmbedPrompt of them takes a real while.
private func slowEmbedPayload(_ count: Int, tag: String, repeats: Int = 40) -> [UInt8] {
    EmbedPromptRequest(prompts: (0..<count).map { "\(tag) \($0): " + String(repeating: "a slow comedy with dogs and a heist at night ", count: repeats) }).encoded()
}

/// Events recorded from many tasks, in the order they happened.
private final class LockedEvents: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ event: String) { storage.withLock { $0.append(event) } }
    var events: [String] { storage.withLock { $0 } }
}
