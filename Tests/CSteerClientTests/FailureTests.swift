// Everything that can go wrong on the wire comes back from the C client as a value: a daemon that
// closes, a receive or call that times out, and (from a scripted peer) garbage, oversized lengths,
// frames cut short or arriving a byte at a time.
import CSteerClient
import CSteerProto
import Foundation
import SteerDaemonTestSupport
import SteerWire
import XCTest

final class FailureTests: XCTestCase {
    private func code(_ body: () throws -> Any) -> steer_result? { error(body)?.code }

    private func error(_ body: () throws -> Any) -> CClientError? {
        do { _ = try body(); XCTFail("expected an error"); return nil }
        catch let error as CClientError { return error }
        catch { XCTFail("\(error)"); return nil }
    }

    /// Runs `body`, which must fail with STEER_ERR_TIMEOUT no sooner than `atLeast` seconds and
    /// well within 3 (a timeout that did not fire would wait far longer).
    private func assertTimesOut(notBefore atLeast: TimeInterval, file: StaticString = #filePath, line: UInt = #line,
                                _ body: () throws -> Any) {
        let start = Date()
        let e = error(body)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(e?.code, STEER_ERR_TIMEOUT, file: file, line: line)
        XCTAssertGreaterThanOrEqual(elapsed, atLeast, file: file, line: line)
        XCTAssertLessThan(elapsed, 3, file: file, line: line)
    }

    // MARK: A real steerd

    func testAReceiveTimeoutFiresAndTheConnectionStaysUsable() async throws {
        let daemon = try await TestDaemon(index: smallIndex())
        let client = try CClient(socketPath: daemon.socketPath)
        assertTimesOut(notBefore: 0.14) { try client.receive(timeoutMs: 150) }
        XCTAssertEqual(code { try client.receive(timeoutMs: 0) }, STEER_ERR_TIMEOUT)
        XCTAssertTrue(try client.health().live)
        try await daemon.stop()
    }

    func testADaemonThatShutsDownIsAClosedConnection() async throws {
        let daemon = try await TestDaemon(index: smallIndex())
        let client = try CClient(socketPath: daemon.socketPath)
        XCTAssertTrue(try client.health().live)
        try await daemon.stop()
        let e = error { try client.receive(timeoutMs: 5_000) }
        XCTAssertEqual(e?.code, STEER_ERR_CLOSED)
        XCTAssertTrue(e?.message.contains("closed the connection") == true, e?.message ?? "")
        // From then on every call says so, without touching the socket.
        let later = error { try client.health() }
        XCTAssertEqual(later?.code, STEER_ERR_BROKEN)
        XCTAssertTrue(later?.message.contains("closed the connection") == true, later?.message ?? "")
        XCTAssertEqual(code { try client.send(.health, id: 9, HealthRequest()) }, STEER_ERR_BROKEN)
    }

    /// steerd answers an oversized request frame with RESOURCE_EXHAUSTED on id 0, then hangs up.
    func testAnOversizedRequestGetsTheDaemonsStatusThenAClosedConnection() async throws {
        let daemon = try await TestDaemon(index: smallIndex(), maxFrameSize: 1_024)
        let client = try CClient(socketPath: daemon.socketPath)
        try client.send(.health, id: client.nextID(), payload: [UInt8](repeating: 0, count: 2_000))
        let response = try client.receive()
        XCTAssertEqual(response.id, 0)
        XCTAssertEqual(response.status, StatusCode.resourceExhausted.rawValue)
        XCTAssertTrue(response.message.contains("exceeds the maximum frame size"), response.message)
        XCTAssertEqual(code { try client.receive(timeoutMs: 5_000) }, STEER_ERR_CLOSED)
        try await daemon.stop()
    }

    /// A blocking call's oversized request: the connection-level answer (id 0) is the call's error.
    func testABlockingCallReportsTheConnectionLevelStatus() async throws {
        let daemon = try await TestDaemon(index: smallIndex(), maxFrameSize: 64)
        let client = try CClient(socketPath: daemon.socketPath)
        let e = error { try client.recommend(RecommendRequest(history: Array(0..<200), k: 3)) }
        XCTAssertEqual(e?.code, STEER_ERR_STATUS)
        XCTAssertEqual(e?.statusName, "RESOURCE_EXHAUSTED")
        try await daemon.stop()
    }

    // MARK: A scripted peer

    private func connectedPeer() throws -> (ScriptedPeer, CClient) {
        let peer = try ScriptedPeer()
        let client = try CClient(socketPath: peer.path)
        peer.accept()
        return (peer, client)
    }

    private let ok = ResponseEnvelope.ok(id: 7, HealthResponse())

