// POSIX file I/O for snapshots: whole-file reads and crash-safe atomic replacement.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum SnapshotFile {
    /// Opens `path` and reads it whole; see `readAll(_:path:maxBytes:)`.
    static func readAll(_ path: String, maxBytes: UInt64) throws(SnapshotError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        return try readAll(fd, path: path, maxBytes: maxBytes)
    }

    /// Reads the regular file open on `fd` whole, from offset 0; `path` names it in errors.
    /// - Throws: `notRegularFile` for a FIFO, device, socket or directory (a FIFO would block the
    ///   reading thread until some writer came, a device need never end), `sizeLimitExceeded`, `io`.
    static func readAll(_ fd: Int32, path: String, maxBytes: UInt64) throws(SnapshotError) -> [UInt8] {
        let size = try regularFileSize(fd, path: path)
        guard size <= maxBytes else { throw .sizeLimitExceeded(what: "file", size: size, limit: maxBytes) }
        return try read(fd, path: path, count: Int(size))
    }

    /// The first `count` bytes of the regular file open on `fd` (fewer when it is shorter).
    static func readPrefix(_ fd: Int32, path: String, count: Int) throws(SnapshotError) -> [UInt8] {
        let size = try regularFileSize(fd, path: path)
        return try read(fd, path: path, count: Int(min(size, UInt64(count))))
    }

    /// What a file of `mode` is, for messages: "a FIFO", "a directory", ...
    static func typeName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFLNK: "a symbolic link"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "a file of unknown type"
        }
    }

    private static func regularFileSize(_ fd: Int32, path: String) throws(SnapshotError) -> UInt64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("fstat", path) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path: path, fileType: typeName(info.st_mode)) }
        // Regular files never block; the flag was only there to open safely.
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0, flags & O_NONBLOCK != 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        return UInt64(max(0, info.st_size))
    }

    private static func read(_ fd: Int32, path: String, count: Int) throws(SnapshotError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if n == 0 { break }  // shrank under us; the decoder reports the truncation
            done += n
        }
        bytes.removeSubrange(done...)
        return bytes
    }

    /// Writes `bytes` to a temporary file, fsyncs it and moves it to `path`: with `rename`, which
    /// replaces whatever `path` held, when `replacing`; else with `link`, which fails with EEXIST
    /// (`alreadyExists`) if `path` exists, checked and created in one step.
    static func writeAtomically(_ bytes: [UInt8], to path: String, replacing: Bool = true) throws(SnapshotError) {
        let (directory, name) = split(path)
        // Unique per process, call and time, and created with O_EXCL, so concurrent writers never collide.
        let temp = "\(directory)/.\(name).tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("open", temp) }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            defer { close(fd) }
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw failure("write", temp)
                }
                done += n
            }
            guard fsync(fd) == 0 else { throw failure("fsync", temp) }
        }
        if replacing {
            guard rename(temp, path) == 0 else { throw failure("rename", "\(temp) to \(path)") }
        } else {
            if link(temp, path) == 0 {
                unlink(temp)   // a crash before this leaves a temporary file, which steerd removes at start
            } else {
                let code = errno
                if code == EEXIST { throw .alreadyExists(path: path) }
                // A file system without hard links: check, then rename (two steps, a narrow race).
                guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP else { throw failure("link", "\(temp) to \(path)") }
                var info = stat()
                if lstat(path, &info) == 0 { throw .alreadyExists(path: path) }
                guard rename(temp, path) == 0 else { throw failure("rename", "\(temp) to \(path)") }
            }
        }
        ok = true
        // Make the rename itself durable; without this a crash can resurrect the old entry.
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw failure("open", directory) }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw failure("fsync", directory) }
    }

    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let dir = String(path[..<slash])
        return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
    }

    private static func failure(_ operation: String, _ path: String) -> SnapshotError {
        let code = errno
        return .io(operation: operation, path: path, errno: code, message: String(cString: strerror(code)))
    }
}
