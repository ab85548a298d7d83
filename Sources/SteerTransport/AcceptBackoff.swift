// Accepting when the process runs out of file descriptors: pause, log, retry, instead of spinning.
import Logging
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The listening socket's reaction to running out of descriptors: stop accepting for a moment.
///
/// At the descriptor limit (EMFILE, or ENFILE system-wide) a pending connection stays in the
/// backlog and the listening socket stays readable, so NIO retried `accept` at once, for ever:
/// one core at 100% and nothing in the log (measured with RLIMIT_NOFILE 64 and 80 clients: 5 s of
/// CPU per 5 s). NIO's own `AcceptBackoffHandler` does not help here: it only holds back the next
/// `read`, while the failed accept leaves the channel registered for reading, so epoll reports the
/// socket again at once. This handler turns the server channel's `autoRead` off, which removes the
/// socket from epoll, and on again after `pause`; it logs why (at most once per `logInterval`,
/// with how many pauses were not logged). Waiting clients stay queued in the backlog meanwhile.
final class AcceptBackoff: ChannelInboundHandler {
    typealias InboundIn = Channel

    /// How long accepting stops: short enough that a descriptor freed by a closing client is soon
    /// used, long enough that the retries cost nothing.
    static let pause: TimeAmount = .milliseconds(250)
    /// Least time between two log lines about it.
    static let logInterval: Duration = .seconds(10)

    private let stats: DaemonStats
    private let logger: Logger
    private let connectionLimit: Int
    private var paused = false
    private var lastLog: ContinuousClock.Instant?
    private var unlogged = 0

    init(stats: DaemonStats, logger: Logger, connectionLimit: Int) {
        self.stats = stats
        self.logger = logger
        self.connectionLimit = connectionLimit
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let error = error as? IOError, Self.isExhaustion(error.errnoCode) else {
            context.fireErrorCaught(error)
            return
        }
        stats.recordAcceptBackoff()
        log(error)
        guard !paused else { return }
        paused = true
        let channel = context.channel
        channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        context.eventLoop.scheduleTask(in: Self.pause) { [self] in
            paused = false
            // Fails harmlessly when the channel has closed meanwhile (shutdown).
            channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        }
    }

    /// Errors that say "no descriptor (or buffer) now", after which accepting may work later.
    static func isExhaustion(_ code: Int32) -> Bool {
        code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM
    }

    private func log(_ error: IOError) {
        let now = ContinuousClock.now
        if let lastLog, now - lastLog < Self.logInterval {
            unlogged += 1
            return
        }
        let skipped = unlogged
        lastLog = now
        unlogged = 0
        logger.warning("steerd cannot accept connections; it stops accepting for a moment and retries", metadata: [
            "error": "\(error)",
            "pause_ms": "\(Self.pause.nanoseconds / 1_000_000)",
            "pauses_since_last_log": "\(skipped)",
            "open_files_limit": "\(rlimit.openFiles.map(String.init) ?? "unknown")",
            "hint": "raise the descriptor limit (LimitNOFILE=, ulimit -n) above maxConnections (\(connectionLimit)) plus some 64 for steerd itself, or lower maxConnections",
        ])
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
