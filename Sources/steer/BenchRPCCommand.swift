// `steer bench rpc`: round-trip latency over the Unix socket with 1 and with N connections,
// against a steerd child process started on a temporary socket; with --peer, Recommend side by
// side with the same pipeline in one Python process (Benchmarks/peers/recommend_peer.py).
import ArgumentParser
import Foundation
import SteerClient
import SteerRandom
import SteerText
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
    @Option(help: "steerd's --encoder-precision (fp32 or int8; default: steerd's, fp32).") var encoderPrecision: EncoderPrecision?
    @Option(help: "steerd's --router (a router model file, e.g. a fine-tuned router's router-head.json, or \"fine-tuned\" for the bundled fine-tuned router; default: the bundled router).")
    var router: String?
    @Option(help: "steerd's --prompt-memory (a dataset, e.g. ml-1m: every request steered together with its nearest training requests; default: off).")
    var promptMemory: String?
    @Option(help: "steerd's OpenBLAS threads (--blas-threads; 1 is its default) and, with --peer, the peer's torch threads.")
    var threads: Int = 1
    @Flag(help: "With --checkpoint: also run the Python peer (PyTorch SASRec + sentence-transformers + DPR head in one process; Scripts/peers-setup installs it) on the same checkpoint and print Recommend side by side.")
    var peer = false
    @Flag(help: "With --checkpoint: also measure Recommend (new history each time) from one client while another floods steerd with Fuse requests (--flood-in-flight requests of --flood-rows new prompts each, always in flight), and the same without the flood.")
    var flood = false
    @Option(help: "Fuse requests the flooding client keeps in flight.") var floodInFlight: Int = 4
    @Option(help: "Rows (distinct new prompts) per flooding Fuse request.") var floodRows: Int = 1_024
    @Option(help: "Recommend requests measured beside the flood.") var floodProbes: Int = 300
    @Option(help: "Another build's steer executable: run its steerd beside this one's and measure both with this client, alternating in --rounds rounds, and print the ratios (a before/after check of a change).")
    var against: String?
    @Option(help: "With --against: rounds; each measures every case on both daemons with --requests / rounds requests per connection, the order alternating.")
    var rounds: Int = 10
    @Flag(help: "Print JSON instead of a markdown table.") var json = false

    struct Row: Codable {
        var rpc: String
        var connections: Int
        var requests: Int
        var p50Micros: Double
        var p99Micros: Double
        var requestsPerSecond: Double
    }

    func validate() throws {
        if peer && checkpoint == nil { throw ValidationError("--peer compares Recommend, which needs --checkpoint (a steer train-dpr checkpoint)") }
        if flood && checkpoint == nil { throw ValidationError("--flood measures Recommend and Fuse, which need --checkpoint (a steer train-dpr checkpoint)") }
        guard floodInFlight >= 1, floodRows >= 1, floodProbes >= 10 else {
            throw ValidationError("--flood-in-flight and --flood-rows must be at least 1, --flood-probes at least 10")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        if against != nil {
            if peer || flood { throw ValidationError("--against compares two steerd builds; run --peer and --flood without it") }
            guard rounds >= 2, requests / rounds >= 100 else {
                throw ValidationError("--against needs --rounds of at least 2 and at least 100 requests per round (--requests / --rounds)")
            }
        }
    }

    func run() throws {
        LoadAverage.report("before")
        defer { LoadAverage.report("after") }
        if let against {
            try compare(against: against)
            return
        }
        // steerd is stopped before the peer runs, so the two never share the cores.
        let rows = try measureSteer()
        var comparison: PeerComparison?
        if peer, let checkpoint {
            let output = try PeerScript.run("recommend_peer.py", ["--checkpoint", checkpoint, "--threads", "\(threads)",
                                                                  "--requests", "\(requests / 4)", "--uncached-requests", "\(uncachedRequests)"])
            comparison = PeerComparison(steer: rows, peer: output)
        }
        if json {
            if let comparison {
                try printJSON(BenchRPCReport(rows: rows, sideBySide: comparison.cases, peer: comparison.peerInfo))
            } else {
                try printJSON(rows)
            }
        } else {
            print("steerd round trips over a Unix socket (\(ProcessInfo.processInfo.activeProcessorCount) cores; Retrieve over \(items) × \(dim) random items; steerd --blas-threads \(threads))\n")
            print("| RPC | connections | requests | p50 µs | p99 µs | requests/s |")
            print("|---|---|---|---|---|---|")
            for r in rows {
                print("| \(r.rpc) | \(r.connections) | \(r.requests) | \(String(format: "%.1f", r.p50Micros)) | \(String(format: "%.1f", r.p99Micros)) | \(String(format: "%.0f", r.requestsPerSecond)) |")
            }
            if let comparison { comparison.printTable(threads: threads) }
        }
    }

    /// Starts steerd on a temporary socket, measures, and stops it.
    private func measureSteer() throws -> [Row] {
        let daemon = try BenchDaemon(executable: ServeCommand.executableDirectory() + "/steer", label: "\(getpid())", command: self)
        defer { daemon.stop() }
        let socket = daemon.socket
        var rows: [Row] = []
        for (name, method, payload) in [("Health", Method.health, healthPayload), ("Retrieve top-10", Method.retrieve, retrievePayload)] {
            for n in [1, connections] {
                rows.append(try measure(name, method, { _, _ in payload }, socket: socket, connections: n, requests: requests))
            }
        }
        if let checkpoint {
            rows += try measureRecommend(checkpoint: checkpoint, socket: socket)
        }
        return rows
    }

    /// LoadBackbone of the checkpoint, then Recommend top-10 for a 200-item history: without a
    /// prompt, with one prompt (cached after its first request), and with a new prompt text every
    /// request (every one a cache miss: tokenizer and MiniLM run each time).
    private func measureRecommend(checkpoint: String, socket: String) throws -> [Row] {
        let loaded = try loadCheckpoint(checkpoint, socket: socket)
        let items = UInt64(max(1, loaded.backbone.nItems))
        let history = Self.history(items: items)
        let plain = RecommendRequest(history: history, k: 10).encoded()
        let cached = RecommendRequest(history: history, prompt: Self.cachedPrompt, k: 10).encoded()
        var rows: [Row] = []
        for n in [1, connections] {
            rows.append(try measure("Recommend, no prompt", .recommend, { _, _ in plain }, socket: socket, connections: n, requests: requests / 4))
        }
        for n in [1, connections] {
            rows.append(try measure("Recommend, cached prompt", .recommend, { _, _ in cached }, socket: socket, connections: n, requests: requests / 4))
        }
        // A prompt read as two parts: the reading and both parts' prepared prompts are cached.
        let twoParts = RecommendRequest(history: history, prompt: Self.cachedTwoPartPrompt, k: 10).encoded()
        rows.append(try measure("Recommend, cached two-part prompt", .recommend, { _, _ in twoParts }, socket: socket, connections: 1,
                                requests: requests / 4))
        // The same with the refused category (Romance) left out of the ranking: the mention lookup and a filtered top-K.
        let dropping = RecommendRequest(history: history, prompt: Self.cachedTwoPartPrompt, k: 10, dropRefusedCategories: true).encoded()
        rows.append(try measure("Recommend, cached two-part prompt, refused categories dropped", .recommend, { _, _ in dropping },
                                socket: socket, connections: 1, requests: requests / 4))
        rows.append(try measure("Recommend, new prompt", .recommend, { c, i in
            RecommendRequest(history: history, prompt: Self.newPrompt(connection: c, request: i), k: 10).encoded()
        }, socket: socket, connections: 1, requests: uncachedRequests))
        // Every request a history steerd has not seen, so its user-vector cache misses and SASRec runs
        // (above, the one history is encoded once and then served from that cache).
        @Sendable func newHistory(_ i: Int) -> [UInt32] {
            var g = SeededRandom(seed: 1_000_003 &* UInt64(i + 1))
            return (0..<200).map { _ in UInt32(g.next() % items) }
        }
        rows.append(try measure("Recommend, new history", .recommend, { _, i in
            RecommendRequest(history: newHistory(i), k: 10).encoded()
        }, socket: socket, connections: 1, requests: uncachedRequests))
        rows.append(try measure("Recommend, new history + new prompt", .recommend, { _, i in
            RecommendRequest(history: newHistory(10_000_000 + i),
                             prompt: Self.newPrompt(connection: 10, request: i), k: 10).encoded()
        }, socket: socket, connections: 1, requests: uncachedRequests))
        if flood {
            @Sendable func probe(_ i: Int) -> [UInt8] {
                var g = SeededRandom(seed: 2_000_003 &* UInt64(i + 1))
                return RecommendRequest(history: (0..<200).map { _ in UInt32(g.next() % items) }, prompt: "I'm in the mood for a comedy", k: 10).encoded()
            }
            rows.append(try measure("Recommend, new history, quiet", .recommend, { _, i in probe(i) }, socket: socket, connections: 1, requests: floodProbes))
            let flooder = FuseFlood(socket: socket, dim: Int(loaded.backbone.dim), inFlight: floodInFlight, rows: floodRows)
            try flooder.start()
            defer { flooder.stop() }
            rows.append(try measure("Recommend, new history, beside a Fuse flood (\(floodInFlight) × \(floodRows) new prompts in flight)",
                                    .recommend, { _, i in probe(1_000_000 + i) }, socket: socket, connections: 1, requests: floodProbes))
            let flooded = flooder.stop()
            print("flood: \(flooded.answered) Fuse requests answered (\(flooded.rows) rows), \(flooded.failed) failed")
        }
        return rows
    }

    /// Each connection runs on its own thread, one request at a time, timing each round trip;
    /// `payload(connection, request)` gives each request's bytes.
    func measure(_ name: String, _ method: Method, _ payload: @escaping @Sendable (Int, Int) -> [UInt8], socket: String,
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

    func runChild(_ exe: String, _ arguments: [String], quiet: Bool) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = arguments
        if quiet { process.standardOutput = FileHandle.nullDevice }
        try process.run()
        return process
    }

    func waitForSocket(_ path: String) throws {
        // A prompt memory is embedded before steerd listens (some 14,000 wordings for ml-1m: about 30 s on 2 cores).
        let seconds = promptMemory == nil ? 5 : 180
        for _ in 0..<(seconds * 40) {
            if (try? SteerConnection(socketPath: path)) != nil { return }
            usleep(25_000)
        }
        throw ValidationFailureExit(message: "bench rpc: steerd did not start listening on \(path) within \(seconds) s")
    }
}

