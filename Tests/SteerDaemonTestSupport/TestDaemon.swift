// An in-process steerd on a temporary socket, and small things the daemon and client tests share.
import Foundation
import Logging
import ServiceLifecycle
import SteerClient
import SteerDaemon
import SteerTransport
import SteerIndex

public final class TestDaemon: @unchecked Sendable {
    public let directory: String
    public let socketPath: String
    public let server: SteerServer
    private let group: ServiceGroup
    private var task: Task<Void, Error>?

    public static let quietLogger = Logger(label: "steerd-test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// - Parameters:
    ///   - index: written to the snapshot directory as `index.snap` and loaded at start.
    ///   - adjust: last changes to the configuration (allowed peers, socket mode).
    public init(index: ItemIndex? = nil, maxFrameSize: Int = 4 << 20, pluginDirectory: String? = nil,
         encoderDirectory: String? = nil, adjust: (inout DaemonConfiguration) -> Void = { _ in }) async throws {
        directory = NSTemporaryDirectory() + "steerd-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/snapshots", withIntermediateDirectories: true)
        socketPath = directory + "/steerd.sock"
        var indexPath: String?
        if let index {
            indexPath = directory + "/snapshots/index.snap"
            try index.write(to: indexPath!)
        }
        var configuration = DaemonConfiguration(
            socketPath: socketPath, maxFrameSize: maxFrameSize,
            pluginDirectory: pluginDirectory ?? directory + "/plugins", snapshotDirectory: directory + "/snapshots",
            indexSnapshotPath: indexPath, encoderDirectory: encoderDirectory, encoderRequired: encoderDirectory != nil,
            shutdownGracePeriodSeconds: 5)
        adjust(&configuration)
        server = try SteerServer(configuration: configuration, logger: Self.quietLogger)
        group = ServiceGroup(configuration: .init(services: [server], logger: Self.quietLogger))
        let group = self.group
        task = Task { try await group.run() }
        try await server.waitUntilListening()
    }

    public func connect() throws -> SteerConnection { try SteerConnection(socketPath: socketPath) }

    /// Graceful shutdown, returning when the server has stopped (its connections closed, its
    /// socket removed); cancelled work may still be running.
    public func shutDown() async throws {
        await group.triggerGracefulShutdown()
        try await task?.value
    }

    /// Graceful shutdown; then waits (up to 5 minutes) for cancelled work still running, which stops
    /// at its next cancellation check, so it never takes the next test's cores; then removes the
    /// temporary directory.
    public func stop() async throws {
        try await shutDown()
        let limit = ContinuousClock.now + .seconds(300)
        while server.requestsInFlight > 0 || server.tasksRunning > 0, ContinuousClock.now < limit {
            try await Task.sleep(for: .milliseconds(20))
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A small index: item i has embedding (i, 1) scaled, categories i % 3.
public func smallIndex(count: Int = 12) throws -> ItemIndex {
    var embeddings: [Float] = []
    for i in 0..<count { embeddings += [Float(i), 1] }
    return try ItemIndex(embeddings: embeddings, dimension: 2, itemCategories: (0..<count).map { [UInt32($0 % 3)] },
                         categoryCount: 3, categoryNames: ["a", "b", "c"])
}

/// The MiniLM folder the set-up unpacks ($STEER_CACHE, default ~/.cache/steer); `make test` runs the set-up first.
public var miniLMDirectory: String {
    let cache = ProcessInfo.processInfo.environment["STEER_CACHE"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache/steer"
    return cache + "/models/all-MiniLM-L6-v2"
}

/// The repository root, from this file's path.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
