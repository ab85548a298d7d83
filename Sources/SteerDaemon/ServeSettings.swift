// `steer serve`'s settings as given on the command line or in a JSON file, merged and resolved.
import Foundation
import SteerText
import Logging
import SteerWire
#if canImport(Glibc)
import Glibc
#endif

public struct ServeSettingsError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Every `steer serve` setting, nil where not given. A configuration file has the same keys.
///
/// Command-line flags override the file key by key (`overriding(_:)`); `resolve` fills in the
/// defaults and checks the values.
public struct ServeSettings: Sendable, Equatable {
    /// Default: `$STEER_SOCKET`, else `$XDG_RUNTIME_DIR/steer/steerd.sock`, else `/tmp/steer-<uid>/steerd.sock`.
    public var socket: String?
    /// Octal digits, default "660".
    public var socketMode: String?
    /// Bytes, default 4 MiB, within 64...2^30.
    public var maxFrameSize: Int?
    /// Largest response frame, bytes, within 64...2^30; default `maxFrameSize`.
    public var maxResponseSize: Int?
    /// Default: the directory of the `steer` executable.
    public var pluginDir: String?
    /// Default: `$STEER_CACHE/snapshots`.
    public var snapshotDir: String?
    /// An item-index snapshot loaded at start; default none.
    public var index: String?
    /// A state snapshot (SaveSnapshot's file, by name in the snapshot directory) restored at start; default none.
    public var state: String?
    /// Sentence-encoder folder; given, it must load. Default `$STEER_CACHE/models/all-MiniLM-L6-v2` when present.
    public var encoder: String?
    /// Router model file (a `steer router train` file, or the `router-head.json` of a fine-tuned
    /// router's folder); given, it must load. Default: the router bundled with SteerPrompt.
    public var router: String?
    /// MiB, default 32.
    public var promptCacheMB: Int?
    /// The router's confidence a part of a prompt needs to steer Recommend, default 0.75, within 0...1.
    public var minPartConfidence: Double?
    /// Requests in flight per connection, default 256, within 1...2^20.
    public var maxInFlightPerConnection: Int?
    /// Requests in flight across the daemon, default 4096, within 1...2^20.
    public var maxInFlight: Int?
    /// Rows of compute work in flight per connection, default 16,384, within 1...2^24.
    public var maxQueuedRowsPerConnection: Int?
    /// Rows per dynamic batch, default 1 (no batching), within 1...4096.
    public var maxBatchSize: Int?
    /// Microseconds a batch may wait to fill, default 0, within 0...1,000,000.
    public var maxQueueDelayMicros: Int?
    /// Seconds, default 10, within 0...86400.
    public var shutdownGrace: Double?
    /// Connections served at once, default 4096, within 1...2^20.
    public var maxConnections: Int?
    /// Seconds an idle connection is kept, default 300, within 0...86400 (0: for ever).
    public var idleTimeout: Double?
    /// `listen` backlog, default 4096, within 1...2^20 (clamped by the kernel's somaxconn).
    public var listenBacklog: Int?
    /// OpenBLAS threads per call, default 1.
    public var blasThreads: Int?
    /// int8 (default; fp32 where the CPU lacks AVX-512 VNNI) or fp32: the sentence encoder's
    /// linear layers. `DaemonConfiguration` itself defaults to fp32, the reference arithmetic.
    public var encoderPrecision: String?
    /// trace, debug, info (default), notice, warning, error or critical.
    public var logLevel: String?
    /// Default: the daemon's own uid. Root is always allowed.
    public var allowedUIDs: [UInt32]?
    /// Default: the daemon's own gid.
    public var allowedGIDs: [UInt32]?

    public init() {}

    /// The keys a configuration file may hold, in the order of `steer serve --help`.
    public static let keys = [
        "socket", "socketMode", "maxFrameSize", "maxResponseSize", "pluginDir", "snapshotDir", "index", "state", "encoder", "encoderPrecision",
        "router", "promptCacheMB", "minPartConfidence", "maxInFlightPerConnection", "maxInFlight", "maxQueuedRowsPerConnection", "maxConnections", "idleTimeout", "listenBacklog",
        "maxBatchSize", "maxQueueDelayMicros", "shutdownGrace", "blasThreads", "logLevel", "allowedUIDs", "allowedGIDs",
    ]

