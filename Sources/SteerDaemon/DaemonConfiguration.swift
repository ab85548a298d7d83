// Everything steerd needs to know at start, with documented defaults.
import SteerWire

/// The configuration of one steerd instance.
public struct DaemonConfiguration: Sendable {
    /// Path of the Unix domain socket to listen on.
    public var socketPath: String
    /// File mode of the socket (owner and group may connect by default).
    public var socketMode: UInt16
    /// Largest frame body accepted; a larger announced length is answered RESOURCE_EXHAUSTED
    /// and the connection closed, before anything is allocated for it.
    public var maxFrameSize: Int
    /// Directory searched for backbone plugins (`libSteerBackbone<Name>.so`).
    public var pluginDirectory: String
    /// Directory SaveSnapshot and LoadSnapshot (and LoadBackbone checkpoints) resolve names in.
    public var snapshotDirectory: String
    /// An item-index snapshot loaded at start, if any.
    public var indexSnapshotPath: String?
    /// The sentence encoder's model folder (all-MiniLM-L6-v2); nil: EmbedPrompt and Route are unavailable.
    public var encoderDirectory: String?
    /// Whether a failure to load the encoder stops the start (true when the user named a folder).
    public var encoderRequired: Bool
    /// Bytes the prompt-embedding cache may hold.
    public var promptCacheBytes: Int
    /// Longest wait for requests in flight at shutdown before connections are closed anyway.
    public var shutdownGracePeriodSeconds: Double

    /// - Parameters:
    ///   - socketPath: where to listen; the default is `DaemonConfiguration.defaultSocketPath`.
    ///   - socketMode: file mode of the socket, default `0o660`.
    ///   - maxFrameSize: largest frame body, default 4 MiB.
    ///   - pluginDirectory: where backbone plugins are found.
    ///   - snapshotDirectory: where snapshot names resolve.
    ///   - indexSnapshotPath: an item index to load at start.
    ///   - encoderDirectory: the MiniLM model folder; nil leaves EmbedPrompt and Route unavailable.
    ///   - encoderRequired: fail the start when the encoder does not load.
    ///   - promptCacheBytes: bound of the prompt-embedding cache, default 32 MiB.
    ///   - shutdownGracePeriodSeconds: default 10 s.
    public init(socketPath: String = DaemonConfiguration.defaultSocketPath,
                socketMode: UInt16 = 0o660,
                maxFrameSize: Int = Framing.defaultMaxFrameSize,
                pluginDirectory: String,
                snapshotDirectory: String,
                indexSnapshotPath: String? = nil,
                encoderDirectory: String? = nil,
                encoderRequired: Bool = false,
                promptCacheBytes: Int = 32 << 20,
                shutdownGracePeriodSeconds: Double = 10) {
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.maxFrameSize = maxFrameSize
        self.pluginDirectory = pluginDirectory
        self.snapshotDirectory = snapshotDirectory
        self.indexSnapshotPath = indexSnapshotPath
        self.encoderDirectory = encoderDirectory
        self.encoderRequired = encoderRequired
        self.promptCacheBytes = promptCacheBytes
        self.shutdownGracePeriodSeconds = shutdownGracePeriodSeconds
    }

    /// `$XDG_RUNTIME_DIR/steer/steerd.sock` when that variable is set, else `/tmp/steer-<uid>/steerd.sock`.
    public static var defaultSocketPath: String { SocketPaths.defaultSocketPath }
}
