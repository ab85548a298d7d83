// systemd socket activation: taking over the listening socket passed as fd 3 (sd_listen_fds(3)).
#if canImport(Glibc)
import Glibc
#endif

public struct SocketActivationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The `LISTEN_PID` / `LISTEN_FDS` protocol: a supervisor (systemd, or anything that speaks it)
/// binds the socket, passes it as descriptor 3 and names the process it is meant for.
public enum SocketActivation {
    /// SD_LISTEN_FDS_START: the first passed descriptor.
    public static let firstDescriptor: Int32 = 3

    /// Which descriptor the variables hand to process `pid`, if any.
    /// - Returns: nil when `LISTEN_FDS` is unset or `LISTEN_PID` names another process
    ///   (the variables were inherited, not meant for us).
    /// - Throws: `SocketActivationError` when they are meant for us but malformed or pass other than one socket.
    public static func descriptor(listenPID: String?, listenFDs: String?, pid: Int32) throws -> Int32? {
        guard let listenFDs else { return nil }
        guard let listenPID, let target = Int32(listenPID) else {
            throw SocketActivationError("LISTEN_FDS is set but LISTEN_PID is \(listenPID.map { "\"\($0)\"" } ?? "unset"); expected this process's pid \(pid)")
        }
        guard target == pid else { return nil }
        guard let count = Int(listenFDs), count >= 0 else {
            throw SocketActivationError("LISTEN_FDS must be a count of descriptors; got \"\(listenFDs)\"")
        }
        switch count {
        case 0: return nil
        case 1: return firstDescriptor
        default: throw SocketActivationError("steerd serves one socket but was passed \(count) (LISTEN_FDS=\(count)); give its .socket unit one ListenStream")
        }
    }

    /// The listening socket passed to this process, if it was socket-activated.
    ///
    /// Unsets `LISTEN_PID`, `LISTEN_FDS` and `LISTEN_FDNAMES` whatever they hold, so that no child
    /// inherits them, and marks the descriptor close-on-exec. Call it before starting threads:
    /// changing the environment is not thread-safe.
    /// - Throws: `SocketActivationError` when the variables are malformed or the descriptor is
    ///   not a listening Unix stream socket.
    public static func takeListeningSocket() throws -> Int32? {
        let listenPID = getenv("LISTEN_PID").map { String(cString: $0) }
        let listenFDs = getenv("LISTEN_FDS").map { String(cString: $0) }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        guard let fd = try descriptor(listenPID: listenPID, listenFDs: listenFDs, pid: getpid()) else { return nil }
        try checkListeningUnixStream(fd)
        _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
        return fd
    }

    /// The path a Unix socket is bound to (for logs), or nil for an unnamed or abstract one.
    public static func boundPath(of fd: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok, address.sun_family == sa_family_t(AF_UNIX) else { return nil }
        let path = withUnsafeBytes(of: address.sun_path) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return path.isEmpty ? nil : path
    }

    private static func checkListeningUnixStream(_ fd: Int32) throws {
        func option(_ name: Int32) -> Int32? {
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            return getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
        }
        guard let domain = option(SO_DOMAIN) else {
            throw SocketActivationError("descriptor \(fd) passed by LISTEN_FDS is not a socket: \(String(cString: strerror(errno)))")
        }
        guard domain == AF_UNIX, option(SO_TYPE) == Int32(SOCK_STREAM.rawValue) else {
            throw SocketActivationError("descriptor \(fd) passed by LISTEN_FDS is not a Unix stream socket; steerd's .socket unit needs ListenStream=/path")
        }
        guard option(SO_ACCEPTCONN) == 1 else {
            throw SocketActivationError("descriptor \(fd) passed by LISTEN_FDS is not listening; use Accept=no in the .socket unit")
        }
    }
}