    /// These settings where given, else `base`'s: how command-line flags win over a file.
    public func overriding(_ base: ServeSettings) -> ServeSettings {
        var merged = base
        if let socket { merged.socket = socket }
        if let socketMode { merged.socketMode = socketMode }
        if let maxFrameSize { merged.maxFrameSize = maxFrameSize }
        if let maxResponseSize { merged.maxResponseSize = maxResponseSize }
        if let maxConnections { merged.maxConnections = maxConnections }
        if let idleTimeout { merged.idleTimeout = idleTimeout }
        if let listenBacklog { merged.listenBacklog = listenBacklog }
        if let pluginDir { merged.pluginDir = pluginDir }
        if let snapshotDir { merged.snapshotDir = snapshotDir }
        if let index { merged.index = index }
        if let state { merged.state = state }
        if let encoder { merged.encoder = encoder }
        if let encoderPrecision { merged.encoderPrecision = encoderPrecision }
        if let router { merged.router = router }
        if let promptCacheMB { merged.promptCacheMB = promptCacheMB }
        if let minPartConfidence { merged.minPartConfidence = minPartConfidence }
        if let maxInFlightPerConnection { merged.maxInFlightPerConnection = maxInFlightPerConnection }
        if let maxInFlight { merged.maxInFlight = maxInFlight }
        if let maxQueuedRowsPerConnection { merged.maxQueuedRowsPerConnection = maxQueuedRowsPerConnection }
        if let maxBatchSize { merged.maxBatchSize = maxBatchSize }
        if let maxQueueDelayMicros { merged.maxQueueDelayMicros = maxQueueDelayMicros }
        if let shutdownGrace { merged.shutdownGrace = shutdownGrace }
        if let blasThreads { merged.blasThreads = blasThreads }
        if let logLevel { merged.logLevel = logLevel }
        if let allowedUIDs { merged.allowedUIDs = allowedUIDs }
        if let allowedGIDs { merged.allowedGIDs = allowedGIDs }
        return merged
    }