/// Collects results from benchmark threads.
final class LockedArray: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Double] = []
    func append(_ values: [Double]) { lock.lock(); storage.append(contentsOf: values); lock.unlock() }
    var values: [Double] { lock.lock(); defer { lock.unlock() }; return storage }
}

/// `steer bench rpc --peer --json`: Steer's rows, the side-by-side cases and what the peer ran.
struct BenchRPCReport: Encodable {
    var rows: [BenchRPCCommand.Row]
    var sideBySide: [PeerComparison.Case]
    var peer: [String: String]
}

/// Recommend, Steer (over the socket) against recommend_peer.py (in-process), case by case.
struct PeerComparison {
    struct Case: Encodable {
        var name: String
        var steerP50Ms: Double
        var steerP99Ms: Double
        var peerP50Ms: Double
        var peerP99Ms: Double
        var peerMeanMs: Double
        /// peer / Steer: how many times faster Steer is.
        var ratioP50: Double
        var ratioP99: Double
    }

    /// Steer's 1-connection row and the peer's case key, in table order.
    static let pairs = [("Recommend, no prompt", "no_prompt"), ("Recommend, cached prompt", "cached_prompt"),
                        ("Recommend, new prompt", "new_prompt"), ("Recommend, new history", "new_history"),
                        ("Recommend, new history + new prompt", "new_history_new_prompt")]

