// `steer bench embed`: MiniLM prompt-embedding latency and throughput, side by side with
// sentence-transformers (PyTorch, CPU) and ONNX Runtime (fp32 and dynamic int8) run on the same
// prompts in the same invocation, each with its parity against the PyTorch fp32 reference.
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
    @Option(help: "Threads for Steer's encoder and OpenBLAS, and for each peer (torch, ONNX Runtime intra-op).") var threads = 1
    @Flag(help: "Also run the peers: sentence-transformers, ONNX Runtime fp32 and int8 (Scripts/peers-setup installs them).") var peer = false
    @Option(help: "Reference embeddings (PyTorch fp32) the parity column compares with.")
    var reference = "Tests/Fixtures/encoders/minilm_reference.json"
    @Flag(help: "Also measure Steer's int8 encoder (AVX-512 VNNI), with its cosine to the reference.") var int8 = false
    @Flag(help: "Print JSON.") var json = false

    struct Figures: Codable {
        var system: String
        var threads: Int
        var singleP50Ms: Double
        var singleP99Ms: Double
        var batch32PerSecond: Double
        /// The worst cosine to the reference embeddings over its cases; nil when not measured.
        var minCosine: Double?
    }

    func run() throws {
        LoadAverage.report("before")
        defer { LoadAverage.report("after") }
        let texts = try String(contentsOfFile: prompts, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        guard !texts.isEmpty else { throw ValidationError("no prompts in \(prompts)") }
        BLASThreads.set(threads)
        let directory = model ?? DatasetLocator.cacheDirectory + "/models/all-MiniLM-L6-v2"
        var rows: [Figures] = []
        for precision in int8 ? [EncoderPrecision.fp32, .int8] : [.fp32] {
            let encoder = try MiniLMEncoder(directory: URL(fileURLWithPath: directory), threads: threads, precision: precision)
            if precision == .int8 && encoder.precision != .int8 {
                FileHandle.standardError.write(Data("bench embed: this CPU has no AVX-512 VNNI; the int8 row runs fp32\n".utf8))
            }
            rows.append(try measure(encoder, texts))
        }
        if peer {
            let common = ["--threads", "\(threads)", "--single", "\(single)", "--seconds", "\(seconds)", "--prompts", prompts]
            let torch = try PeerScript.run("embed_peer.py", common)
            rows.append(Figures(system: "sentence-transformers \(torch["version"] as? String ?? "?") (torch \(torch["torch"] as? String ?? "?"))",
                                threads: threads, singleP50Ms: torch["single_p50_ms"] as? Double ?? .nan,
                                singleP99Ms: torch["single_p99_ms"] as? Double ?? .nan, batch32PerSecond: torch["batch32_per_s"] as? Double ?? .nan))
            for precision in ["fp32", "int8"] {
                let ort = try PeerScript.run("embed_onnx_peer.py", common + ["--precision", precision, "--reference", reference])
                rows.append(Figures(system: "ONNX Runtime \(ort["version"] as? String ?? "?") \(precision)", threads: threads,
                                    singleP50Ms: ort["single_p50_ms"] as? Double ?? .nan, singleP99Ms: ort["single_p99_ms"] as? Double ?? .nan,
                                    batch32PerSecond: ort["batch32_per_s"] as? Double ?? .nan, minCosine: ort["min_cosine"] as? Double))
            }
        }
        if json {
            try printJSON(rows)
            return
        }
        print("all-MiniLM-L6-v2 prompt embedding, \(texts.count) prompts, \(single) single calls, batch-32 for \(seconds) s\n")
        print("| system | threads | single p50 ms | single p99 ms | batch-32 prompts/s | worst cosine vs PyTorch fp32 |")
        print("|---|---|---|---|---|---|")
        for r in rows {
            let cosine = r.minCosine.map { String(format: "%.5f", $0) } ?? "–"
            print("| \(r.system) | \(r.threads) | \(String(format: "%.2f", r.singleP50Ms)) | \(String(format: "%.2f", r.singleP99Ms)) | "
                + "\(String(format: "%.0f", r.batch32PerSecond)) | \(cosine) |")
        }
        for own in rows where own.system.hasPrefix("Steer") {
            for peerRow in rows where !peerRow.system.hasPrefix("Steer") {
                print(String(format: "%@ / %@: single p50 %.2f×, batch-32 throughput %.2f×", own.system, peerRow.system,
                             own.singleP50Ms / peerRow.singleP50Ms, own.batch32PerSecond / peerRow.batch32PerSecond))
            }
        }
    }
}

extension BenchEmbedCommand {
    /// Single-prompt latencies over `single` calls, then batch-32 throughput for `seconds`.
    private func measure(_ encoder: MiniLMEncoder, _ texts: [String]) throws -> Figures {
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
        return Figures(system: "Steer MiniLM (\(encoder.kernelDescription))", threads: threads,
                       singleP50Ms: latencies[latencies.count / 2], singleP99Ms: latencies[min(latencies.count - 1, latencies.count * 99 / 100)],
                       batch32PerSecond: Double(embedded) / Date().timeIntervalSince(start),
                       minCosine: try Self.worstCosine(of: encoder, against: reference))
    }

    /// The worst cosine between `encoder`'s embeddings and the reference file's (its `cases`, each
    /// a `text` and an `embedding`); nil when the file is absent.
    static func worstCosine(of encoder: some SentenceEncoder, against path: String) throws -> Double? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let cases = try JSONDecoder().decode(ReferenceEmbeddings.self, from: data).cases
        var worst = 1.0
        for (c, got) in zip(cases, try encoder.embed(cases.map(\.text))) {
            var dot = 0.0, a = 0.0, b = 0.0
            for (x, y) in zip(got.map(Double.init), c.embedding) { dot += x * y; a += x * x; b += y * y }
            worst = min(worst, dot / (a.squareRoot() * b.squareRoot()))
        }
        return worst
    }
}

/// The parity fixture's form: texts with their PyTorch fp32 embeddings.
private struct ReferenceEmbeddings: Decodable {
    struct Case: Decodable {
        let text: String
        let embedding: [Double]
    }
    let cases: [Case]
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