    /// Reads a JSON configuration file: one object whose keys are `keys`.
    ///
    /// Relative paths in the file are taken from the file's directory, not the working directory.
    /// - Throws: `ServeSettingsError` naming the file, and the key for an unknown key, a value of
    ///   the wrong type or a value out of range.
    public static func load(path: String) throws -> ServeSettings {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ServeSettingsError("cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        var settings: ServeSettings
        do {
            settings = try JSONDecoder().decode(FileContents.self, from: data).settings
        } catch let problem as FileProblem {
            throw ServeSettingsError("\(path): \(problem.description)")
        } catch DecodingError.dataCorrupted(let context) {
            let detail = context.underlyingError.map { "\($0)" } ?? context.debugDescription
            throw ServeSettingsError("\(path) is not valid JSON: \(detail)")
        } catch {
            throw ServeSettingsError("\(path) is not valid JSON: \(error)")
        }
        try settings.validate { key, _ in "\"\(key)\" in \(path)" }
        let directory = (path as NSString).deletingLastPathComponent
        func anchored(_ p: String?) -> String? {
            guard let p, !p.hasPrefix("/"), !directory.isEmpty else { return p }
            return directory + "/" + p
        }
        settings.socket = anchored(settings.socket)
        settings.pluginDir = anchored(settings.pluginDir)
        settings.snapshotDir = anchored(settings.snapshotDir)
        settings.index = anchored(settings.index)
        settings.encoder = anchored(settings.encoder)
        settings.router = anchored(settings.router)
        return settings
    }

    /// What `steer serve` runs with.
    public struct Resolved: Sendable {
        public var configuration: DaemonConfiguration
        public var logLevel: Logger.Level
        public var blasThreads: Int
    }

    /// Fills in the defaults and checks the values.
    /// - Parameters:
    ///   - executableDirectory: the default plugin directory.
    ///   - cacheDirectory: `$STEER_CACHE`, home of the default snapshot and encoder folders.
    ///   - inheritedSocket: a socket-activated listening descriptor, if any.
    /// - Throws: `ServeSettingsError` naming the flag of a bad value.
    public func resolve(executableDirectory: String, cacheDirectory: String, inheritedSocket: Int32? = nil) throws -> Resolved {
        try validate { _, flag in "--\(flag)" }
        let configuration = DaemonConfiguration(
            socketPath: socket ?? SocketPaths.defaultSocketPath,
            socketMode: UInt16(socketMode ?? "660", radix: 8)!,
            maxFrameSize: maxFrameSize ?? Framing.defaultMaxFrameSize,
            pluginDirectory: pluginDir ?? executableDirectory,
            snapshotDirectory: snapshotDir ?? cacheDirectory + "/snapshots",
            indexSnapshotPath: index,
            stateSnapshotName: state,
            encoderDirectory: encoder ?? cacheDirectory + "/models/all-MiniLM-L6-v2",
            encoderRequired: encoder != nil,
            encoderPrecision: EncoderPrecision(rawValue: encoderPrecision ?? "int8")!,
            routerFile: router,
            promptCacheBytes: (promptCacheMB ?? 32) << 20,
            minimumPartConfidence: minPartConfidence ?? DaemonConfiguration.defaultMinimumPartConfidence,
            maxInFlightPerConnection: maxInFlightPerConnection ?? DaemonConfiguration.defaultMaxInFlightPerConnection,
            maxInFlightTotal: maxInFlight ?? DaemonConfiguration.defaultMaxInFlightTotal,
            maxQueuedRowsPerConnection: maxQueuedRowsPerConnection ?? DaemonConfiguration.defaultMaxQueuedRowsPerConnection,
            maxBatchSize: maxBatchSize ?? DaemonConfiguration.defaultMaxBatchSize,
            maxQueueDelayMicros: maxQueueDelayMicros ?? DaemonConfiguration.defaultMaxQueueDelayMicros,
            shutdownGracePeriodSeconds: shutdownGrace ?? 10,
            maxResponseSize: maxResponseSize,
            maxConnections: maxConnections ?? DaemonConfiguration.defaultMaxConnections,
            idleTimeoutSeconds: idleTimeout ?? DaemonConfiguration.defaultIdleTimeoutSeconds,
            listenBacklog: listenBacklog ?? DaemonConfiguration.defaultListenBacklog,
            allowedUIDs: allowedUIDs ?? [getuid()],
            allowedGIDs: allowedGIDs ?? [getgid()],
            inheritedSocket: inheritedSocket)
        return Resolved(configuration: configuration, logLevel: Logger.Level(rawValue: logLevel ?? "info")!,
                        blasThreads: blasThreads ?? 1)
    }

    /// Checks the values that are set; `name(key, flag)` says where a bad one came from.
    private func validate(naming name: (String, String) -> String) throws {
        if let socketMode, UInt16(socketMode, radix: 8).map({ $0 > 0o777 }) ?? true {
            throw ServeSettingsError("\(name("socketMode", "socket-mode")) must be an octal mode such as \"660\"; got \"\(socketMode)\"")
        }
        if let maxFrameSize, !(64...(1 << 30)).contains(maxFrameSize) {
            throw ServeSettingsError("\(name("maxFrameSize", "max-frame-size")) must be in 64...\(1 << 30); got \(maxFrameSize)")
        }
        if let maxResponseSize, !(64...(1 << 30)).contains(maxResponseSize) {
            throw ServeSettingsError("\(name("maxResponseSize", "max-response-size")) must be in 64...\(1 << 30); got \(maxResponseSize)")
        }
        if let maxConnections, !(1...(1 << 20)).contains(maxConnections) {
            throw ServeSettingsError("\(name("maxConnections", "max-connections")) must be in 1...\(1 << 20); got \(maxConnections)")
        }
        if let idleTimeout, !(idleTimeout >= 0 && idleTimeout <= 86_400) {
            throw ServeSettingsError("\(name("idleTimeout", "idle-timeout")) must be in 0...86400 seconds (0: never); got \(idleTimeout)")
        }
        if let listenBacklog, !(1...(1 << 20)).contains(listenBacklog) {
            throw ServeSettingsError("\(name("listenBacklog", "listen-backlog")) must be in 1...\(1 << 20); got \(listenBacklog)")
        }
        if let promptCacheMB, !(0...(1 << 20)).contains(promptCacheMB) {
            throw ServeSettingsError("\(name("promptCacheMB", "prompt-cache-mb")) must be in 0...\(1 << 20) MiB; got \(promptCacheMB)")
        }
        if let minPartConfidence, !(minPartConfidence >= 0 && minPartConfidence <= 1) {
            throw ServeSettingsError("\(name("minPartConfidence", "min-part-confidence")) must be in 0...1 (a router's confidence is 0.5...1, so 0.5 or less applies every part); got \(minPartConfidence)")
        }
        if let maxInFlightPerConnection, !(1...(1 << 20)).contains(maxInFlightPerConnection) {
            throw ServeSettingsError("\(name("maxInFlightPerConnection", "max-in-flight-per-connection")) must be in 1...\(1 << 20); got \(maxInFlightPerConnection)")
        }
        if let maxInFlight, !(1...(1 << 20)).contains(maxInFlight) {
            throw ServeSettingsError("\(name("maxInFlight", "max-in-flight")) must be in 1...\(1 << 20); got \(maxInFlight)")
        }
        if let maxQueuedRowsPerConnection, !(1...(1 << 24)).contains(maxQueuedRowsPerConnection) {
            throw ServeSettingsError("\(name("maxQueuedRowsPerConnection", "max-queued-rows-per-connection")) must be in 1...\(1 << 24); got \(maxQueuedRowsPerConnection)")
        }
        if let maxBatchSize, !(1...4096).contains(maxBatchSize) {
            throw ServeSettingsError("\(name("maxBatchSize", "max-batch-size")) must be in 1...4096 (1: no batching); got \(maxBatchSize)")
        }
        if let maxQueueDelayMicros, !(0...1_000_000).contains(maxQueueDelayMicros) {
            throw ServeSettingsError("\(name("maxQueueDelayMicros", "max-queue-delay-micros")) must be in 0...1000000 microseconds; got \(maxQueueDelayMicros)")
        }
        if let shutdownGrace, !(shutdownGrace >= 0 && shutdownGrace <= 86_400) {
            throw ServeSettingsError("\(name("shutdownGrace", "shutdown-grace")) must be in 0...86400 seconds; got \(shutdownGrace)")
        }
        if let blasThreads, !(1...1024).contains(blasThreads) {
            throw ServeSettingsError("\(name("blasThreads", "blas-threads")) must be in 1...1024; got \(blasThreads)")
        }
        if let encoderPrecision, EncoderPrecision(rawValue: encoderPrecision) == nil {
            throw ServeSettingsError("\(name("encoderPrecision", "encoder-precision")) must be fp32 or int8; got \"\(encoderPrecision)\"")
        }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ServeSettingsError("\(name("logLevel", "log-level")) must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(logLevel)\"")
        }
    }
}

