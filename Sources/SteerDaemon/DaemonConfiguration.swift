// Everything steerd needs to know at start, with documented defaults.
import SteerPrompt
import SteerText
import SteerTransport
import SteerWire
#if canImport(Glibc)
import Glibc
#endif

/// The configuration of one steerd instance.
public struct DaemonConfiguration: Sendable {
    /// Path of the Unix domain socket to listen on.
    public var socketPath: String
    /// File mode of the socket (owner and group may connect by default).
    public var socketMode: UInt16
    /// Largest frame body accepted; a larger announced length is answered RESOURCE_EXHAUSTED
    /// and the connection closed, before anything is allocated for it.
    public var maxFrameSize: Int
    /// Largest response frame body steerd will send. A request whose response is known from the
    /// request to exceed it (Retrieve's queries × k, EncodeHistory's and Fuse's rows, EmbedPrompt's
    /// prompts) is refused RESOURCE_EXHAUSTED before any work; a response that turns out larger
    /// once encoded is replaced by RESOURCE_EXHAUSTED. nil: `maxFrameSize`, so that a client that
    /// bounds its reads as steerd bounds its own never meets a frame it refuses.
    public var maxResponseSize: Int?
    /// Directory searched for backbone plugins (`libSteerBackbone<Name>.so`).
    public var pluginDirectory: String
    /// Directory SaveSnapshot and LoadSnapshot (and LoadBackbone checkpoints) resolve names in.
    public var snapshotDirectory: String
    /// An item-index snapshot loaded at start, if any.
    public var indexSnapshotPath: String?
    /// A state snapshot (by name in the snapshot directory) restored at start, after the index.
    public var stateSnapshotName: String?
    /// The sentence encoder's model folder (all-MiniLM-L6-v2); nil: EmbedPrompt and Route are unavailable.
    public var encoderDirectory: String?
    /// Whether a failure to load the encoder stops the start (true when the user named a folder).
    public var encoderRequired: Bool
    /// The encoder's linear layers in fp32 (default) or int8 (where the CPU has AVX-512 VNNI).
    public var encoderPrecision: EncoderPrecision
    /// The router model file; nil: the router bundled with SteerPrompt. A named file that does not
    /// load (or was trained for another encoder) stops the start.
    public var routerFile: String?
    /// Bytes the prompt-embedding cache may hold.
    public var promptCacheBytes: Int
    /// The requests the served DPR head's positive tower was trained on (its genre prompts and
    /// tag wordings; `steer serve --prompt-memory`). When set, steerd embeds them at start and
    /// Recommend steers every request together with its nearest ones (`PromptMemory`); nil: off.
    public var promptMemoryTexts: [String]? = nil
    /// Where the prompt memory's embeddings are kept between starts (`PromptMemoryStore`;
    /// `steer serve`: `$STEER_CACHE/prompt-memory`); nil: embedded at every start.
    public var promptMemoryCacheDirectory: String? = nil
    /// The router's confidence a part of a read prompt needs to be applied (Recommend); a part
    /// below it does not move the user vector (`steered` false). Stated polarities always apply.
    public var minimumPartConfidence: Double
    /// Requests one connection may have in flight; one more is answered RESOURCE_EXHAUSTED at once.
    public var maxInFlightPerConnection: Int
    /// Requests the daemon may have in flight across all connections; one more is answered RESOURCE_EXHAUSTED at once.
    public var maxInFlightTotal: Int
    /// Rows of compute work (Fuse rows, prompts of EmbedPrompt and Route, histories of
    /// EncodeHistory, Retrieve queries) one connection may have admitted and unanswered; a
    /// request that would pass it is answered RESOURCE_EXHAUSTED at once (see `RowQuota`).
    public var maxQueuedRowsPerConnection: Int
    /// Rows (histories, prompts, Recommend requests) gathered into one batch by the dynamic batchers; 1 turns batching off.
    public var maxBatchSize: Int
    /// How long the oldest waiting request may wait for others before a batch that is not full
    /// is formed, in microseconds; 0 takes whatever is queued at once.
    public var maxQueueDelayMicros: Int
    /// How long requests in flight may run on at shutdown; then those still open are answered
    /// UNAVAILABLE, their work is cancelled, and the daemon stops (within about half a second more).
    public var shutdownGracePeriodSeconds: Double
    /// Connections served at once; one more is answered RESOURCE_EXHAUSTED and closed. Keep it
    /// below the process's descriptor limit (RLIMIT_NOFILE) less some 64 for steerd's own files.
    public var maxConnections: Int
    /// Seconds a connection may stay without a frame from its client and without a request in
    /// flight before steerd closes it; 0: never.
    public var idleTimeoutSeconds: Double
    /// Connections that may wait to be accepted (`listen`'s backlog); Linux clamps it to
    /// `net.core.somaxconn` (see `ListenBacklog`). Ignored under socket activation (the supervisor listens).
    public var listenBacklog: Int
    /// Peers (by SO_PEERCRED uid) served besides root; others get PERMISSION_DENIED.
    public var allowedUIDs: [UInt32]
    /// Peers (by SO_PEERCRED effective gid) served besides root; supplementary groups are not seen.
    public var allowedGIDs: [UInt32]
    /// A listening socket handed over at start (systemd socket activation): steerd serves on it
    /// instead of binding `socketPath`, and neither changes the mode of its file nor removes it.
    public var inheritedSocket: Int32?

