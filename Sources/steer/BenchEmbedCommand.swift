// `steer bench embed`: MiniLM prompt-embedding latency and throughput, side by side with
// sentence-transformers (PyTorch, CPU) run on the same prompts in the same invocation.
import ArgumentParser
import Foundation
import SteerBLAS
import SteerIndex
import SteerText
import SteerTraining

struct BenchEmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed",
        abstract: "Single-prompt latency (p50/p99) and batch-32 throughput of the native MiniLM encoder.")
    @Option(help: "Model folder (default: $STEER_CACHE/models/all-MiniLM-L6-v2).") var model: String?
    @Option(help: "Prompts, one per line.") var prompts = "Benchmarks/peers/prompts.txt"
    @Option(help: "Single-prompt calls measured after warm-up.") var single = 300
    @Option(help: "Seconds of batch-32 calls.") var seconds: Double = 5
    @Option(help: "OpenBLAS threads for Steer (and torch threads for the peer).") var threads = 1
    @Flag(help: "Also run the sentence-transformers peer (Scripts/peers-setup installs it).") var peer = false
    @Flag(help: "Print JSON.") var json = false

    struct Figures: Codable {
        var system: String
        var threads: Int
        var singleP50Ms: Double
        var singleP99Ms: Double
        var batch32PerSecond: Double
    }

    func run() throws {
        LoadAverage.report("before")
        defer { LoadAverage.report("after") }
        let texts = try String(contentsOfFile: prompts, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        guard !texts.isEmpty else { throw ValidationError("no prompts in \(prompts)") }
        BLASThreads.set(threads)
        let directory = model ?? DatasetLocator.cacheDirectory + "/models/all-MiniLM-L6-v2"
        let encoder = try MiniLMEncoder(directory: URL(fileURLWithPath: directory))
        for text in texts.prefix(20) { _ = encoder.embedFlat([text]) }  // warm-up
        var latencies: [Double] = []
        for i in 0..<single {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = encoder.embedFlat([texts[i % texts.count]])
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        latencies.sort()
        var embedded = 0, round = 0
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            let batch = (0..<32).map { texts[(round * 32 + $0) % texts.count] }
            _ = encoder.embedFlat(batch)
            embedded += 32
            round += 1
        }
        var rows = [Figures(system: "Steer MiniLM (Swift, OpenBLAS)", threads: threads,
                            singleP50Ms: latencies[latencies.count / 2], singleP99Ms: latencies[min(latencies.count - 1, latencies.count * 99 / 100)],
                            batch32PerSecond: Double(embedded) / Date().timeIntervalSince(start))]
        if peer {
            let output = try PeerScript.run("embed_peer.py", ["--threads", "\(threads)", "--single", "\(single)",
                                                              "--seconds", "\(seconds)", "--prompts", prompts])
            rows.append(Figures(system: "sentence-transformers \(output["version"] as? String ?? "?") (torch \(output["torch"] as? String ?? "?"))",
                                threads: threads, singleP50Ms: output["single_p50_ms"] as? Double ?? .nan,
                                singleP99Ms: output["single_p99_ms"] as? Double ?? .nan, batch32PerSecond: output["batch32_per_s"] as? Double ?? .nan))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            return
        }
        print("all-MiniLM-L6-v2 prompt embedding, \(texts.count) prompts, \(single) single calls, batch-32 for \(seconds) s\n")
        print("| system | threads | single p50 ms | single p99 ms | batch-32 prompts/s |")
        print("|---|---|---|---|---|")
        for r in rows {
            print("| \(r.system) | \(r.threads) | \(String(format: "%.2f", r.singleP50Ms)) | \(String(format: "%.2f", r.singleP99Ms)) | \(String(format: "%.0f", r.batch32PerSecond)) |")
        }
        if rows.count == 2 {
            print(String(format: "\nSteer / peer: single p50 %.2f×, batch-32 throughput %.2f×", rows[0].singleP50Ms / rows[1].singleP50Ms,
                         rows[0].batch32PerSecond / rows[1].batch32PerSecond))
        }
    }
}

/// Runs a peer script of Benchmarks/peers with the peers' virtual environment and reads the one
/// JSON object it prints on standard output.
enum PeerScript {
    static func run(_ script: String, _ arguments: [String]) throws -> [String: Any] {
        let python = DatasetLocator.cacheDirectory + "/peers-venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ValidationFailureExit(message: "no peer environment at \(python): run Scripts/peers-setup first")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["Benchmarks/peers/" + script] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw ValidationFailureExit(message: "peer \(script) failed (exit \(process.terminationStatus)); run it by hand to see why")
        }
        return object
    }
}
