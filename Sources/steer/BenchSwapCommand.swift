// `steer bench swap`: Recommend load on a running steerd while LoadBackbone swaps the backbone
// back and forth; counts failed requests and measures latency during the swaps and their durations.
import ArgumentParser
import Foundation
import SteerClient
import SteerWire

struct BenchSwapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "swap",
        abstract: "Recommend load on a running steerd while LoadBackbone swaps between checkpoints: failures, latency during swaps, swap durations.")
    @Option(help: "steerd's socket (default: $STEER_SOCKET, else $XDG_RUNTIME_DIR/steer/steerd.sock, else /tmp/steer-<uid>/steerd.sock).")
    var socket: String = SocketPaths.defaultSocketPath
    @Option(help: "Checkpoint names in steerd's snapshot directory, swapped in turn (give two or more).")
    var checkpoint: [String] = []
    @Option(help: "The plugin of each --checkpoint, in the same order (default: the available plugin whose name the checkpoint's contains).")
    var plugin: [String] = []
    @Option(help: "Seconds of load.") var seconds: Double = 30
    @Option(help: "LoadBackbone calls, spread evenly over the load.") var swaps: Int = 20
    @Option(help: "Connections carrying the load.") var connections: Int = 8
    @Option(help: "Requests kept in flight per connection.") var inFlight: Int = 4
    @Option(help: "Items in each request's history.") var historyLength: Int = 50
    @Flag(help: "Print JSON instead of text.") var json = false

    struct Report: Codable {
        var seconds: Double
        var connections: Int
        var inFlightPerConnection: Int
        var requests: Int
        var requestsPerSecond: Double
        var failedByStatus: [String: Int]
        var latency: [String: Latency]
        var swaps: [Swap]
        var backbones: [BackboneInfo]
    }

    struct Latency: Codable {
        var requests: Int
        var p50Millis: Double
        var p99Millis: Double
        var maxMillis: Double
    }

    struct Swap: Codable {
        var checkpoint: String
        var plugin: String
        var startSeconds: Double
        var millis: Double
        var status: String
    }

    /// One Recommend: when it was sent and answered (seconds since the load began) and how.
    struct Sample: Sendable {
        var start: Double
        var end: Double
        var outcome: String
    }

    func validate() throws {
        guard checkpoint.count >= 2 else { throw ValidationError("give at least two --checkpoint names to swap between") }
        guard plugin.isEmpty || plugin.count == checkpoint.count else { throw ValidationError("give one --plugin per --checkpoint, or none") }
        guard seconds > 0, swaps >= 1, connections >= 1, inFlight >= 1, historyLength >= 1 else {
            throw ValidationError("--seconds, --swaps, --connections, --in-flight and --history-length must be positive")
        }
    }

    func run() async throws {
        LoadAverage.report("before")
        defer { LoadAverage.report("after") }
        let control = try SteerAsyncClient(socketPath: socket)
        defer { control.close() }
        let plugins = try await resolvePlugins(control)
        // Each checkpoint once before the load: it must load, and both models' item counts bound the histories.
        var itemCount = UInt32.max
        for (name, plugin) in zip(checkpoint, plugins).reversed() {
            let loaded = try await loadOrExit(control, plugin: plugin, checkpoint: name)
            itemCount = min(itemCount, loaded.backbone.nItems)
        }
        guard itemCount > 0 else { throw ValidationFailureExit(message: "bench swap: the checkpoints have no items") }

        let clients = try (0..<connections).map { _ in
            try SteerAsyncClient(socketPath: socket, configuration: .init(maxInFlight: inFlight))
        }
        defer { for client in clients { client.close() } }
        // Half the requests without a prompt, half with one of four (embedded once, then served from steerd's prompt cache).
        let prompts = ["", "something light and funny for the kids", "", "no horror tonight", "", "I'm in the mood for a thriller", "", "no romance please"]
        let historyLength = self.historyLength, items = itemCount
        let clock = ContinuousClock()
        let began = clock.now
        let end = began + .seconds(seconds)
        func since(_ instant: ContinuousClock.Instant) -> Double {
            let d = instant - began
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        let lanes = inFlight, swapCount = swaps, checkpoints = checkpoint, seconds = self.seconds
        let (samples, swapLog) = try await withThrowingTaskGroup(of: ([Sample], [Swap]).self) { group in
            for (c, client) in clients.enumerated() {
                for lane in 0..<lanes {
                    group.addTask {
                        var local: [Sample] = []
                        var i = c * 7_919 + lane * 131
                        var rng = SystemRandomNumberGenerator()
                        while clock.now < end {
                            // A new history every request (a new user): the backbone encodes each one.
                            let prompt = prompts[i % prompts.count]
                            i += 1
                            let history = (0..<historyLength).map { _ in UInt32.random(in: 0..<items, using: &rng) }
                            let payload = RecommendRequest(history: history, prompt: prompt, k: 10).encoded()
                            let t0 = clock.now
                            let outcome: String
                            do {
                                let response = try await client.response(.recommend, payload: payload)
                                outcome = response.status.description
                            } catch let error as AsyncClientError {
                                outcome = "client: \(error.kind)"
                            } catch {
                                outcome = "client: \(error)"
                            }
                            local.append(Sample(start: since(t0), end: since(clock.now), outcome: outcome))
                        }
                        return (local, [])
                    }
                }
            }
            group.addTask {
                var log: [Swap] = []
                for s in 0..<swapCount {
                    let at = began + .seconds(seconds * (Double(s) + 0.5) / Double(swapCount))
                    try await clock.sleep(until: at)
                    // Starts with the second checkpoint: the first was loaded last before the load.
                    let which = (s + 1) % checkpoints.count
                    let t0 = clock.now
                    var status = "OK"
                    do {
                        _ = try await control.loadBackbone(name: plugins[which], checkpoint: checkpoints[which], deadline: .seconds(120))
                    } catch let error as RPCError {
                        status = "\(error.status): \(error.message)"
                    } catch {
                        status = "client: \(error)"
                    }
                    log.append(Swap(checkpoint: checkpoints[which], plugin: plugins[which], startSeconds: since(t0),
                                    millis: (since(clock.now) - since(t0)) * 1_000, status: status))
                }
                return ([], log)
            }
            var allSamples: [Sample] = [], allSwaps: [Swap] = []
            for try await (s, w) in group {
                allSamples += s
                allSwaps += w
            }
            return (allSamples, allSwaps)
        }
        let elapsed = since(clock.now)
        let backbones = (try? await control.listBackbones().backbones) ?? []
        let report = makeReport(samples: samples, swaps: swapLog, elapsed: elapsed, backbones: backbones)
        try print(report)
        let failed = report.failedByStatus.values.reduce(0, +)
        let failedSwaps = report.swaps.filter { $0.status != "OK" }.count
        if failed > 0 || failedSwaps > 0 {
            throw ValidationFailureExit(message: "bench swap: \(failed) requests and \(failedSwaps) swaps failed")
        }
    }

    /// `--plugin`, or for each checkpoint the one available plugin whose name its name contains.
    private func resolvePlugins(_ control: SteerAsyncClient) async throws -> [String] {
        if !plugin.isEmpty { return plugin }
        let available = try await control.listBackbones().available
        return try checkpoint.map { name in
            let matches = available.filter { name.lowercased().contains($0.lowercased()) }
            guard matches.count == 1 else {
                throw ValidationFailureExit(message: "bench swap: cannot tell the plugin of \(name) from steerd's plugins "
                    + "\(available.joined(separator: ", ")); give --plugin for each --checkpoint")
            }
            return matches[0]
        }
    }

    private func loadOrExit(_ control: SteerAsyncClient, plugin: String, checkpoint: String) async throws -> LoadBackboneResponse {
        do {
            return try await control.loadBackbone(name: plugin, checkpoint: checkpoint, deadline: .seconds(120))
        } catch let error as RPCError {
            throw ValidationFailureExit(message: "bench swap: LoadBackbone \(plugin) \(checkpoint): \(error.status): \(error.message)")
        }
    }

    private func makeReport(samples: [Sample], swaps: [Swap], elapsed: Double, backbones: [BackboneInfo]) -> Report {
        var failed: [String: Int] = [:]
        for s in samples where s.outcome != "OK" { failed[s.outcome, default: 0] += 1 }
        let windows = swaps.map { ($0.startSeconds, $0.startSeconds + $0.millis / 1_000) }
        func overlapsSwap(_ s: Sample) -> Bool { windows.contains { s.start <= $0.1 && s.end >= $0.0 } }
        func latency(_ chosen: [Sample]) -> Latency {
            let ms = chosen.map { ($0.end - $0.start) * 1_000 }.sorted()
            guard !ms.isEmpty else { return Latency(requests: 0, p50Millis: 0, p99Millis: 0, maxMillis: 0) }
            return Latency(requests: ms.count, p50Millis: ms[ms.count / 2], p99Millis: ms[min(ms.count - 1, Int(Double(ms.count) * 0.99))],
                           maxMillis: ms.last!)
        }
        let ok = samples.filter { $0.outcome == "OK" }
        return Report(seconds: elapsed, connections: connections, inFlightPerConnection: inFlight, requests: samples.count,
                      requestsPerSecond: Double(samples.count) / elapsed, failedByStatus: failed,
                      latency: ["all": latency(ok), "during swaps": latency(ok.filter(overlapsSwap)),
                                "outside swaps": latency(ok.filter { !overlapsSwap($0) })],
                      swaps: swaps.sorted { $0.startSeconds < $1.startSeconds }, backbones: backbones)
    }

    private func print(_ r: Report) throws {
        if json {
            try printJSON(r)
            return
        }
        func f(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }
        Swift.print("steer bench swap: Recommend (k 10, a new random \(historyLength)-item history each, half with a cached prompt) for \(f(r.seconds)) s, "
            + "\(r.connections) connections × \(r.inFlightPerConnection) in flight, \(r.swaps.count) LoadBackbone swaps between \(checkpoint.joined(separator: " and "))")
        Swift.print("requests done: \(r.requests) (\(f(r.requestsPerSecond, 0))/s)")
        let failed = r.failedByStatus.values.reduce(0, +)
        Swift.print("failed requests: \(failed)" + (failed == 0 ? "" : " — " + r.failedByStatus.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")))
        Swift.print("\n| latency | requests | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|")
        for key in ["during swaps", "outside swaps", "all"] {
            let l = r.latency[key]!
            Swift.print("| \(key) | \(l.requests) | \(f(l.p50Millis, 2)) | \(f(l.p99Millis, 2)) | \(f(l.maxMillis, 2)) |")
        }
        Swift.print("\n| swap | at s | checkpoint | plugin | ms | status |\n|---|---|---|---|---|---|")
        for (i, s) in r.swaps.enumerated() {
            Swift.print("| \(i + 1) | \(f(s.startSeconds, 2)) | \(s.checkpoint) | \(s.plugin) | \(f(s.millis)) | \(s.status) |")
        }
        let ms = r.swaps.map(\.millis).sorted()
        if !ms.isEmpty {
            Swift.print("swap durations: min \(f(ms.first!)) ms, median \(f(ms[ms.count / 2])) ms, max \(f(ms.last!)) ms")
        }
        Swift.print("\nListBackbones after the load:")
        for b in r.backbones {
            Swift.print("  \(b.name) \(b.pluginVersion) ABI \(b.abiMajor).\(b.abiMinor) sha256 \(b.sha256) dim \(b.dim) items \(b.nItems)\(b.active ? " (active)" : "")")
        }
    }
}
