// Preparing the socket path: its directory exists, and a stale socket file is removed safely.
#if canImport(Glibc)
import Glibc
#endif

public struct SocketFileError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

enum SocketFile {
    /// Creates the socket's directory (mode 0700 when new) and removes a stale socket left by a
    /// crashed daemon. Refuses when another daemon is listening there or the path is not a socket.
    static func prepare(path: String) throws {
        guard path.utf8.count < 108 else {
            throw SocketFileError("socket path is \(path.utf8.count) bytes; Unix sockets allow at most 107: \(path)")
        }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
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

    private static func makeDirectories(_ directory: String) throws {
        var partial = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o700) != 0 && errno != EEXIST {
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
