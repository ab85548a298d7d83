// steerd's listening side: binds the Unix socket, serves connections, shuts down gracefully.
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The daemon as a `Service`: run it in a `ServiceGroup` that maps SIGTERM/SIGINT to graceful shutdown.
///
/// Shutdown order: stop accepting, let requests in flight finish (up to the grace period),
/// close the connections, remove the socket file.
public final class SteerServer: Service, Sendable {
    public let configuration: DaemonConfiguration
    public let service: SteerService
    public let stats: DaemonStats
    private let gauge = InFlightGauge()
    private let logger: Logger
    private let connections = Mutex<[ObjectIdentifier: Channel]>([:])
    private let listening = Mutex<[CheckedContinuation<Void, Error>]>([])
    private let bound = Mutex(false)

    public init(configuration: DaemonConfiguration, logger: Logger = Logger(label: "steerd")) throws {
        self.configuration = configuration
        self.logger = logger
        self.stats = DaemonStats()
        self.service = try SteerService(configuration: configuration, logger: logger)
        service.attach(stats: stats, gauge: gauge)
    }

    public func run() async throws {
        try SocketFile.prepare(path: configuration.socketPath)
        let dispatcher = Dispatcher(service: service, stats: stats)
        let maxFrameSize = configuration.maxFrameSize
        let gauge = self.gauge
        let stats = self.stats
        let group = MultiThreadedEventLoopGroup.singleton
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { [weak self] channel in
                self?.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameSize: maxFrameSize)))
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(dispatcher: dispatcher, gauge: gauge, stats: stats))
                }
            }
        let serverChannel = try await bootstrap.bind(unixDomainSocketPath: configuration.socketPath).get()
        guard chmod(configuration.socketPath, mode_t(configuration.socketMode)) == 0 else {
            let reason = String(cString: strerror(errno))
            try? await serverChannel.close()
            throw SocketFileError("cannot set mode \(String(configuration.socketMode, radix: 8)) on \(configuration.socketPath): \(reason)")
        }
        logger.info("steerd listening", metadata: ["socket": "\(configuration.socketPath)"])
        markListening()

        // Suspends until SIGTERM/SIGINT (through the ServiceGroup) or cancellation.
        try? await gracefulShutdown()

        logger.info("steerd shutting down", metadata: ["in_flight": "\(gauge.count)"])
        try? await serverChannel.close()
        await drain(gracePeriod: configuration.shutdownGracePeriodSeconds)
        let open = connections.withLock { Array($0.values) }
        for channel in open { try? await channel.close() }
        unlink(configuration.socketPath)
        logger.info("steerd stopped")
    }

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
