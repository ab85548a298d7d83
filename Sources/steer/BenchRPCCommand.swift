// `steer bench rpc`: round-trip latency over the Unix socket with 1 and with N connections,
// against a steerd child process started on a temporary socket.
import ArgumentParser
import Foundation
import SteerClient
import SteerTraining
import SteerWire

struct BenchRPCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rpc",
        abstract: "Request round trips over the socket (Health, Retrieve top-10; with --checkpoint also Recommend), 1 and N connections.")
    @Option(help: "Requests per connection per measurement.") var requests: Int = 20_000
    @Option(help: "Connections for the concurrent measurement.") var connections: Int = 8
    @Option(help: "Items in the random index used by Retrieve.") var items: Int = 3_706
    @Option(help: "Embedding dimension of that index.") var dim: Int = 64
    @Option(help: "A DPR checkpoint (steer train-dpr) to also measure Recommend with a 200-item history: no prompt, a cached prompt, a new prompt per request.")
    var checkpoint: String?
    @Option(help: "Requests per connection for Recommend with a new (uncached) prompt each time.") var uncachedRequests: Int = 400
    @Option(help: "Sentence-encoder folder for steerd (default: its own default).") var encoder: String?
    @Flag(help: "Print JSON instead of a markdown table.") var json = false

    struct Row: Codable {
        var rpc: String
        var connections: Int
        var requests: Int
        var p50Micros: Double
        var p99Micros: Double
        var requestsPerSecond: Double
    }

    func run() throws {
        let dir = NSTemporaryDirectory() + "steer-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let exe = ServeCommand.executableDirectory() + "/steer"
        try runChild(exe, ["index", "random", "--items", "\(items)", "--dim", "\(dim)", "--out", dir + "/index.snap"], quiet: true).waitUntilExit()
        let socket = dir + "/steerd.sock"
        try FileManager.default.createDirectory(atPath: dir + "/snapshots", withIntermediateDirectories: true)
        var serveArguments = ["serve", "--socket", socket, "--index", dir + "/index.snap", "--snapshot-dir", dir + "/snapshots",
                              "--log-level", "warning"]
        if let encoder { serveArguments += ["--encoder", encoder] }
        if let checkpoint { try FileManager.default.copyItem(atPath: checkpoint, toPath: dir + "/snapshots/model.snap") }
        let daemon = try runChild(exe, serveArguments, quiet: false)
        defer { daemon.terminate(); daemon.waitUntilExit() }
        try waitForSocket(socket)

        var rng = SplitMix64(seed: 7)
        let query = RetrieveRequest(k: 10, queries: [RetrieveQuery(vector: (0..<dim).map { _ in rng.nextGaussian() })]).encoded()
        let health = HealthRequest().encoded()
        var rows: [Row] = []
        for (name, method, payload) in [("Health", Method.health, health), ("Retrieve top-10", Method.retrieve, query)] {
            for n in [1, connections] {
                rows.append(try measure(name, method, { _, _ in payload }, socket: socket, connections: n, requests: requests))
            }
        }
        if let checkpoint {
            rows += try measureRecommend(checkpoint: checkpoint, socket: socket)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            print("steerd round trips over a Unix socket (\(ProcessInfo.processInfo.activeProcessorCount) cores; Retrieve over \(items) × \(dim) random items)\n")
            print("| RPC | connections | requests | p50 µs | p99 µs | requests/s |")
            print("|---|---|---|---|---|---|")
            for r in rows {
                print("| \(r.rpc) | \(r.connections) | \(r.requests) | \(String(format: "%.1f", r.p50Micros)) | \(String(format: "%.1f", r.p99Micros)) | \(String(format: "%.0f", r.requestsPerSecond)) |")
            }
        }
    }

    /// LoadBackbone of the checkpoint, then Recommend top-10 for a 200-item history: without a
    /// prompt, with one prompt (cached after its first request), and with a new prompt text every
    /// request (every one a cache miss: tokenizer and MiniLM run each time).
    private func measureRecommend(checkpoint: String, socket: String) throws -> [Row] {
        let connection = try SteerConnection(socketPath: socket)
        let loaded = try connection.call(.loadBackbone, LoadBackboneRequest(name: try BackboneCheckpoint.load(contentsOf: checkpoint).plugin, checkpoint: "model.snap"), as: LoadBackboneResponse.self)
        var rng = SplitMix64(seed: 11)
        let items = UInt64(max(1, loaded.backbone.nItems))
        let history = (0..<200).map { _ in UInt32(rng.next() % items) }
        let plain = RecommendRequest(history: history, k: 10).encoded()
        let cached = RecommendRequest(history: history, prompt: "I'm in the mood for a comedy", k: 10).encoded()
        var rows: [Row] = []
        for n in [1, connections] {
            rows.append(try measure("Recommend, no prompt", .recommend, { _, _ in plain }, socket: socket, connections: n, requests: requests / 4))
        }
        for n in [1, connections] {
            rows.append(try measure("Recommend, cached prompt", .recommend, { _, _ in cached }, socket: socket, connections: n, requests: requests / 4))
        }
        let topics = ["comedy", "horror", "a western", "something romantic", "sci-fi", "a documentary", "a thriller", "animation"]
        rows.append(try measure("Recommend, new prompt", .recommend, { c, i in
            RecommendRequest(history: history, prompt: "Tonight I want \(topics[i % topics.count]), pick number \(c * 1_000_000 + i)", k: 10).encoded()
        }, socket: socket, connections: 1, requests: uncachedRequests))
        return rows
    }

    /// Each connection runs on its own thread, one request at a time, timing each round trip;
    /// `payload(connection, request)` gives each request's bytes.
    private func measure(_ name: String, _ method: Method, _ payload: @escaping @Sendable (Int, Int) -> [UInt8], socket: String,
                         connections n: Int, requests: Int) throws -> Row {
        let latencies = LockedArray()
        let failures = LockedArray()
        let group = DispatchGroup()
        let started = DispatchTime.now()
        let warmup = min(200, max(10, requests / 10))
        for c in 0..<n {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    let connection = try SteerConnection(socketPath: socket)
                    var local: [Double] = []
                    local.reserveCapacity(requests)
                    for i in 0..<(requests + warmup) {
                        let bytes = payload(c, i)
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        try connection.send(RequestEnvelope(id: connection.makeID(), method: method, payload: bytes))
                        let response = try connection.receive()
                        let t1 = DispatchTime.now().uptimeNanoseconds
                        guard response.status == .ok else { throw RPCError(response.status, response.message) }
                        if i >= warmup { local.append(Double(t1 - t0) / 1000) }  // the first requests warm up
                    }
                    latencies.append(local)
                } catch {
                    failures.append([0])
                    FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
                }
            }
            thread.start()
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        guard failures.values.isEmpty else { throw ValidationFailureExit(message: "bench rpc: \(failures.values.count) connections failed") }
        let sorted = latencies.values.sorted()
        return Row(rpc: name, connections: n, requests: sorted.count,
                   p50Micros: sorted[sorted.count / 2], p99Micros: sorted[Int(Double(sorted.count) * 0.99)],
                   requestsPerSecond: Double(n * (requests + warmup)) / seconds)
    }

    private func runChild(_ exe: String, _ arguments: [String], quiet: Bool) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = arguments
        if quiet { process.standardOutput = FileHandle.nullDevice }
        try process.run()
        return process
    }

    private func waitForSocket(_ path: String) throws {
        for _ in 0..<200 {
            if (try? SteerConnection(socketPath: path)) != nil { return }
            usleep(25_000)
        }
        throw ValidationFailureExit(message: "bench rpc: steerd did not start listening on \(path) within 5 s")
    }
}

/// Collects results from benchmark threads.
final class LockedArray: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Double] = []
    func append(_ values: [Double]) { lock.lock(); storage.append(contentsOf: values); lock.unlock() }
    var values: [Double] { lock.lock(); defer { lock.unlock() }; return storage }
}