    /// - Parameters:
    ///   - socketPath: where to listen; the default is `DaemonConfiguration.defaultSocketPath`.
    ///   - socketMode: file mode of the socket, default `0o660`.
    ///   - maxFrameSize: largest frame body, default 4 MiB.
    ///   - pluginDirectory: where backbone plugins are found.
    ///   - snapshotDirectory: where snapshot names resolve.
    ///   - indexSnapshotPath: an item index to load at start.
    ///   - encoderDirectory: the MiniLM model folder; nil leaves EmbedPrompt and Route unavailable.
    ///   - encoderRequired: fail the start when the encoder does not load.
    ///   - encoderPrecision: fp32, or int8 linear layers (faster, not bit-close to the reference).
    ///   - routerFile: a router model file instead of the bundled router.
    ///   - promptCacheBytes: bound of the prompt-embedding cache, default 32 MiB.
    ///   - minimumPartConfidence: confidence a read part needs to steer, default 0.75 (`defaultMinimumPartConfidence`).
    ///   - maxInFlightPerConnection: requests in flight per connection, default 256.
    ///   - maxInFlightTotal: requests in flight across the daemon, default 4096.
    ///   - maxQueuedRowsPerConnection: rows of compute work in flight per connection, default 16,384.
    ///   - maxBatchSize: rows per dynamic batch; default 1, batching off (see `defaultMaxBatchSize`).
    ///   - maxQueueDelayMicros: longest wait for a batch to fill, default 0 (no added latency).
    ///   - shutdownGracePeriodSeconds: default 10 s.
    ///   - maxResponseSize: largest response frame body; default nil, `maxFrameSize`.
    ///   - maxConnections: connections served at once, default 4096.
    ///   - idleTimeoutSeconds: idle connections are closed after it, default 300 s; 0: never.
    ///   - listenBacklog: `listen`'s backlog, default 4096 (clamped by the kernel's somaxconn).
    ///   - allowedUIDs: peers served besides root, by uid; default the daemon's own uid.
    ///   - allowedGIDs: peers served besides root, by effective gid; default the daemon's own gid.
    ///   - inheritedSocket: a listening Unix socket to serve on instead of binding, e.g. from `SocketActivation`.
    public init(socketPath: String = DaemonConfiguration.defaultSocketPath,
                socketMode: UInt16 = 0o660,
                maxFrameSize: Int = Framing.defaultMaxFrameSize,
                pluginDirectory: String,
                snapshotDirectory: String,
                indexSnapshotPath: String? = nil,
                stateSnapshotName: String? = nil,
                encoderDirectory: String? = nil,
                encoderRequired: Bool = false,
                encoderPrecision: EncoderPrecision = .fp32,
                routerFile: String? = nil,
                promptCacheBytes: Int = 32 << 20,
                minimumPartConfidence: Double = DaemonConfiguration.defaultMinimumPartConfidence,
                maxInFlightPerConnection: Int = DaemonConfiguration.defaultMaxInFlightPerConnection,
                maxInFlightTotal: Int = DaemonConfiguration.defaultMaxInFlightTotal,
                maxQueuedRowsPerConnection: Int = DaemonConfiguration.defaultMaxQueuedRowsPerConnection,
                maxBatchSize: Int = DaemonConfiguration.defaultMaxBatchSize,
                maxQueueDelayMicros: Int = DaemonConfiguration.defaultMaxQueueDelayMicros,
                shutdownGracePeriodSeconds: Double = 10,
                maxResponseSize: Int? = nil,
                maxConnections: Int = DaemonConfiguration.defaultMaxConnections,
                idleTimeoutSeconds: Double = DaemonConfiguration.defaultIdleTimeoutSeconds,
                listenBacklog: Int = DaemonConfiguration.defaultListenBacklog,
                allowedUIDs: [UInt32] = [getuid()],
                allowedGIDs: [UInt32] = [getgid()],
                inheritedSocket: Int32? = nil) {
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.maxFrameSize = maxFrameSize
        self.pluginDirectory = pluginDirectory
        self.snapshotDirectory = snapshotDirectory
        self.indexSnapshotPath = indexSnapshotPath
        self.stateSnapshotName = stateSnapshotName
        self.encoderDirectory = encoderDirectory
        self.encoderRequired = encoderRequired
        self.encoderPrecision = encoderPrecision
        self.routerFile = routerFile
        self.promptCacheBytes = promptCacheBytes
        self.minimumPartConfidence = minimumPartConfidence
        self.maxInFlightPerConnection = maxInFlightPerConnection
        self.maxInFlightTotal = maxInFlightTotal
        self.maxQueuedRowsPerConnection = maxQueuedRowsPerConnection
        self.maxBatchSize = maxBatchSize
        self.maxQueueDelayMicros = maxQueueDelayMicros
        self.shutdownGracePeriodSeconds = shutdownGracePeriodSeconds
        self.maxResponseSize = maxResponseSize
        self.maxConnections = maxConnections
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.listenBacklog = listenBacklog
        self.allowedUIDs = allowedUIDs
        self.allowedGIDs = allowedGIDs
        self.inheritedSocket = inheritedSocket
    }

