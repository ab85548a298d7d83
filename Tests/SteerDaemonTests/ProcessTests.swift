// The real `steer serve` process: answers, then on SIGTERM exits cleanly and removes its socket.
import Foundation
import SteerClient
import SteerTestSupport
import SteerWire
import XCTest

final class ProcessTests: XCTestCase {
    func testServeAnswersAndStopsOnSIGTERM() throws {
        let directory = try temporaryDirectory("steer-process")
        let socket = directory + "/run/steerd.sock"
        let process = try SteerProcess.serve(socket: socket, snapshotDir: directory + "/snapshots")

        var connection: SteerConnection?
        for _ in 0..<200 where connection == nil {
            connection = try? SteerConnection(socketPath: socket)
            if connection == nil { usleep(25_000) }
        }
        let client = try XCTUnwrap(connection, "steer serve did not listen within 5 s")
        XCTAssertTrue(try client.call(.health, HealthRequest(), as: HealthResponse.self).live)

        var info = stat()
        XCTAssertEqual(stat(socket, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o660, "socket mode")

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "socket file left behind")
    }
}
