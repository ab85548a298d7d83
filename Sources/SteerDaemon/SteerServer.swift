// steerd's listening side: binds (or inherits) the Unix socket, admits peers, serves, shuts down gracefully.
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SteerSync
#if canImport(Glibc)
import Glibc
#endif

/// The daemon as a `Service`: run it in a `ServiceGroup` that maps SIGTERM/SIGINT to graceful shutdown.
///
/// Shutdown order: stop accepting, let requests in flight finish (up to the grace period),
/// close the connections, remove the socket file (unless it was handed over by socket activation).
///
/// Every accepted connection's peer (SO_PEERCRED) is checked against the configuration's
/// `peerAccessPolicy` first; a refused peer gets one PERMISSION_DENIED frame and is disconnected.
public final class SteerServer: Service, Sendable {
    public let configuration: DaemonConfiguration
    public let service: SteerService
    public let stats: DaemonStats
    private let gauge = InFlightGauge()
    private let logger: Logger
    private let connections = Locked<[ObjectIdentifier: Channel]>([:])
    private let listening = Locked<[CheckedContinuation<Void, Error>]>([])
    private let bound = Locked(false)

    public init(configuration: DaemonConfiguration, logger: Logger = Logger(label: "steerd")) throws {
        self.configuration = configuration
        self.logger = logger
        self.stats = DaemonStats()
        self.service = try SteerService(configuration: configuration, logger: logger)
        service.attach(stats: stats, gauge: gauge)
    }

    public func run() async throws {
        let inherited = configuration.inheritedSocket
        if inherited == nil { try SocketFile.prepare(path: configuration.socketPath) }
        let dispatcher = Dispatcher(service: service, stats: stats)
        let maxFrameSize = configuration.maxFrameSize
        let policy = configuration.peerAccessPolicy
        let maxInFlightPerConnection = configuration.maxInFlightPerConnection
        let maxInFlightTotal = configuration.maxInFlightTotal
        let gauge = self.gauge
        let stats = self.stats
        let logger = self.logger
        let group = MultiThreadedEventLoopGroup.singleton
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { [weak self] channel in
                self?.track(channel)
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
                                                                 maxInFlightTotal: maxInFlightTotal))
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
        logger.info("steerd listening", metadata: [
            "socket": "\(listeningPath)", "socket_activated": "\(inherited != nil)",
            "allowed_uids": "\(policy.allowedUIDs.sorted())", "allowed_gids": "\(policy.allowedGIDs.sorted())",
        ])
        markListening()

        // Suspends until SIGTERM/SIGINT (through the ServiceGroup) or cancellation.
        try? await gracefulShutdown()

        logger.info("steerd shutting down", metadata: ["in_flight": "\(gauge.count)"])
        try? await serverChannel.close()
        await drain(gracePeriod: configuration.shutdownGracePeriodSeconds)
        let open = connections.withLock { Array($0.values) }
        for channel in open { try? await channel.close() }
        if inherited == nil { unlink(configuration.socketPath) }
        logger.info("steerd stopped")
    }

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

    private func track(_ channel: Channel) {
        let id = ObjectIdentifier(channel)
        connections.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.connections.withLock { $0.removeValue(forKey: id) }
        }
    }

    private func drain(gracePeriod: Double) async {
        let gauge = self.gauge
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await gauge.drain() }
            tasks.addTask { try? await Task.sleep(for: .milliseconds(Int(gracePeriod * 1000))) }
            await tasks.next()
            tasks.cancelAll()
        }
    }
}
