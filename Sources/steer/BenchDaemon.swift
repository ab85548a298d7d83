// A steerd child process for `steer bench rpc`, and the requests every measurement sends.
import Foundation
import SteerCheckpoint
import SteerClient
import SteerRandom
import SteerTraining
import SteerWire

/// `steer serve` of a given executable on a temporary socket, with a random item index and, when
/// the bench has one, the checkpoint in its snapshot folder as `model.snap`.
struct BenchDaemon {
    let socket: String
    private let directory: String
    private let process: Process

    init(executable: String, label: String, command: BenchRPCCommand) throws {
        directory = NSTemporaryDirectory() + "steer-bench-\(label)"
        try FileManager.default.createDirectory(atPath: directory + "/snapshots", withIntermediateDirectories: true)
        // The index is written by this executable, so two daemons compared with --against serve the same items.
        let own = ServeCommand.executableDirectory() + "/steer"
        let indexer = try command.runChild(own, ["index", "random", "--items", "\(command.items)", "--dim", "\(command.dim)",
                                                 "--out", directory + "/index.snap"], quiet: true)
        indexer.waitUntilExit()
        socket = directory + "/steerd.sock"
        var arguments = ["serve", "--socket", socket, "--index", directory + "/index.snap", "--snapshot-dir", directory + "/snapshots",
                         "--log-level", "warning", "--blas-threads", "\(command.threads)"]
        if let encoder = command.encoder { arguments += ["--encoder", encoder] }
        if let precision = command.encoderPrecision { arguments += ["--encoder-precision", precision.rawValue] }
        if let router = command.router { arguments += ["--router", router] }
        if let memory = command.promptMemory { arguments += ["--prompt-memory", memory] }
        if let checkpoint = command.checkpoint {
            try FileManager.default.copyItem(atPath: checkpoint, toPath: directory + "/snapshots/model.snap")
        }
        process = try command.runChild(executable, arguments, quiet: false)
        do {
            try command.waitForSocket(socket)
        } catch {
            stop()
            throw error
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension BenchRPCCommand {
    var healthPayload: [UInt8] { HealthRequest().encoded() }

    /// One query of `dim` Gaussian floats, the same in every run.
    var retrievePayload: [UInt8] {
        var rng = SeededRandom(seed: 7)
        return RetrieveRequest(k: 10, queries: [RetrieveQuery(vector: (0..<dim).map { _ in rng.nextGaussian() })]).encoded()
    }

    static let cachedPrompt = "I'm in the mood for a comedy"
    static let cachedTwoPartPrompt = "a comedy, but please no romance"
    static let topics = ["comedy", "horror", "a western", "something romantic", "sci-fi", "a documentary", "a thriller", "animation"]

    /// A prompt text no other request of the run sends, so the prompt cache misses.
    static func newPrompt(connection c: Int, request i: Int) -> String {
        "Tonight I want \(topics[i % topics.count]), pick number \(c * 1_000_000 + i)"
    }

    /// The 200-item history Recommend sends, the same in every run.
    static func history(items: UInt64) -> [UInt32] {
        var rng = SeededRandom(seed: 11)
        return (0..<200).map { _ in UInt32(rng.next() % items) }
    }

    /// LoadBackbone of the bench's checkpoint (`model.snap` in the daemon's snapshot folder).
    func loadCheckpoint(_ checkpoint: String, socket: String) throws -> LoadBackboneResponse {
        let connection = try SteerConnection(socketPath: socket)
        return try connection.call(.loadBackbone, LoadBackboneRequest(name: try BackboneCheckpoint.load(contentsOf: checkpoint).plugin,
                                                                      checkpoint: "model.snap"), as: LoadBackboneResponse.self)
    }
}