    var cases: [Case] = []
    var peerInfo: [String: String] = [:]

    init(steer rows: [BenchRPCCommand.Row], peer output: [String: Any]) {
        let peerCases = output["cases"] as? [String: Any] ?? [:]
        for (rpc, key) in Self.pairs {
            guard let row = rows.first(where: { $0.rpc == rpc && $0.connections == 1 }), let c = peerCases[key] as? [String: Any] else { continue }
            let p50 = c["p50_ms"] as? Double ?? .nan, p99 = c["p99_ms"] as? Double ?? .nan
            let s50 = row.p50Micros / 1000, s99 = row.p99Micros / 1000
            cases.append(Case(name: String(rpc.dropFirst("Recommend, ".count)), steerP50Ms: s50, steerP99Ms: s99, peerP50Ms: p50, peerP99Ms: p99,
                              peerMeanMs: c["mean_ms"] as? Double ?? .nan, ratioP50: p50 / s50, ratioP99: p99 / s99))
        }
        for key in ["peer", "torch", "sentence_transformers", "weights", "snapshot_reader", "checkpoint"] {
            if let v = output[key] as? String { peerInfo[key] = v }
        }
        for key in ["threads", "n_items", "dim", "history_length", "k"] {
            if let v = output[key] as? Int { peerInfo[key] = String(v) }
        }
    }

