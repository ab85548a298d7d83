// The shutdown grace period is enforced: work still running when it ends is answered UNAVAILABLE
// and cancelled, and steerd stops within the grace period plus a second.
import Foundation
import SteerClient
import SteerDaemon
import SteerDaemonTestSupport
import SteerTestSupport
import SteerWire
import XCTest

final class ShutdownTests: XCTestCase {
    /// An EmbedPrompt of 256 distinct prompts of some 100 tokens: seconds of work in a release
    /// build, far more in a debug one, longer than the grace periods below; cancelled, it stops
    /// after its current chunk of 8 prompts.
    private func slowRequest(id: UInt64, tag: String) -> RequestEnvelope {
        let prompts = (0..<256).map { "\(tag) \($0): " + String(repeating: "a slow comedy with dogs and a heist at night ", count: 10) }
        return RequestEnvelope(id: id, method: .embedPrompt, payload: EmbedPromptRequest(prompts: prompts).encoded())
    }

    /// In-process: three slow requests on two connections (two pipelined on one); shutdown with a
    /// 0.5 s grace answers each UNAVAILABLE and ends within the grace period plus a second. Before
    /// the fix the drain waited for the work itself, minutes here.
    func testWorkOutlastingTheGraceIsAnsweredUnavailableAndShutdownEndsOnTime() async throws {
        let grace = 0.5
        let daemon = try await TestDaemon(encoderDirectory: miniLMDirectory) { $0.shutdownGracePeriodSeconds = grace }
        let first = try daemon.connect()
        let second = try daemon.connect()
        try first.send(slowRequest(id: 1, tag: "one"))
        try first.send(slowRequest(id: 2, tag: "two"))
        try second.send(slowRequest(id: 3, tag: "three"))
        for _ in 0..<2_000 where daemon.server.requestsInFlight < 3 { try await Task.sleep(for: .milliseconds(2)) }
        XCTAssertEqual(daemon.server.requestsInFlight, 3, "the three slow requests in flight")

        let start = ContinuousClock.now
        try await daemon.shutDown()
        let took = ContinuousClock.now - start
        XCTAssertLessThanOrEqual(took, .milliseconds(Int64(grace * 1000) + 1000), "shutdown took \(took) with a \(grace) s grace")
        XCTAssertGreaterThan(daemon.server.tasksRunning, 0, "the cancelled work had not ended yet: the grace cut it short")

        var answers: [UInt64: ResponseEnvelope] = [:]
        for (connection, count) in [(first, 2), (second, 1)] {
            for _ in 0..<count {
                let response = try connection.receive()
                answers[response.id] = response
            }
        }
        XCTAssertEqual(Set(answers.keys), [1, 2, 3], "every open request answered")
        for (id, response) in answers {
            XCTAssertEqual(response.status, .unavailable, "request \(id): \(response.message)")
            XCTAssertTrue(response.message.contains("grace period"), response.message)
        }
        try await daemon.stop()   // waits for the cancelled work to reach its next check
    }

    /// Requests that finish within the grace period are answered normally, and shutdown does not wait out the grace.
    func testQuickWorkFinishesAndShutdownDoesNotWaitTheWholeGrace() async throws {
        let daemon = try await TestDaemon(index: try smallIndex()) { $0.shutdownGracePeriodSeconds = 30 }
        let connection = try daemon.connect()
        XCTAssertTrue(try connection.call(.health, HealthRequest(), as: HealthResponse.self).live)
        let start = ContinuousClock.now
        try await daemon.stop()
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10), "nothing was in flight: no reason to wait the 30 s grace")
    }

    /// The real `steer serve`: SIGTERM with two slow requests in flight on two connections and a
    /// 1 s grace; both are answered UNAVAILABLE and the process exits 0 within 2 s.
    func testServeExitsWithinTheGraceAfterSIGTERMAndAnswersEveryOpenRequest() throws {
        let directory = try temporaryDirectory("steer-shutdown")
        let socket = directory + "/steerd.sock"
        let process = try SteerProcess.serve(socket: socket, snapshotDir: directory + "/snapshots",
                                             ["--encoder", miniLMDirectory, "--shutdown-grace", "1"])
        defer { if process.isRunning { process.interrupt(); process.waitUntilExit() } }
        XCTAssertTrue(SteerProcess.waitForSocket(socket, seconds: 30), "steer serve did not listen")
        let connections = try (0..<2).map { _ in try SteerConnection(socketPath: socket) }
        for (i, connection) in connections.enumerated() { try connection.send(slowRequest(id: UInt64(i + 1), tag: "sigterm \(i)")) }
        // Both in flight (Stats counts itself too).
        let probe = try SteerConnection(socketPath: socket)
        var inFlight: UInt32 = 0
        for _ in 0..<200 where inFlight < 3 {
            inFlight = try probe.call(.stats, StatsRequest(), as: StatsResponse.self).inFlight
            if inFlight < 3 { usleep(10_000) }
        }
        XCTAssertEqual(inFlight, 3)
        usleep(200_000)   // into the encoder's work

        let start = ContinuousClock.now
        process.terminate()   // SIGTERM
        process.waitUntilExit()
        let took = ContinuousClock.now - start
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertLessThanOrEqual(took, .seconds(2), "exit \(took) after SIGTERM with a 1 s grace")
        for (i, connection) in connections.enumerated() {
            let response = try connection.receive()
            XCTAssertEqual(response.id, UInt64(i + 1))
            XCTAssertEqual(response.status, .unavailable, response.message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "socket file left behind")
    }
}
