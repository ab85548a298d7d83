// Preparing the socket path: its directory exists, and a stale socket file is removed safely.
#if canImport(Glibc)
import Glibc
#endif

public struct SocketFileError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

enum SocketFile {
    /// Creates the socket's directory and removes a stale socket left by a crashed daemon.
    /// Refuses when another daemon is listening there or the path is not a socket.
    ///
    /// Each directory created gets `directoryMode(forSocketMode:)`; existing ones are left alone.
    static func prepare(path: String, socketMode: UInt16 = 0o660) throws {
        guard path.utf8.count < 108 else {
            throw SocketFileError("socket path is \(path.utf8.count) bytes; Unix sockets allow at most 107: \(path)")
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]), mode: directoryMode(forSocketMode: socketMode))
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw SocketFileError("\(path) exists and is not a socket; refusing to replace it")
        }
        if someoneListens(at: path) {
            throw SocketFileError("another steerd is already listening on \(path)")
        }
        unlink(path)
    }

    /// The mode of a directory steerd creates for its socket: 0700, plus search (x) for the group
    /// and for others when the socket mode lets them read or write it. Connecting needs search
    /// permission on every directory on the way, so with 0700 alone `--socket-mode 666` still
    /// refused every other user (EACCES). Listing (r) is never granted.
    static func directoryMode(forSocketMode socketMode: UInt16) -> mode_t {
        var mode: mode_t = 0o700
        if socketMode & 0o060 != 0 { mode |= 0o010 }
        if socketMode & 0o006 != 0 { mode |= 0o001 }
        return mode
    }

    private static func makeDirectories(_ directory: String, mode: mode_t) throws {
        var partial = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, mode) == 0 {
                // mkdir applies the umask (often 022 or 077); set the intended mode exactly.
                guard chmod(partial, mode) == 0 else {
                    throw SocketFileError("cannot set mode \(String(mode, radix: 8)) on \(partial), created for the socket: \(String(cString: strerror(errno)))")
                }
            } else if errno != EEXIST {
                throw SocketFileError("cannot create directory \(partial) for the socket: \(String(cString: strerror(errno)))")
            }
        }
    }

    private static func someoneListens(at path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }
}
