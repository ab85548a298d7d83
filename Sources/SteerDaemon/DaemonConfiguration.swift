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
    /// Longest wait for requests in flight at shutdown before connections are closed anyway.
    public var shutdownGracePeriodSeconds: Double

    /// - Parameters:
    ///   - socketPath: where to listen; the default is `DaemonConfiguration.defaultSocketPath`.
    ///   - socketMode: file mode of the socket, default `0o660`.
    ///   - maxFrameSize: largest frame body, default 4 MiB.
    ///   - pluginDirectory: where backbone plugins are found.
    ///   - snapshotDirectory: where snapshot names resolve.
    ///   - indexSnapshotPath: an item index to load at start.
    ///   - shutdownGracePeriodSeconds: default 10 s.
    public init(socketPath: String = DaemonConfiguration.defaultSocketPath,
                socketMode: UInt16 = 0o660,
                maxFrameSize: Int = Framing.defaultMaxFrameSize,
                pluginDirectory: String,
                snapshotDirectory: String,
                indexSnapshotPath: String? = nil,
                shutdownGracePeriodSeconds: Double = 10) {
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.maxFrameSize = maxFrameSize
        self.pluginDirectory = pluginDirectory
        self.snapshotDirectory = snapshotDirectory
        self.indexSnapshotPath = indexSnapshotPath
        self.shutdownGracePeriodSeconds = shutdownGracePeriodSeconds
    }

    /// `$XDG_RUNTIME_DIR/steer/steerd.sock` when that variable is set, else `/tmp/steer-<uid>/steerd.sock`.
    public static var defaultSocketPath: String { SocketPaths.defaultSocketPath }
}
