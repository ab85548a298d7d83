// Encoder speed: single-prompt latency (p50/p99) and batch-32 throughput. Opt-in, since
// timings only mean something in release on a quiet machine:
//   STEER_TEXT_BENCH=1 swift test -c release --filter EncoderBenchmarkTests
import Foundation
import XCTest
import SteerBLAS
import SteerText

final class EncoderBenchmarkTests: XCTestCase {
    static let prompts = [
        "no horror tonight please", "something light and funny for the kids",
        "I want an old war movie from the nineties", "avoid anything too scary or violent tonight",
        "recommend a romantic comedy with a happy ending", "show me a clever science fiction film",
        "a documentary about nature and animals please", "nothing with zombies or vampires in it",
    ]

    func testMiniLMSpeed() throws { try measure(model: "all-MiniLM-L6-v2") { try MiniLMEncoder(directory: $0, threads: $1) } }
    func testMPNetSpeed() throws { try measure(model: "all-mpnet-base-v2") { try MPNetEncoder(directory: $0, threads: $1) } }

    func measure(model: String, _ load: (URL, Int) throws -> any SentenceEncoder) throws {
        guard ProcessInfo.processInfo.environment["STEER_TEXT_BENCH"] == "1" else {
            throw XCTSkip("set STEER_TEXT_BENCH=1 (and build with -c release) to run the encoder benchmark")
        }
        guard let folder = modelFolder(model) else { throw XCTSkip("\(model) not in \(steerCache().path)/models") }
        let saved = BLASThreads.count
        defer { BLASThreads.set(saved) }
        for split in [1, 2] {
            let encoder = try load(folder, split)
            for blas in [1, 2] {
                BLASThreads.set(blas)
                for prompt in Self.prompts { _ = try encoder.embed(prompt) }  // warm-up
                var latencies: [Double] = []
                for i in 0..<300 {
                    let start = DispatchTime.now().uptimeNanoseconds
                    _ = try encoder.embed(Self.prompts[i % Self.prompts.count] + " \(i)")
                    latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                }
                latencies.sort()
                let batch = (0..<32).map { Self.prompts[$0 % Self.prompts.count] + " \($0)" }
                _ = try encoder.embedFlat(batch)
                let rounds = 10
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<rounds { _ = try encoder.embedFlat(batch) }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                print(String(format: "%@ encoder threads %d, OpenBLAS threads %d: single p50 %.2f ms, p99 %.2f ms; batch-32 %.0f prompts/s",
                             model, split, blas, latencies[150], latencies[296], Double(32 * rounds) / seconds))
            }
        }
    }
}