extension ServeSettings {
    /// A key that is unknown, or whose value has the wrong type.
    private struct FileProblem: Error, CustomStringConvertible {
        var description: String
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The file's object, decoded key by key so that every problem names its key.
    private struct FileContents: Decodable {
        var settings = ServeSettings()

        init(from decoder: Decoder) throws {
            let object: KeyedDecodingContainer<AnyKey>
            do {
                object = try decoder.container(keyedBy: AnyKey.self)
            } catch {
                throw FileProblem(description: "the configuration must be one JSON object, {\"key\": value, ...}")
            }
            for key in object.allKeys.map(\.stringValue).sorted() where !ServeSettings.keys.contains(key) {
                throw FileProblem(description: "unknown key \"\(key)\"; the keys are \(ServeSettings.keys.joined(separator: ", "))")
            }
            func value<T: Decodable>(_ key: String, _ expected: String) throws -> T? {
                let codingKey = AnyKey(key)
                guard object.contains(codingKey) else { return nil }
                do {
                    return try object.decode(T.self, forKey: codingKey)
                } catch {
                    throw FileProblem(description: "\"\(key)\" must be \(expected)")
                }
            }
            settings.socket = try value("socket", "a string (the socket path)")
            settings.socketMode = try value("socketMode", "a string of octal digits, e.g. \"0660\"")
            settings.maxFrameSize = try value("maxFrameSize", "an integer (bytes)")
            settings.maxResponseSize = try value("maxResponseSize", "an integer (bytes)")
            settings.maxConnections = try value("maxConnections", "an integer (connections)")
            settings.idleTimeout = try value("idleTimeout", "a number (seconds)")
            settings.listenBacklog = try value("listenBacklog", "an integer (connections)")
            settings.pluginDir = try value("pluginDir", "a string (a directory)")
            settings.snapshotDir = try value("snapshotDir", "a string (a directory)")
            settings.index = try value("index", "a string (a snapshot path)")
            settings.state = try value("state", "a string (a file name in the snapshot directory)")
            settings.encoder = try value("encoder", "a string (a model folder)")
            settings.router = try value("router", "a string (a router model file)")
            settings.promptCacheMB = try value("promptCacheMB", "an integer (MiB)")
            settings.minPartConfidence = try value("minPartConfidence", "a number (a confidence, 0 to 1)")
            settings.maxInFlightPerConnection = try value("maxInFlightPerConnection", "an integer (requests)")
            settings.maxInFlight = try value("maxInFlight", "an integer (requests)")
            settings.maxQueuedRowsPerConnection = try value("maxQueuedRowsPerConnection", "an integer (rows)")
            settings.maxBatchSize = try value("maxBatchSize", "an integer (rows per batch)")
            settings.maxQueueDelayMicros = try value("maxQueueDelayMicros", "an integer (microseconds)")
            settings.shutdownGrace = try value("shutdownGrace", "a number (seconds)")
            settings.blasThreads = try value("blasThreads", "an integer")
            settings.encoderPrecision = try value("encoderPrecision", "a string (fp32 or int8)")
            settings.logLevel = try value("logLevel", "a string (\(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")))")
            settings.allowedUIDs = try value("allowedUIDs", "an array of uids (non-negative integers)")
            settings.allowedGIDs = try value("allowedGIDs", "an array of gids (non-negative integers)")
        }
    }
}