    func testAnOversizedLengthIsAnErrorAndEndsTheStream() throws {
        let (peer, client) = try connectedPeer()
        peer.write([0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3])
        let e = error { try client.receive(timeoutMs: 2_000) }
        XCTAssertEqual(e?.code, STEER_ERR_FRAME_TOO_LARGE)
        XCTAssertTrue(e?.message.contains("4294967295 bytes") == true, e?.message ?? "")
        XCTAssertEqual(code { try client.receive(timeoutMs: 100) }, STEER_ERR_BROKEN)

        // The limit is the client's own: one byte over it is refused, exactly at it is read.
        let (peer2, client2) = try connectedPeer()
        let body = ok.encoded()
        var error = steer_error()
        XCTAssertEqual(steer_client_set_max_frame_size(client2.handle, body.count, &error), STEER_OK)
        peer2.write(frame(ok))
        XCTAssertEqual(try client2.receive(timeoutMs: 2_000).id, 7)
        XCTAssertEqual(steer_client_set_max_frame_size(client2.handle, body.count - 1, &error), STEER_OK)
        peer2.write(frame(ok))
        XCTAssertEqual(code { try client2.receive(timeoutMs: 2_000) }, STEER_ERR_FRAME_TOO_LARGE)
    }

    func testGarbageInAWholeFrameIsADecodeErrorAndTheNextFrameStillReads() throws {
        let (peer, client) = try connectedPeer()
        peer.write([0, 0, 0, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + frame(ok))
        XCTAssertEqual(code { try client.receive(timeoutMs: 2_000) }, STEER_ERR_DECODE)
        XCTAssertEqual(try client.receive(timeoutMs: 2_000).id, 7)
        // An OK status whose payload is not the method's response, in a blocking call.
        peer.write(frame(ResponseEnvelope(id: 1, status: .ok, payload: [0xFF, 0xFF])))
        let e = error { try client.health(timeoutMs: 2_000) }
        XCTAssertEqual(e?.code, STEER_ERR_DECODE)
        XCTAssertTrue(e?.message.contains("steer.v1.HealthResponse") == true, e?.message ?? "")
        // Empty frames are valid (all-default) envelopes: id 0, status OK.
        peer.write([0, 0, 0, 0])
        XCTAssertEqual(try client.receive(timeoutMs: 2_000).id, 0)
    }

    func testAFrameArrivingOneByteAtATimeIsReassembled() throws {
        let (peer, client) = try connectedPeer()
        let response = ResponseEnvelope(id: 42, status: .notFound, message: String(repeating: "m", count: 300))
        let done = peer.trickle(frame(response) + frame(ok))
        let first = try client.receive(timeoutMs: 10_000)
        XCTAssertEqual([first.id, UInt64(first.status)], [42, UInt64(StatusCode.notFound.rawValue)])
        XCTAssertEqual(first.message, response.message)
        XCTAssertEqual(try client.receive(timeoutMs: 10_000).id, 7)
        done.wait()
    }

    /// A timeout in the middle of a frame keeps what was read: the rest completes it later.
    func testATimeoutMidFrameLosesNothing() throws {
        let (peer, client) = try connectedPeer()
        let bytes = frame(ResponseEnvelope(id: 5, status: .ok, payload: [1, 2, 3]))
        peer.write(Array(bytes[0..<6]))
        XCTAssertEqual(code { try client.receive(timeoutMs: 100) }, STEER_ERR_TIMEOUT)
        peer.write(Array(bytes[6...]))
        let response = try client.receive(timeoutMs: 2_000)
        XCTAssertEqual(response.id, 5)
        XCTAssertEqual(response.payload, [1, 2, 3])
    }

    func testAPeerThatHangsUpMidFrameIsAClosedConnection() throws {
        let (peer, client) = try connectedPeer()
        peer.write([0, 0, 0, 40, 8, 1])
        peer.closeConnection()
        let e = error { try client.receive(timeoutMs: 2_000) }
        XCTAssertEqual(e?.code, STEER_ERR_CLOSED)
        XCTAssertTrue(e?.message.contains("in the middle of a frame") == true, e?.message ?? "")
    }

    /// Writing to a peer that hung up is STEER_ERR_CLOSED, not a SIGPIPE (the default action,
    /// restored for this test, would kill the test process).
    func testWritingToAPeerThatHungUpIsAnErrorNotASignal() throws {
        let (peer, client) = try connectedPeer()
        peer.closeConnection()
        let previous = signal(SIGPIPE, SIG_DFL)
        defer { signal(SIGPIPE, previous) }
        var result: steer_result?
        for id in 1...3 where result == nil {   // the first write may still land in the buffer
            do { try client.send(.health, id: UInt64(id), HealthRequest()) }
            catch let e as CClientError { result = e.code }
        }
        XCTAssertEqual(result, STEER_ERR_CLOSED)
    }

    /// A blocking call with nobody answering ends at its timeout (plus the 100 ms grace); the late
    /// answer is dropped, so it never surfaces as someone else's response.
    func testABlockingCallTimesOutAndItsLateAnswerIsDropped() throws {
        let (peer, client) = try connectedPeer()
        assertTimesOut(notBefore: 0.29) { try client.health(timeoutMs: 200) }
        let sent = try peer.readRequest()
        XCTAssertEqual(sent.method, .health)
        XCTAssertEqual(sent.id, 1)
        XCTAssertGreaterThan(sent.deadlineUnixMicros, 0, "a timeout is sent as the request's deadline")

        var health = HealthResponse()
        health.nItems = 99
        peer.write(frame(.ok(id: 1, HealthResponse())) + frame(.ok(id: 2, health)))
        XCTAssertEqual(try client.health(timeoutMs: 2_000).nItems, 99)
        XCTAssertEqual(code { try client.receive(timeoutMs: 100) }, STEER_ERR_TIMEOUT, "the late answer must not surface")
    }
}
