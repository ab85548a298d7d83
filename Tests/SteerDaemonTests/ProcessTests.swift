// The real `steer serve` process: answers, then on SIGTERM exits cleanly and removes its socket.
import Foundation
import SteerClient
import SteerWire
import XCTest

final class ProcessTests: XCTestCase {
    /// The `steer` executable built next to this test bundle.
    static var steerExecutable: String {
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("steer").path
    }

    func testServeAnswersAndStopsOnSIGTERM() throws {
        let exe = Self.steerExecutable
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: exe), "build the package first: no \(exe)")
        let directory = NSTemporaryDirectory() + "steer-process-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = directory + "/run/steerd.sock"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = ["serve", "--socket", socket, "--snapshot-dir", directory + "/snapshots", "--log-level", "error"]
        try process.run()

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
