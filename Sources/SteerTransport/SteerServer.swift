// steerd's listening side: binds (or inherits) the Unix socket, admits peers, serves, shuts down gracefully.
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SteerSync
import SteerWire
#if canImport(Glibc)
import Glibc
#endif

/// The daemon as a `Service`: run it in a `ServiceGroup` that maps SIGTERM/SIGINT to graceful shutdown.
///
/// Shutdown order: stop accepting, let requests in flight finish for up to the grace period, then
/// answer every request still open UNAVAILABLE and cancel its work, give those answers a moment to
/// reach their clients, close the connections, remove the socket file (unless it was handed over
/// by socket activation). Shutdown takes at most the grace period plus `answerFlushTime`.
///
/// Every accepted connection's peer (SO_PEERCRED) is checked against the configuration's
/// `peerAccessPolicy` first; a refused peer gets one PERMISSION_DENIED frame and is disconnected.
/// Beyond `maxConnections` served connections a new one gets one RESOURCE_EXHAUSTED frame and is
/// disconnected; a connection idle for `idleTimeoutSeconds` is closed.
public final class SteerServer: Service, Sendable {
    public let configuration: TransportConfiguration
    public let service: any RPCService
    public let stats: DaemonStats
    /// Requests admitted and not yet answered, across all connections.
    public let gauge: InFlightGauge
    private let logger: Logger
    private let connections = ConnectionTable()
    private let dispatcher: Dispatcher
    private let listening = Locked<[CheckedContinuation<Void, Error>]>([])
    private let bound = Locked(false)
    private let effectiveBacklog = Locked<Int?>(nil)

    /// How long UNAVAILABLE answers get to be written after the grace period, before the
    /// connections are closed (a client that does not read would otherwise hold shutdown up).
    static let answerFlushTime: Duration = .milliseconds(500)

    /// A server of `service` that records into `stats` and counts requests in flight in `gauge`
    /// (the service may read both, e.g. for a statistics RPC).
    public init(configuration: TransportConfiguration, service: any RPCService, stats: DaemonStats = DaemonStats(),
                gauge: InFlightGauge = InFlightGauge(), logger: Logger = Logger(label: "steerd")) {
        self.configuration = configuration
        self.logger = logger
        self.stats = stats
        self.gauge = gauge
        self.service = service
        self.dispatcher = Dispatcher(service: service, stats: stats)
    }

