// POSIX file I/O for snapshots: whole-file reads and crash-safe atomic replacement.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum SnapshotFile {
    static func readAll(_ path: String, maxBytes: UInt64) throws(SnapshotError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("fstat", path) }
        let size = UInt64(max(0, info.st_size))
        guard size <= maxBytes else { throw .sizeLimitExceeded(what: "file", size: size, limit: maxBytes) }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
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

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(SnapshotError) {
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
        guard rename(temp, path) == 0 else { throw failure("rename", "\(temp) to \(path)") }
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
