// `steer bench rpc`: round-trip latency over the Unix socket with 1 and with N connections,
// against a steerd child process started on a temporary socket.
import ArgumentParser
import Foundation
import SteerClient
import SteerWire

struct BenchRPCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rpc",
        abstract: "Request round trips over the socket (Health and Retrieve top-10), 1 and N connections.")
    @Option(help: "Requests per connection per measurement.") var requests: Int = 20_000
    @Option(help: "Connections for the concurrent measurement.") var connections: Int = 8
    @Option(help: "Items in the random index used by Retrieve.") var items: Int = 3_706
    @Option(help: "Embedding dimension of that index.") var dim: Int = 64
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
        let daemon = try runChild(exe, ["serve", "--socket", socket, "--index", dir + "/index.snap", "--log-level", "warning"], quiet: false)
        defer { daemon.terminate(); daemon.waitUntilExit() }
        try waitForSocket(socket)

        var rng = SplitMix64(seed: 7)
        let query = RetrieveRequest(k: 10, queries: [RetrieveQuery(vector: (0..<dim).map { _ in rng.nextGaussian() })]).encoded()
        let health = HealthRequest().encoded()
        var rows: [Row] = []
        for (name, method, payload) in [("Health", Method.health, health), ("Retrieve top-10", Method.retrieve, query)] {
            for n in [1, connections] {
                rows.append(try measure(name, method, payload, socket: socket, connections: n))
            }
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

    /// Each connection runs on its own thread, one request at a time, timing each round trip.
    private func measure(_ name: String, _ method: Method, _ payload: [UInt8], socket: String, connections n: Int) throws -> Row {
        let latencies = LockedArray()
        let failures = LockedArray()
        let group = DispatchGroup()
        let started = DispatchTime.now()
        for _ in 0..<n {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    let connection = try SteerConnection(socketPath: socket)
                    var local: [Double] = []
                    local.reserveCapacity(requests)
                    for i in 0..<(requests + 200) {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        try connection.send(RequestEnvelope(id: connection.makeID(), method: method, payload: payload))
                        let response = try connection.receive()
                        let t1 = DispatchTime.now().uptimeNanoseconds
                        guard response.status == .ok else { throw RPCError(response.status, response.message) }
                        if i >= 200 { local.append(Double(t1 - t0) / 1000) }  // the first 200 warm up
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
                   requestsPerSecond: Double(n * (requests + 200)) / seconds)
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