    func printTable(threads: Int) {
        let info = peerInfo
        print("\nRecommend top-10, 200-item history, side by side: Steer (steerd, 1 connection) vs the Python peer "
            + "(torch \(info["torch"] ?? "?"), sentence-transformers \(info["sentence_transformers"] ?? "?"), \(info["weights"] ?? "?") weights "
            + "of \(info["checkpoint"] ?? "?"), \(threads) thread\(threads == 1 ? "" : "s") each)\n")
        print("| case | Steer p50 ms | Steer p99 ms | peer p50 ms | peer p99 ms | peer/Steer p50 | peer/Steer p99 |")
        print("|---|---|---|---|---|---|---|")
        for c in cases {
            print("| \(c.name) | \(String(format: "%.3f", c.steerP50Ms)) | \(String(format: "%.3f", c.steerP99Ms)) | "
                + "\(String(format: "%.3f", c.peerP50Ms)) | \(String(format: "%.3f", c.peerP99Ms)) | "
                + "\(String(format: "%.2f", c.ratioP50))× | \(String(format: "%.2f", c.ratioP99))× |")
        }
        let fast = cases.filter { $0.ratioP50 >= 5 }.map(\.name)
        print("\nSteer ≥ 5× faster at p50 in \(fast.count) of \(cases.count) cases\(fast.isEmpty ? "" : " (" + fast.joined(separator: ", ") + ")").")
        print("""
            Steer's figures are client round trips: Unix socket, framing and protobuf both ways, plus steerd's
            work; the peer's are in-process calls with no transport. "no prompt", "cached prompt" and
            "new prompt" reuse one history, which steerd serves from its user-vector cache after the first
            request (the peer mirrors that cache and its prompt cache with dicts); "new history" rows send an
            unseen history every request, so SASRec runs on both sides. Quote ratios from a quiet machine.
            """)
    }
}

/// One client that keeps `inFlight` Fuse requests of `rows` new prompts each in flight on one
/// connection until stopped: the flood of `steer bench rpc --flood`.
final class FuseFlood: @unchecked Sendable {
    private let socket: String, dim: Int, inFlight: Int, rows: Int
    private let lock = NSLock()
    private var stopping = false
    private var answered = 0, failed = 0
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    init(socket: String, dim: Int, inFlight: Int, rows: Int) {
        (self.socket, self.dim, self.inFlight, self.rows) = (socket, dim, inFlight, rows)
    }

    /// Touched by `start` and then by the flood's thread only.
    private var connection: SteerConnection?
    private var serial = 0

    private func next(on connection: SteerConnection) -> RequestEnvelope {
        serial += 1
        let prompts = (0..<rows).map { "flood \(serial) prompt \($0): something with car chases and explosions" }
        let request = FuseRequest(dim: UInt32(dim), userVectors: [Float](repeating: 0.1, count: rows * dim),
                                  polarities: [Polarity](repeating: .positive, count: rows), prompts: prompts)
        return RequestEnvelope(id: connection.makeID(), method: .fuse, payload: request.encoded())
    }

    func start() throws {
        let connection = try SteerConnection(socketPath: socket)
        self.connection = connection
        for _ in 0..<inFlight { try connection.send(next(on: connection)) }
        let thread = Thread { [self] in self.run() }
        self.thread = thread
        thread.start()
    }

    private func run() {
        defer { done.signal() }
        guard let connection else { return }
        var open = inFlight
        while open > 0 {
            guard let response = try? connection.receive() else { lock.withLock { failed += open }; return }
            open -= 1
            lock.withLock { if response.status == .ok { answered += 1 } else { failed += 1 } }
            if !lock.withLock({ stopping }), (try? connection.send(next(on: connection))) != nil { open += 1 }
        }
    }

    /// Stops sending, waits for the requests in flight, and says how the flood went (once).
    @discardableResult
    func stop() -> (answered: Int, rows: Int, failed: Int) {
        let first = lock.withLock { () -> Bool in defer { stopping = true }; return !stopping }
        if first, thread != nil { done.wait() }
        return lock.withLock { (answered, answered * rows, failed) }
    }
}