    /// Who may connect: root, `allowedUIDs` and `allowedGIDs`.
    public var peerAccessPolicy: PeerAccessPolicy {
        PeerAccessPolicy(allowedUIDs: allowedUIDs, allowedGIDs: allowedGIDs)
    }

    /// The response-size bound in effect: `maxResponseSize`, else `maxFrameSize`.
    public var responseSizeLimit: Int { maxResponseSize ?? maxFrameSize }

    /// What the transport (``SteerServer``) reads of this configuration.
    public var transport: TransportConfiguration {
        TransportConfiguration(
            socketPath: socketPath, socketMode: socketMode, maxFrameSize: maxFrameSize,
            maxInFlightPerConnection: maxInFlightPerConnection, maxInFlightTotal: maxInFlightTotal,
            maxQueuedRowsPerConnection: maxQueuedRowsPerConnection, shutdownGracePeriodSeconds: shutdownGracePeriodSeconds,
            maxConnections: maxConnections, idleTimeoutSeconds: idleTimeoutSeconds, listenBacklog: listenBacklog,
            peerAccessPolicy: peerAccessPolicy, inheritedSocket: inheritedSocket)
    }

    public static let defaultMaxConnections = TransportConfiguration.defaultMaxConnections
    public static let defaultIdleTimeoutSeconds = TransportConfiguration.defaultIdleTimeoutSeconds
    public static let defaultListenBacklog = TransportConfiguration.defaultListenBacklog
    public static let defaultMaxInFlightPerConnection = TransportConfiguration.defaultMaxInFlightPerConnection
    public static let defaultMaxInFlightTotal = TransportConfiguration.defaultMaxInFlightTotal
    public static let defaultMaxQueuedRowsPerConnection = TransportConfiguration.defaultMaxQueuedRowsPerConnection
    /// Off by default: batched answers differ from unbatched ones in the last bits (sgemm over a
    /// padded batch rounds differently), so with batching an answer depends on which requests it
    /// met; and on two cores batching measured a few percent slower for Recommend, faster only for
    /// uncached prompt embedding (see Deploy/README.md). 16 to 32 suits a machine with many cores
    /// serving many concurrent cache misses.
    public static let defaultMaxBatchSize = 1
    public static let defaultMaxQueueDelayMicros = 0
    /// A part the router gives at least 3 : 1 odds: the reader's own threshold (see
    /// `PromptReading.defaultMinimumConfidence` for why), so evaluation and serving agree.
    public static let defaultMinimumPartConfidence = PromptReading.defaultMinimumConfidence

    /// `$XDG_RUNTIME_DIR/steer/steerd.sock` when that variable is set, else `/tmp/steer-<uid>/steerd.sock`.
    public static var defaultSocketPath: String { SocketPaths.defaultSocketPath }
}
