// Resolves client-supplied snapshot names inside the configured directory, never outside it.
import Foundation
import Logging
import SteerSnapshot
import SteerWire
#if canImport(Glibc)
import Glibc
#endif

/// The folder that SaveSnapshot, LoadSnapshot and LoadBackbone checkpoints read and write.
///
/// Rules for what a client's name may reach (the folder's files are served to any allowed peer):
/// - a name is a plain file name (`file(named:)`), so it stays in the folder;
/// - a file is opened relative to the folder with O_NOFOLLOW: a symbolic link is refused, never
///   followed (a link to /etc/shadow or to a model elsewhere would otherwise be read);
/// - only regular files are read: a FIFO is refused before any read (opened O_NONBLOCK, so the
///   open itself cannot wait for a writer and hold a compute thread forever), as are devices,
///   sockets and directories;
/// - errors name the file and its kind, never its contents.
struct SnapshotDirectory: Sendable {
    let path: String

    /// The file a name refers to.
    /// - Throws: `INVALID_ARGUMENT` unless the name is 1–128 of `[A-Za-z0-9._-]` and does not start
    ///   with a dot (so no paths, no `..`, no hidden files).
    func file(named name: String) throws -> String {
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        }
        guard !name.isEmpty, name.utf8.count <= 128, allowed, !name.hasPrefix(".") else {
            throw RPCError(.invalidArgument,
                "snapshot name \"\(name.prefix(64))\" is not allowed: use 1 to 128 of letters, digits, '.', '_' and '-', not starting with '.'")
        }
        return path + "/" + name
    }

    /// Reads and validates the snapshot `name` (a LoadBackbone checkpoint, a LoadSnapshot file,
    /// the `--state` file) under the folder's rules. `role` names it in errors ("checkpoint").
    /// - Throws: INVALID_ARGUMENT for a name that is not allowed, NOT_FOUND when there is no such
    ///   file, FAILED_PRECONDITION for a link, a FIFO or another file that is not regular (or one
    ///   steerd may not open), DATA_LOSS for a file that is not a valid snapshot.
    func read(named name: String, role: String) throws -> Snapshot {
        let fd = try open(named: name, role: role)
        defer { close(fd) }
        do {
            return try Snapshot.read(fileDescriptor: fd, path: "\(role) \(name) in \(path)")
        } catch let error as SnapshotError {
            throw refusal(error, name: name, role: role)
        }
    }

    /// What already lies at `name`, for a save deciding whether it may replace it.
    enum Existing: Equatable {
        case none
        /// A regular file holding a snapshot of this kind (checked from its header only).
        case snapshot(kind: String)
        /// A regular file that is no snapshot this build reads (its reason, never its bytes).
        case notSnapshot(reason: String)
        /// A link, FIFO, directory, ...: "a symbolic link".
        case notRegular(fileType: String)
    }

    /// Looks at `name` without following a link or blocking on a FIFO.
    func existing(named name: String) throws -> Existing {
        _ = try file(named: name)
        let dir = try openFolder()
        defer { close(dir) }
        var info = stat()
        if fstatat(dir, name, &info, AT_SYMLINK_NOFOLLOW) != 0 {
            if errno == ENOENT { return .none }
            throw RPCError(.failedPrecondition, "cannot examine \(name) in \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return .notRegular(fileType: Snapshot.fileTypeName(mode: UInt32(info.st_mode))) }
        let fd = try open(named: name, role: "file")
        defer { close(fd) }
        do {
            return .snapshot(kind: try Snapshot.kind(fileDescriptor: fd, path: "\(name) in \(path)"))
        } catch let error as SnapshotError {
            // Replaced by a FIFO or the like between the two looks: say so rather than guess its kind.
            if error.code == .notRegularFile { return .notRegular(fileType: "a file that stopped being regular while it was examined") }
            return .notSnapshot(reason: "\(error)")
        }
    }

    /// Opens `name` for reading: relative to the folder, not through a link, without blocking.
    private func open(named name: String, role: String) throws -> Int32 {
        _ = try file(named: name)
        let dir = try openFolder()
        defer { close(dir) }
        let fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            switch code {
            case ENOENT:
                throw RPCError(.notFound, "no \(role) named \"\(name)\" in \(path)")
            case ELOOP:
                throw RPCError(.failedPrecondition, "\(role) \(name) in \(path) is a symbolic link: steerd reads only regular "
                    + "files of its snapshot folder, never through a link (it could lead outside the folder); copy the file in instead")
            default:
                throw RPCError(.failedPrecondition, "cannot open \(role) \(name) in \(path): \(String(cString: strerror(code)))")
            }
        }
        return fd
    }

    private func openFolder() throws -> Int32 {
        let dir = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else {
            let code = errno
            if code == ENOENT { throw RPCError(.notFound, "the snapshot folder \(path) does not exist") }
            throw RPCError(.failedPrecondition, "cannot open the snapshot folder \(path): \(String(cString: strerror(code)))")
        }
        return dir
    }

    /// The RPC error for a snapshot file that did not read.
    private func refusal(_ error: SnapshotError, name: String, role: String) -> RPCError {
        switch error.code {
        case .notRegularFile:
            RPCError(.failedPrecondition, "\(error): steerd reads only regular files of its snapshot folder")
        case .io:
            RPCError(.failedPrecondition, "\(error)")
        default:
            RPCError(.dataLoss, "\(role) \(name) refused: \(error)")
        }
    }

    /// Deletes the temporary files of saves that never finished (`.<name>.tmp-<pid>-<n>`, what
    /// `Snapshot.write` renames into place once complete): a `kill -9` mid-save leaves one behind.
    func removeInterruptedSaves(logger: Logger) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names where name.hasPrefix(".") && name.contains(".tmp-") {
            // Another live process (a second steerd on this folder) may be writing it right now.
            if let tail = name.components(separatedBy: ".tmp-").last, let pid = Int32(tail.split(separator: "-").first ?? ""),
               pid != getpid(), kill(pid, 0) == 0 { continue }
            do {
                try FileManager.default.removeItem(atPath: path + "/" + name)
                logger.notice("removed the temporary file of an interrupted save", metadata: ["file": "\(path)/\(name)"])
            } catch {
                logger.warning("cannot remove the temporary file of an interrupted save", metadata: ["file": "\(path)/\(name)", "error": "\(error)"])
            }
        }
    }
}
