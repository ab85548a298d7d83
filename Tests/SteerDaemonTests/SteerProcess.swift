// Running the built `steer` executable from tests: as a client, as another user, or to see it fail.
import Foundation
import SteerDaemonTestSupport
import XCTest

enum SteerProcess {
    /// The `steer` executable built next to this test bundle.
    static var executable: String {
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("steer").path
    }

    /// The uid and gid a test can act as when it needs to be someone steerd does not know:
    /// root drops to `nobody` (65534) through setpriv; anyone else stays who they are.
    static var foreignIdentity: (uid: UInt32, gid: UInt32) {
        getuid() == 0 ? (65534, 65534) : (getuid(), getgid())
    }

    /// `steer arguments...`, not started yet, run through `wrapper` (a program and its arguments,
    /// such as prlimit) when one is given. Fails the test when `steer` was not built.
    static func process(_ arguments: [String], wrapper: [String] = [], file: StaticString = #filePath, line: UInt = #line) -> Process {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: executable), "build the package first: no \(executable)",
                      file: file, line: line)
        let command = wrapper + [executable] + arguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        return process
    }

    /// Starts `steer serve` on `socket` with its snapshots in `snapshotDir`, logging errors only,
    /// and `extra` arguments.
    static func serve(socket: String, snapshotDir: String, _ extra: [String] = [],
                      file: StaticString = #filePath, line: UInt = #line) throws -> Process {
        let process = process(["serve", "--socket", socket, "--snapshot-dir", snapshotDir, "--log-level", "error"] + extra,
                              file: file, line: line)
        try process.run()
        return process
    }

    /// Runs `steer arguments...` to completion, as `foreignIdentity` when `asForeignUser` is set.
    /// - Returns: the exit status and what it wrote to standard error.
    static func run(_ arguments: [String], asForeignUser: Bool = false) throws -> (status: Int32, stderr: String) {
        let id = foreignIdentity
        let setpriv = ["/usr/bin/setpriv", "--reuid=\(id.uid)", "--regid=\(id.gid)", "--clear-groups"]
        let process = process(arguments, wrapper: asForeignUser && getuid() == 0 ? setpriv : [])
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// Connects until the socket answers or `seconds` pass.
    static func waitForSocket(_ path: String, seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            let connected = withUnixSocketAddress(path) { connect(fd, $0, $1) }
            close(fd)
            if connected == 0 { return true }
            usleep(25_000)
        }
        return false
    }
}
