// What the transport needs of steerd's configuration: the socket, frame and connection limits.

/// The socket, framing and admission limits of one server. The daemon's configuration documents
/// each field for users and derives this from itself.
public struct TransportConfiguration: Sendable {
    public var socketPath: String
    public var socketMode: UInt16
    public var maxFrameSize: Int
    public var maxInFlightPerConnection: Int
    public var maxInFlightTotal: Int
    public var maxQueuedRowsPerConnection: Int
    public var shutdownGracePeriodSeconds: Double
    public var maxConnections: Int
    /// 0: idle connections are never closed.
    public var idleTimeoutSeconds: Double
    public var listenBacklog: Int
    public var peerAccessPolicy: PeerAccessPolicy
    /// A listening socket handed over at start (socket activation), served instead of binding `socketPath`.
    public var inheritedSocket: Int32?

    public init(socketPath: String, socketMode: UInt16, maxFrameSize: Int,
                maxInFlightPerConnection: Int, maxInFlightTotal: Int, maxQueuedRowsPerConnection: Int,
                shutdownGracePeriodSeconds: Double, maxConnections: Int, idleTimeoutSeconds: Double,
                listenBacklog: Int, peerAccessPolicy: PeerAccessPolicy, inheritedSocket: Int32?) {
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.maxFrameSize = maxFrameSize
        self.maxInFlightPerConnection = maxInFlightPerConnection
        self.maxInFlightTotal = maxInFlightTotal
        self.maxQueuedRowsPerConnection = maxQueuedRowsPerConnection
        self.shutdownGracePeriodSeconds = shutdownGracePeriodSeconds
        self.maxConnections = maxConnections
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.listenBacklog = listenBacklog
        self.peerAccessPolicy = peerAccessPolicy
        self.inheritedSocket = inheritedSocket
    }

    /// Above the 1,000 idle connections steerd is known to hold. The descriptor limit must exceed
    /// it for the cap to bite first (systemd's default soft limit is 1024); when it does not,
    /// steerd pauses accepting at EMFILE instead of spinning (`AcceptBackoff`).
    public static let defaultMaxConnections = 4096
    /// Five minutes: long enough for a client that pools connections between bursts, short
    /// enough that abandoned connections do not pile up towards `maxConnections`.
    public static let defaultIdleTimeoutSeconds: Double = 300
    /// The kernel's default somaxconn since Linux 5.4; a burst of connects larger than this waits or gets EAGAIN.
    public static let defaultListenBacklog = 4096

    public static let defaultMaxInFlightPerConnection = 256
    public static let defaultMaxInFlightTotal = 4096
    /// Four of the largest requests (EncodeHistory's 4,096 histories), and 16 Fuse requests of
    /// 1,024 prompts: some 40 s of MiniLM on one core, queued by one client at most.
    public static let defaultMaxQueuedRowsPerConnection = 16_384
}
