// Stats renders the swift-metrics figures in the Prometheus text format: request counts, errors
// and a latency histogram per method, batch sizes, cache hits and the in-flight gauge.
import Foundation
import SteerClient
import SteerDaemonTestSupport
import SteerWire
import XCTest

final class MetricsTests: XCTestCase {
    /// The value of the sample line starting with `prefix` (name and labels), or nil.
    private func sample(_ text: String, _ prefix: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(prefix + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    func testStatsExposesPerMethodCountsLatencyHistogramsBatchesAndCaches() async throws {
        let daemon = try await TestDaemon(index: try smallIndex(), encoderDirectory: miniLMDirectory)
        let connection = try daemon.connect()
        for _ in 0..<5 {
            _ = try connection.call(.retrieve, RetrieveRequest(k: 3, queries: [RetrieveQuery(vector: [1, 0])]), as: RetrieveResponse.self)
        }
        XCTAssertThrowsError(try connection.call(.retrieve, RetrieveRequest(k: 3, queries: [RetrieveQuery(vector: [1, 0, 0])]), as: RetrieveResponse.self))
        // Three prompts, one repeated: one encoder batch of two, then a cache hit.
        _ = try connection.call(.embedPrompt, EmbedPromptRequest(prompts: ["a comedy", "no horror"]), as: EmbedPromptResponse.self)
        _ = try connection.call(.embedPrompt, EmbedPromptRequest(prompts: ["a comedy"]), as: EmbedPromptResponse.self)
        let text = try connection.call(.stats, StatsRequest(), as: StatsResponse.self).prometheusText

        XCTAssertEqual(sample(text, #"steer_requests_total{method="Retrieve",status="OK"}"#), 5, text)
        XCTAssertEqual(sample(text, #"steer_requests_total{method="Retrieve",status="INVALID_ARGUMENT"}"#), 1, text)
        XCTAssertEqual(sample(text, #"steer_requests_total{method="EmbedPrompt",status="OK"}"#), 2, text)
        // The latency histogram: six Retrieve observations, cumulative buckets ending at +Inf.
        XCTAssertTrue(text.contains("# TYPE steer_request_duration_seconds histogram"), text)
        XCTAssertEqual(sample(text, #"steer_request_duration_seconds_count{method="Retrieve"}"#), 6, text)
        XCTAssertEqual(sample(text, #"steer_request_duration_seconds_bucket{method="Retrieve",le="+Inf"}"#), 6, text)
        let sum = try XCTUnwrap(sample(text, #"steer_request_duration_seconds_sum{method="Retrieve"}"#), text)
        XCTAssertGreaterThan(sum, 0)
        XCTAssertLessThan(sum, 5, "six small retrievals take well under a second each")
        // One encoder call of 2 prompts.
        XCTAssertEqual(sample(text, #"steer_batch_size_count{kind="prompt_embedding"}"#), 1, text)
        XCTAssertEqual(sample(text, #"steer_batch_size_sum{kind="prompt_embedding"}"#), 2, text)
        XCTAssertEqual(sample(text, "steer_prompt_cache_hits_total"), 1, text)
        XCTAssertEqual(sample(text, "steer_prompt_cache_misses_total"), 2, text)
        // The Stats request itself is in flight while the text is rendered.
        XCTAssertEqual(sample(text, "steer_requests_in_flight"), 1, text)
        XCTAssertEqual(sample(text, "steer_connections"), 1, text)

        // Mirrored cache counters only grow by what happened since the last Stats.
        _ = try connection.call(.embedPrompt, EmbedPromptRequest(prompts: ["a comedy"]), as: EmbedPromptResponse.self)
        let again = try connection.call(.stats, StatsRequest(), as: StatsResponse.self).prometheusText
        XCTAssertEqual(sample(again, "steer_prompt_cache_hits_total"), 2, again)
        XCTAssertEqual(sample(again, "steer_prompt_cache_misses_total"), 2, again)
        XCTAssertEqual(sample(again, #"steer_requests_total{method="Stats",status="OK"}"#), 1, again)
        try await daemon.stop()
    }
}
