// A blocking client connection to steerd: send envelopes, receive envelopes, or call an RPC.
import SteerWire
#if canImport(Glibc)
import Glibc
#endif

/// Why a client call failed before any response status was received.
public struct ClientError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// One connection over the Unix socket. Not thread-safe: use one per thread.
///
/// `send` and `receive` can be used separately to keep many requests in flight; `call` is one
/// request and its response.
public final class SteerConnection {
    public let socketPath: String
    public let maxFrameSize: Int
    private var fd: Int32
    private var nextID: UInt64 = 1
    private var inbox: [UInt8] = []
    private var inboxStart = 0

    /// Connects to steerd.
    /// - Throws: `ClientError` naming the path and the reason (e.g. steerd not running).
    public init(socketPath: String = SocketPaths.defaultSocketPath, maxFrameSize: Int = Framing.defaultMaxFrameSize) throws {
        self.socketPath = socketPath
        self.maxFrameSize = maxFrameSize
        guard socketPath.utf8.count < 108 else { throw ClientError("socket path too long (max 107 bytes): \(socketPath)") }
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket(): \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in socketPath.utf8.enumerated() { raw[i] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ClientError("cannot connect to steerd at \(socketPath): \(reason) (is `steer serve` running?)")
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// A fresh request id for this connection.
    public func makeID() -> UInt64 {
        defer { nextID += 1 }
        return nextID
    }

    /// Writes one request frame.
    public func send(_ request: RequestEnvelope) throws {
        try sendRaw(Framing.frame(request.encoded()))
    }

    /// Writes raw bytes (for tests of malformed input).
    public func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a daemon that hung up is an error to report, not a SIGPIPE that kills the caller.
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ClientError("write to \(socketPath) failed: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Reads the next response frame, whichever request it answers.
    /// - Throws: `ClientError` when the daemon closes the connection or sends an oversized frame.
    public func receive() throws -> ResponseEnvelope {
        try fill(Framing.headerSize)
        let length = Int(Framing.readLength(inbox[inboxStart...]))
        guard length <= maxFrameSize else { throw ClientError("steerd sent a frame of \(length) bytes, above the limit of \(maxFrameSize)") }
        try fill(Framing.headerSize + length)
        let body = Array(inbox[(inboxStart + Framing.headerSize)..<(inboxStart + Framing.headerSize + length)])
        inboxStart += Framing.headerSize + length
        if inboxStart > 1 << 16 || inboxStart == inbox.count {
            inbox.removeFirst(inboxStart)
            inboxStart = 0
        }
        return try ResponseEnvelope(decoding: body)
    }

    /// Calls one RPC and waits for its answer.
    /// - Parameters:
    ///   - timeoutSeconds: sets the request's deadline; nil sends none.
    /// - Throws: `RPCError` with the daemon's status when it is not OK; `ClientError` on transport failure.
    public func call<Response: WireMessage>(_ method: Method, _ request: some WireMessage, as: Response.Type,
                                            timeoutSeconds: Double? = nil) throws -> Response {
        let id = makeID()
        let deadline = timeoutSeconds.map { Self.nowUnixMicros() + UInt64($0 * 1_000_000) } ?? 0
        try send(RequestEnvelope(id: id, method: method, deadlineUnixMicros: deadline, payload: request.encoded()))
        let response = try receive()
        // Id 0 with an error is the daemon speaking for the connection (refused peer, oversized frame).
        guard response.id == id || (response.id == 0 && response.status != .ok) else {
            throw ClientError("response id \(response.id) does not match request id \(id)")
        }
        return try response.result(as: Response.self)
    }

    private func fill(_ needed: Int) throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while inbox.count - inboxStart < needed {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw ClientError(n == 0 ? "steerd closed the connection" : "read from \(socketPath) failed: \(String(cString: strerror(errno)))")
            }
            inbox.append(contentsOf: chunk[0..<n])
        }
    }

    static func nowUnixMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000
    }
}
