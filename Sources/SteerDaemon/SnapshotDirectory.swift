// Resolves client-supplied snapshot names inside the configured directory, never outside it.
import Foundation
import Logging
import SteerWire

/// The folder that SaveSnapshot, LoadSnapshot and LoadBackbone checkpoints read and write.
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
