// `steer serve`: runs steerd in the foreground until SIGTERM or SIGINT.
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SteerDaemon
import SteerData
import SteerDPRTraining
import SteerPrompt
import SteerTasks
import SteerTraining
import SteerTransport
import SteerBLAS
import SteerIndex
import SteerWire

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run steerd, the Steer daemon, on a Unix socket.",
        discussion: """
        Started by systemd socket activation (LISTEN_FDS=1, LISTEN_PID = this process), steerd serves \
        on descriptor 3 instead of binding --socket, and leaves that socket's file alone.
        """)

    @Option(help: "A JSON configuration file whose keys mirror these options (socket, socketMode, maxFrameSize, maxResponseSize, pluginDir, snapshotDir, index, state, encoder, encoderPrecision, router, promptCacheMB, minPartConfidence, maxInFlightPerConnection, maxInFlight, maxQueuedRowsPerConnection, maxConnections, idleTimeout, listenBacklog, maxBatchSize, maxQueueDelayMicros, shutdownGrace, blasThreads, logLevel, allowedUIDs, allowedGIDs); options given here win over it.")
    var config: String?
    @Option(help: "Socket path (default: $STEER_SOCKET, else $XDG_RUNTIME_DIR/steer/steerd.sock, else /tmp/steer-<uid>/steerd.sock).")
    var socket: String?
    @Option(help: "Socket file mode, octal (default: 660).") var socketMode: String?
    @Option(help: "Largest accepted frame, bytes (default: 4 MiB).") var maxFrameSize: Int?
    @Option(help: "Largest response frame, bytes; a request whose answer would be larger is refused RESOURCE_EXHAUSTED, before the work when its size is known from the request (default: --max-frame-size).")
    var maxResponseSize: Int?
    @Option(help: "Directory of backbone plugins (default: the directory of this executable).") var pluginDir: String?
    @Option(help: "Directory for snapshots (default: $STEER_CACHE/snapshots, $STEER_CACHE defaulting to ~/.cache/steer).") var snapshotDir: String?
    @Option(help: "An item-index snapshot to load at start.") var index: String?
    @Option(help: "A state snapshot to restore at start (a name in the snapshot directory, as SaveSnapshot wrote it): backbone with its checkpoint, item index, prompt cache; steerd refuses to start if it does not verify.")
    var state: String?
    @Option(help: "Sentence-encoder model folder, MiniLM (bert) or MPNet (mpnet) by its config.json (default: $STEER_CACHE/models/all-MiniLM-L6-v2 when present).") var encoder: String?
    @Option(help: "The encoder's linear layers: int8 (default; AVX-512 VNNI, about 4x faster per prompt, cosine 0.999 to fp32, Table 1 within 1%; fp32 where the CPU lacks VNNI) or fp32 (within 1e-5 of sentence-transformers).")
    var encoderPrecision: String?
    @Option(help: "Router model file: one written by `steer router train`, or the router-head.json of a fine-tuned router's folder (Scripts/train-router-encoder; it runs its own encoder on every new prompt part), or \"fine-tuned\" for the fine-tuned router bundled with SteerPrompt (rank-16 adapters of the serving encoder, blended with the bundled router). Default: the router bundled with SteerPrompt. A named file that does not load stops the start.")
    var router: String?
    @Option(help: "Prompt-embedding cache size, MiB (default: 32).") var promptCacheMb: Int?
    @Option(help: "Steer every request (Recommend's requests, Fuse's positive rows) together with its nearest training requests (the prompt memory) of a DPR head trained with stage-3 tags on this dataset, e.g. ml-1m: its genre training prompts and the training tag wordings of Data/ml-1m-tags.tsv and Data/ml-1m-tag-phrasings.tsv (read from the current directory), embedded before steerd listens (about 30 s). Not a --config key. Default: off.")
    var promptMemory: String?
    @Option(help: "The router's confidence a part of a prompt needs to steer Recommend; a part below it is not applied, since a wrong tower inverts the request and no steering never does (default: 0.75; stated polarities always apply).")
    var minPartConfidence: Double?
    @Option(help: "Requests one connection may have in flight; more are answered RESOURCE_EXHAUSTED (default: 256).")
    var maxInFlightPerConnection: Int?
    @Option(help: "Requests in flight across all connections; more are answered RESOURCE_EXHAUSTED (default: 4096).")
    var maxInFlight: Int?
    @Option(help: "Rows of compute work (Fuse rows, EmbedPrompt and Route prompts, EncodeHistory histories, Retrieve queries) one connection may have in flight; a request that would pass it is answered RESOURCE_EXHAUSTED (default: 16384).")
    var maxQueuedRowsPerConnection: Int?
    @Option(help: "Rows (histories, prompts, Recommend requests) the dynamic batchers gather into one batch; 1, the default, turns batching off.")
    var maxBatchSize: Int?
    @Option(help: "Microseconds the oldest waiting request may wait for a batch to fill; 0 takes what is queued at once (default: 0).")
    var maxQueueDelayMicros: Int?
    @Option(help: "Seconds to let requests in flight finish at shutdown; then the ones still open are answered UNAVAILABLE and their work cancelled (default: 10).")
    var shutdownGrace: Double?
    @Option(help: "Connections served at once; one more is answered RESOURCE_EXHAUSTED and closed (default: 4096). Keep it below the descriptor limit (ulimit -n).")
    var maxConnections: Int?
    @Option(help: "Seconds a connection may go without a frame and without a request in flight before it is closed; 0: never (default: 300).")
    var idleTimeout: Double?
    @Option(help: "Connections that may wait to be accepted (default: 4096; Linux clamps it to net.core.somaxconn).")
    var listenBacklog: Int?
    @Option(help: "Threads OpenBLAS uses inside one call; 1 (the default) suits a daemon serving concurrent requests.")
    var blasThreads: Int?
    @Option(help: "Log level: trace, debug, info (default), notice, warning, error, critical.") var logLevel: String?
    @Option(help: "Uids whose connections are served, comma-separated (default: steerd's own uid; root always is).")
    var allowedUids: String?
    @Option(help: "Gids whose connections are served, by the peer's effective gid, comma-separated (default: steerd's own gid).")
    var allowedGids: String?

    /// The settings given as flags; nil where a flag is absent, so that the file's value stands.
    func flagSettings() throws -> ServeSettings {
        var s = ServeSettings()
        s.socket = socket
        s.socketMode = socketMode
        s.maxFrameSize = maxFrameSize
        s.pluginDir = pluginDir
        s.snapshotDir = snapshotDir
        s.index = index
        s.state = state
        s.encoder = encoder
        s.encoderPrecision = encoderPrecision
        s.router = router
        s.promptCacheMB = promptCacheMb
        s.minPartConfidence = minPartConfidence
        s.maxInFlightPerConnection = maxInFlightPerConnection
        s.maxInFlight = maxInFlight
        s.maxQueuedRowsPerConnection = maxQueuedRowsPerConnection
        s.maxBatchSize = maxBatchSize
        s.maxQueueDelayMicros = maxQueueDelayMicros
        s.shutdownGrace = shutdownGrace
        s.maxResponseSize = maxResponseSize
        s.maxConnections = maxConnections
        s.idleTimeout = idleTimeout
        s.listenBacklog = listenBacklog
        s.blasThreads = blasThreads
        s.logLevel = logLevel
        s.allowedUIDs = try allowedUids.map { try parseList($0, what: "--allowed-uids") }
        s.allowedGIDs = try allowedGids.map { try parseList($0, what: "--allowed-gids") }
        return s
    }

    func run() async throws {
        // First, while nothing else reads the environment: takes LISTEN_FDS/LISTEN_PID and unsets them.
        let inheritedSocket: Int32?
        var resolved: ServeSettings.Resolved
        do {
            inheritedSocket = try SocketActivation.takeListeningSocket()
            var settings = try flagSettings()
            if let config { settings = settings.overriding(try ServeSettings.load(path: config)) }
            resolved = try settings.resolve(executableDirectory: Self.executableDirectory(), cacheDirectory: Self.cacheDirectory(),
                                            inheritedSocket: inheritedSocket)
        } catch let error as ServeSettingsError {
            throw ValidationFailureExit(message: error.description)
        } catch let error as SocketActivationError {
            throw ValidationFailureExit(message: "steerd cannot start: \(error)")
        }
        if let promptMemory {
            do {
                let dataset = try DatasetLocator.load(promptMemory)
                var tags = try ItemTags(contentsOf: ItemTags.defaultPath(), dataset: dataset)
                tags.phrasings = try TagPhrasings(contentsOf: TagPhrasings.defaultPath(), itemTokens: dataset.itemTokens, tags: tags)
                resolved.configuration.promptMemoryTexts = PromptMemory.trainingRequests(
                    templates: try PromptTemplates.bundled(), categoryNames: dataset.categoryNames, tags: tags, itemCount: dataset.itemCount)
                resolved.configuration.promptMemoryCacheDirectory = (Self.cacheDirectory() as NSString).appendingPathComponent("prompt-memory")
            } catch {
                throw ValidationFailureExit(message: "steerd cannot start: --prompt-memory \(promptMemory): \(error)")
            }
        }
        let level = resolved.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "steerd")
        BLASThreads.set(resolved.blasThreads)
        let server: SteerServer
        do {
            server = try SteerServer(configuration: resolved.configuration, logger: logger)
        } catch {
            throw ValidationFailureExit(message: "steerd cannot start: \(error)")
        }
        let group = ServiceGroup(configuration: .init(
            services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        if server.tasksRunning > 0 {
            // Work cut short by the grace period may still be inside a BLAS call. OpenBLAS's exit
            // handler joins its worker threads and can wait for ever on one that is busy (seen in
            // the test process: exit() stuck in blas_thread_shutdown_), so skip the exit handlers:
            // every answer is written and the socket removed by now.
            logger.info("steerd exits with cancelled work still running", metadata: ["tasks": "\(server.tasksRunning)"])
            fflush(nil)
            _exit(0)
        }
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
