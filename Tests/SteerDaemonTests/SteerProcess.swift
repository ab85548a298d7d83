// Running the built `steer` executable from tests: as a client, as another user, or to see it fail.
import Foundation
import XCTest

enum SteerProcess {
    /// The `steer` executable built next to this test bundle.
    static var executable: String { ProcessTests.steerExecutable }

    /// The uid and gid a test can act as when it needs to be someone steerd does not know:
    /// root drops to `nobody` (65534) through setpriv; anyone else stays who they are.
    static var foreignIdentity: (uid: UInt32, gid: UInt32) {
        getuid() == 0 ? (65534, 65534) : (getuid(), getgid())
    }

    /// Runs `steer arguments...` to completion, as `foreignIdentity` when `asForeignUser` is set.
    /// - Returns: the exit status and what it wrote to standard error.
    static func run(_ arguments: [String], asForeignUser: Bool = false) throws -> (status: Int32, stderr: String) {
        let process = Process()
        if asForeignUser && getuid() == 0 {
            let id = foreignIdentity
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(id.uid)", "--regid=\(id.gid)", "--clear-groups", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
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
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            close(fd)
            if connected == 0 { return true }
            usleep(25_000)
        }
        return false
    }
}
