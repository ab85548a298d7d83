// A Unix-socket peer that misbehaves on purpose (garbage, oversized lengths, frames cut short, silence),
// for what a healthy steerd never sends. It speaks raw bytes; it does not stand in for the daemon's logic.
import Foundation
import SteerDaemonTestSupport
import SteerWire
#if canImport(Glibc)
import Glibc
#endif

final class ScriptedPeer: @unchecked Sendable {
    let directory: String
    let path: String
    private let listener: Int32
    private(set) var connection: Int32 = -1

    init() throws {
        directory = NSTemporaryDirectory() + "steer-peer-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/peer.sock"
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let bound = withUnixSocketAddress(path) { bind(listener, $0, $1) }
        guard listener >= 0, bound == 0, listen(listener, 4) == 0 else {
            throw NSError(domain: "ScriptedPeer", code: 1, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
    }

    deinit {
        if connection >= 0 { close(connection) }
        close(listener)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Takes the client's connection (already queued once the client has connected).
    func accept() {
        connection = Glibc.accept(listener, nil, nil)
    }

    func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(connection, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }

    /// Writes `bytes` one at a time with a pause after each, on another thread.
    func trickle(_ bytes: [UInt8], pauseMicros: UInt32 = 1_000) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread { [self] in
            for byte in bytes {
                write([byte])
                usleep(pauseMicros)
            }
            done.signal()
        }
        return done
    }

    /// Reads one request frame the client sent.
    func readRequest() throws -> RequestEnvelope {
        let header = readExactly(Framing.headerSize)
        let body = readExactly(Int(Framing.readLength(header)))
        return try RequestEnvelope(decoding: body)
    }

    private func readExactly(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = bytes.withUnsafeMutableBytes { read(connection, $0.baseAddress! + offset, count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            offset += n
        }
        return bytes
    }

    func closeConnection() {
        close(connection)
        connection = -1
    }
}

/// A whole frame carrying `response`.
func frame(_ response: ResponseEnvelope) -> [UInt8] { Framing.frame(response.encoded()) }