    public func run() async throws {
        let inherited = configuration.inheritedSocket
        if inherited == nil { try SocketFile.prepare(path: configuration.socketPath, socketMode: configuration.socketMode) }
        // Nothing below captures `self`: the initializers live as long as NIO keeps them.
        let dispatcher = self.dispatcher
        let maxFrameSize = configuration.maxFrameSize
        let policy = configuration.peerAccessPolicy
        let maxInFlightPerConnection = configuration.maxInFlightPerConnection
        let maxInFlightTotal = configuration.maxInFlightTotal
        let maxQueuedRows = configuration.maxQueuedRowsPerConnection
        let maxConnections = configuration.maxConnections
        let idleTimeout = configuration.idleTimeoutSeconds > 0
            ? TimeAmount.nanoseconds(Int64(configuration.idleTimeoutSeconds * 1e9)) : nil
        let backlog = ListenBacklog.effective(requested: configuration.listenBacklog)
        effectiveBacklog.withLock { $0 = backlog.value }
        let connections = self.connections
        let unreadLimit = service.responseBudget.unreadLimit
        let gauge = self.gauge
        let stats = self.stats
        let logger = self.logger
        let group = MultiThreadedEventLoopGroup.singleton
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Int32(clamping: backlog.value))
            // Unwritable past `unreadLimit` bytes of queued answers: RequestHandler then closes the connection.
            .childChannelOption(.writeBufferWaterMark, value: .init(low: unreadLimit / 2, high: unreadLimit))
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptBackoff(stats: stats, logger: logger, connectionLimit: maxConnections))
                }
            }
            .childChannelInitializer { channel in
                guard connections.admit(channel, limit: maxConnections) else {
                    stats.recordOverConnectionLimit()
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RefusalHandler(.resourceExhausted, message:
                            "steerd already serves \(maxConnections) connections, its limit: close idle connections, retry later, "
                            + "or raise it (maxConnections in the configuration file, steer serve --max-connections)"))
                    }
                }
                // The peer is checked before any request handler exists, so a refused peer's bytes are never decoded.
                return PeerCredentials.of(channel).map { Optional($0) }.recover { error in
                    logger.error("cannot read the peer's credentials (SO_PEERCRED); connection refused", metadata: ["error": "\(error)"])
                    return nil
                }.flatMapThrowing { peer in
                    let pipeline = channel.pipeline.syncOperations
                    guard let peer, policy.allows(peer) else {
                        stats.recordRefusedPeer()
                        let message: String
                        if let peer {
                            logger.warning("steerd refused a connection", metadata: [
                                "peer_pid": "\(peer.pid)", "peer_uid": "\(peer.uid)", "peer_gid": "\(peer.gid)",
                            ])
                            message = policy.refusal(of: peer)
                        } else {
                            message = "steerd could not read this connection's peer credentials (SO_PEERCRED)"
                        }
                        try pipeline.addHandler(RefusalHandler(message: message))
                        return
                    }
                    try pipeline.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameSize: maxFrameSize)))
                    try pipeline.addHandler(RequestHandler(dispatcher: dispatcher, gauge: gauge, stats: stats,
                                                                 maxInFlightPerConnection: maxInFlightPerConnection,
                                                                 maxInFlightTotal: maxInFlightTotal,
                                                                 maxQueuedRows: maxQueuedRows, idleTimeout: idleTimeout))
                }
            }
        let serverChannel: Channel
        let listeningPath: String
        if let fd = inherited {
            // Socket activation: the supervisor owns the socket file; its mode and lifetime are its business.
            do {
                serverChannel = try await bootstrap.withBoundSocket(fd).get()
            } catch {
                throw SocketActivationError("cannot serve on the socket passed as descriptor \(fd): \(error)")
            }
            listeningPath = SocketActivation.boundPath(of: fd) ?? "descriptor \(fd)"
        } else {
            serverChannel = try await bootstrap.bind(unixDomainSocketPath: configuration.socketPath).get()
            guard chmod(configuration.socketPath, mode_t(configuration.socketMode)) == 0 else {
                let reason = String(cString: strerror(errno))
                try? await serverChannel.close()
                throw SocketFileError("cannot set mode \(String(configuration.socketMode, radix: 8)) on \(configuration.socketPath): \(reason)")
            }
            listeningPath = configuration.socketPath
        }
        if backlog.value < configuration.listenBacklog {
            logger.notice("listen backlog clamped by the kernel", metadata: [
                "requested": "\(configuration.listenBacklog)", "effective": "\(backlog.value)",
                "hint": "raise net.core.somaxconn (\(ListenBacklog.somaxconnPath)) for a longer backlog",
            ])
        }
        logger.info("steerd listening", metadata: [
            "socket": "\(listeningPath)", "socket_activated": "\(inherited != nil)",
            "allowed_uids": "\(policy.allowedUIDs.sorted())", "allowed_gids": "\(policy.allowedGIDs.sorted())",
            "max_connections": "\(maxConnections)", "listen_backlog": "\(backlog.value)",
        ])
        markListening()

        // Suspends until SIGTERM/SIGINT (through the ServiceGroup) or cancellation.
        try? await gracefulShutdown()

        let grace = Duration.nanoseconds(Int64(configuration.shutdownGracePeriodSeconds * 1e9))
        logger.info("steerd shutting down", metadata: ["in_flight": "\(gauge.count)", "grace_seconds": "\(configuration.shutdownGracePeriodSeconds)"])
        try? await serverChannel.close()
        if await !gauge.drain(within: grace) {
            let aborted = dispatcher.openRequests.abortAll(RPCError(.unavailable,
                "steerd shut down before this request finished: its \(configuration.shutdownGracePeriodSeconds) s grace period "
                + "ended and the work was cancelled; retry once steerd is back"))
            logger.warning("shutdown grace period over; requests still open answered UNAVAILABLE and their work cancelled",
                           metadata: ["answered": "\(aborted)"])
            await gauge.drain(within: Self.answerFlushTime)
        }
        for channel in connections.all { try? await channel.close() }
        if inherited == nil { unlink(configuration.socketPath) }
        logger.info("steerd stopped")
    }

    /// The listen backlog in effect: `listenBacklog` clamped by the kernel's somaxconn (nil before `run`).
    public var listenBacklog: Int? { effectiveBacklog.withLock { $0 } }

    /// Request tasks still running, answered or not: after a shutdown that cut work short, the
    /// cancelled work goes on until its next cancellation check.
    public var tasksRunning: Int { dispatcher.tasksRunning }

    /// Connections being served now (not counting ones turned away).
    public var connectionsServed: Int { connections.served }

    /// Requests admitted and not yet answered, across all connections (the in-flight gauge),
    /// read without a request: a Stats call itself waits while every worker thread computes.
    public var requestsInFlight: Int { gauge.count }

    /// Returns once the socket accepts connections (for tests and embedding programs).
    public func waitUntilListening() async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            let ready = bound.withLock { $0 }
            if ready { c.resume() } else { listening.withLock { $0.append(c) } }
        }
    }

    private func markListening() {
        bound.withLock { $0 = true }
        for c in listening.withLock({ w in defer { w = [] }; return w }) { c.resume() }
    }
}
