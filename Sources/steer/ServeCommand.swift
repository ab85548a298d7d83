// `steer serve`: runs steerd in the foreground until SIGTERM or SIGINT.
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SteerDaemon
import SteerBLAS
import SteerIndex
import SteerWire

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run steerd, the Steer daemon, on a Unix socket.")

    @Option(help: "Socket path (default: $STEER_SOCKET, else $XDG_RUNTIME_DIR/steer/steerd.sock, else /tmp/steer-<uid>/steerd.sock).")
    var socket: String = SocketPaths.defaultSocketPath
    @Option(help: "Socket file mode, octal.") var socketMode: String = "660"
    @Option(help: "Largest accepted frame, bytes.") var maxFrameSize: Int = Framing.defaultMaxFrameSize
    @Option(help: "Directory of backbone plugins (default: the directory of this executable).") var pluginDir: String?
    @Option(help: "Directory for snapshots (default: $STEER_CACHE/snapshots, $STEER_CACHE defaulting to ~/.cache/steer).") var snapshotDir: String?
    @Option(help: "An item-index snapshot to load at start.") var index: String?
    @Option(help: "Sentence-encoder model folder, MiniLM (bert) or MPNet (mpnet) by its config.json (default: $STEER_CACHE/models/all-MiniLM-L6-v2 when present).") var encoder: String?
    @Option(help: "Prompt-embedding cache size, MiB.") var promptCacheMb = 32
    @Option(help: "Seconds to let requests in flight finish at shutdown.") var shutdownGrace: Double = 10
    @Option(help: "Threads OpenBLAS uses inside one call; 1 suits a daemon serving concurrent requests.")
    var blasThreads: Int = 1
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    func run() async throws {
        guard let mode = UInt16(socketMode, radix: 8), mode <= 0o777 else {
            throw ValidationError("--socket-mode must be octal, e.g. 660; got \(socketMode)")
        }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard maxFrameSize >= 64, maxFrameSize <= 1 << 30 else { throw ValidationError("--max-frame-size must be in 64...\(1 << 30)") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "steerd")
        BLASThreads.set(blasThreads)
        let configuration = DaemonConfiguration(
            socketPath: socket, socketMode: mode, maxFrameSize: maxFrameSize,
            pluginDirectory: pluginDir ?? Self.executableDirectory(),
            snapshotDirectory: snapshotDir ?? Self.cacheDirectory() + "/snapshots",
            indexSnapshotPath: index,
            encoderDirectory: encoder ?? Self.cacheDirectory() + "/models/all-MiniLM-L6-v2",
            encoderRequired: encoder != nil, promptCacheBytes: max(0, promptCacheMb) << 20,
            shutdownGracePeriodSeconds: shutdownGrace)
        let server: SteerServer
        do {
            server = try SteerServer(configuration: configuration, logger: logger)
        } catch {
            throw ValidationFailureExit(message: "steerd cannot start: \(error)")
        }
        let group = ServiceGroup(configuration: .init(
            services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    static func executableDirectory() -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }

    static func cacheDirectory() -> String {
        if let cache = ProcessInfo.processInfo.environment["STEER_CACHE"], !cache.isEmpty { return cache }
        return NSHomeDirectory() + "/.cache/steer"
    }
}
