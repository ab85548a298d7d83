// Accepting when the process runs out of file descriptors: pause, log, retry, instead of spinning.
import Logging
import NIOCore
import SteerSync
#if canImport(Glibc)
import Glibc
#endif

/// The listening socket's reaction to a failed `accept`.
///
/// At the descriptor limit (EMFILE, or ENFILE system-wide) a pending connection stays in the
/// backlog and the listening socket stays readable, so without a pause the event loop retries
/// `accept` at once, for ever: one core at 100% and nothing in the log (measured with
/// RLIMIT_NOFILE 64 and 80 clients: 5 s of CPU per 5 s). With it, steerd stops accepting for
/// `pause`, logs why (at most once per `logInterval`, with how many pauses were not logged), and
/// tries again; waiting clients stay queued in the backlog meanwhile.
enum AcceptBackoff {
    /// How long accepting stops after a failed accept: short enough that a descriptor freed by a
    /// closing client is soon used, long enough that the retries cost nothing.
    static let pause: TimeAmount = .milliseconds(250)
    /// Least time between two log lines about it.
    static let logInterval: Duration = .seconds(10)

    static func handler(stats: DaemonStats, logger: Logger, connectionLimit: Int) -> AcceptBackoffHandler {
        let lastLog = Locked<(at: ContinuousClock.Instant?, unlogged: Int)>((nil, 0))
        return AcceptBackoffHandler(shouldForwardIOErrorCaught: false) { error in
            stats.recordAcceptBackoff()
            let now = ContinuousClock.now
            let unlogged = lastLog.withLock { state -> Int? in
                if let at = state.at, now - at < logInterval {
                    state.unlogged += 1
                    return nil
                }
                defer { state = (now, 0) }
                return state.unlogged
            }
            if let unlogged {
                let limit = rlimit.openFiles
                logger.warning("steerd cannot accept connections; it stops accepting for a moment and retries", metadata: [
                    "error": "\(error)",
                    "pause_ms": "\(pause.nanoseconds / 1_000_000)",
                    "pauses_since_last_log": "\(unlogged)",
                    "open_files_limit": "\(limit.map(String.init) ?? "unknown")",
                    "hint": "raise the descriptor limit (LimitNOFILE=, ulimit -n) above maxConnections (\(connectionLimit)) plus some 64 for steerd itself, or lower maxConnections",
                ])
            }
            return pause
        }
    }
}

private extension rlimit {
    /// The soft RLIMIT_NOFILE of this process.
    static var openFiles: UInt64? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return UInt64(limit.rlim_cur)
    }
}
