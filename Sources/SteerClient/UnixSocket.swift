// Connecting a stream socket to a Unix socket path, for the async client (the blocking
// `SteerConnection` keeps its own copy of these few lines).
#if canImport(Glibc)
import Glibc
#endif

enum UnixSocket {
    /// A connected `AF_UNIX` stream socket.
    /// - Throws: `ClientError` naming the path and the reason (e.g. steerd not running).
    static func connect(path: String) throws -> Int32 {
        guard path.utf8.count < 108 else { throw ClientError("socket path too long (max 107 bytes): \(path)") }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket(): \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        var connected: Int32
        repeat {
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        } while connected != 0 && errno == EINTR
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ClientError("cannot connect to steerd at \(path): \(reason) (is `steer serve` running?)")
        }
        return fd
    }

    /// Nanoseconds of `CLOCK_MONOTONIC`: client-side timeouts, immune to wall-clock steps.
    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Microseconds since the Unix epoch (`CLOCK_REALTIME`): what a request's deadline is in.
    static func unixMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000
    }
}

extension Duration {
    /// Whole nanoseconds, negative durations as 0.
    var clampedNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return 0 }
        let nanos = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        return nanos >= Double(UInt64.max) ? UInt64.max : UInt64(max(0, nanos))
    }
}
