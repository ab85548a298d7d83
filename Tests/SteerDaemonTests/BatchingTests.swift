// Dynamic batching: the batcher alone (size, delay, keys, rows, cancellation, per-item errors),
// then steerd answering concurrent EncodeHistory, EmbedPrompt and Recommend exactly as unbatched.
import Foundation
@testable import SteerDaemon
import SteerClient
import SteerDPR
import SteerDaemonTestSupport
import SteerWire
import Synchronization
import XCTest

/// Opens once; every waiter (before or after) goes on. Blocks its thread, as batch work does.
private final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    func wait() {
        semaphore.wait()
        semaphore.signal()
    }

    func open() { semaphore.signal() }
}

/// The batches a batcher ran, in order, and gates that hold the n-th batch.
private final class WorkLog: Sendable {
    private let state = Mutex<[[Int]]>([])
    let gates: [Int: Gate]

    init(gates: [Int: Gate] = [:]) { self.gates = gates }

    var batches: [[Int]] { state.withLock { $0 } }

    /// Logs the batch, waits for its gate if it has one, and answers item × 10 (items ≡ 0 mod 3 fail).
    func run(_ key: Int, _ items: [Int]) -> [Result<Int, any Error>] {
        let n = state.withLock { s in
            s.append(items)
            return s.count - 1
        }
        gates[n]?.wait()
        return items.map { $0 % 3 == 0 && $0 > 0 ? .failure(ItemFailure(item: $0)) : .success($0 * 10 + key) }
    }
}

private struct ItemFailure: Error, Equatable {
    var item: Int
}

/// Waits until `condition` holds (polling), failing after 20 s.
private func eventually(_ what: String, file: StaticString = #filePath, line: UInt = #line, _ condition: () -> Bool) async throws {
    let start = ContinuousClock.now
    while !condition() {
        guard ContinuousClock.now - start < .seconds(20) else { return XCTFail("never: \(what)", file: file, line: line) }
        try await Task.sleep(for: .milliseconds(2))
    }
}

final class BatchingTests: XCTestCase {
    private typealias Batcher = DynamicBatcher<Int, Int, Int>

    private func submit(_ batcher: Batcher, _ item: Int, key: Int = 0, rows: Int = 1) -> Task<Int, any Error> {
        Task { try await batcher.submit(item, key: key, rows: rows) }
    }

    // MARK: - The batcher alone

    func testAFullBatchRunsAtOnceAndACancelledWaitingItemLeavesTheQueue() async throws {
        let log = WorkLog()
        let batcher = Batcher(maxBatchSize: 4, maxQueueDelay: .seconds(60), work: log.run)
        let items = [1, 2, 4, 5, 7, 8]   // none fails
        let tasks = items.map { submit(batcher, $0) }
        try await eventually("a batch of 4 ran and 2 items wait") { log.batches.count == 1 && batcher.queueDepth == 2 }
        XCTAssertEqual(log.batches[0].count, 4)
        for (item, task) in zip(items, tasks) where log.batches[0].contains(item) {
            let value = try await task.value
            XCTAssertEqual(value, item * 10)
        }
        // The two left would wait a minute; cancelled, they leave the queue and never run.
        let waiting = zip(items, tasks).filter { !log.batches[0].contains($0.0) }.map(\.1)
        XCTAssertEqual(waiting.count, 2)
        for task in waiting { task.cancel() }
        for task in waiting {
            do {
                _ = try await task.value
                XCTFail("a cancelled waiting item was answered")
            } catch {
                XCTAssertTrue(error is CancellationError, "\(error)")
            }
        }
        XCTAssertEqual(batcher.queueDepth, 0)
        XCTAssertEqual(log.batches.count, 1)
    }

    func testAPartialBatchRunsWhenTheOldestItemHasWaitedTheDelay() async throws {
        let log = WorkLog()
        let delay = Duration.seconds(1)
        let batcher = Batcher(maxBatchSize: 100, maxQueueDelay: delay, work: log.run)
        let start = ContinuousClock.now
        let tasks = [1, 2, 4].map { submit(batcher, $0) }
        var values: [Int] = []
        for task in tasks { values.append(try await task.value) }
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, delay, "a batch that is not full waits for the delay")
        XCTAssertEqual(values, [10, 20, 40])
        XCTAssertEqual(log.batches.map { $0.sorted() }, [[1, 2, 4]])
    }

    func testWithoutDelayALoneItemRunsAtOnceAndWhatQueuesMeanwhileFormsTheNextBatch() async throws {
        let first = Gate()
        let log = WorkLog(gates: [0: first])
        let batcher = Batcher(maxBatchSize: 32, maxQueueDelay: .zero, work: log.run)
        let a = submit(batcher, 1)
        try await eventually("the lone item's batch started") { log.batches == [[1]] }
        let others = [2, 4, 5].map { submit(batcher, $0) }
        try await eventually("three items queue behind the running batch") { batcher.queueDepth == 3 }
        XCTAssertEqual(batcher.runningBatches, 1, "one batch at a time")
        XCTAssertEqual(log.batches.count, 1)
        first.open()
        let aValue = try await a.value
        XCTAssertEqual(aValue, 10)
        var values: [Int] = []
        for task in others { values.append(try await task.value) }
        XCTAssertEqual(values, [20, 40, 50])
        XCTAssertEqual(log.batches.count, 2)
        XCTAssertEqual(log.batches[1].sorted(), [2, 4, 5], "everything queued went into one batch")
    }

    func testEachCallerGetsItsOwnResultOrItsOwnError() async throws {
        let first = Gate()
        let log = WorkLog(gates: [0: first])
        let batcher = Batcher(maxBatchSize: 8, maxQueueDelay: .zero, work: log.run)
        let blocker = submit(batcher, 100)
        try await eventually("the first batch is running") { log.batches.count == 1 }
        let tasks = (1...20).map { submit(batcher, $0) }
        try await eventually("twenty items queue") { batcher.queueDepth == 20 }
        first.open()
        _ = try await blocker.value
        for (i, task) in tasks.enumerated() {
            let item = i + 1
            do {
                let value = try await task.value
                XCTAssertFalse(item % 3 == 0, "item \(item) should have failed")
                XCTAssertEqual(value, item * 10, "item \(item) got another item's result")
            } catch let failure as ItemFailure {
                XCTAssertEqual(failure.item, item, "item \(item) got another item's error")
            }
        }
        XCTAssertEqual(log.batches.dropFirst().map(\.count), [8, 8, 4], "batches of at most maxBatchSize, first come first served")
        XCTAssertEqual(Set(log.batches.dropFirst().flatMap { $0 }), Set(1...20))
        XCTAssertEqual(log.batches.dropFirst().flatMap { $0 }.count, 20, "every item ran exactly once")
    }

    func testItemsOfDifferentKeysNeverShareABatch() async throws {
        let first = Gate()
        let log = WorkLog(gates: [0: first])
        let batcher = Batcher(maxBatchSize: 16, maxQueueDelay: .zero, work: log.run)
        let blocker = submit(batcher, 1000, key: 0)
        try await eventually("the first batch is running") { log.batches.count == 1 }
        let tasks = (1...12).map { submit(batcher, $0, key: $0 % 2) }
        try await eventually("twelve items queue") { batcher.queueDepth == 12 }
        first.open()
        _ = try await blocker.value
        for (i, task) in tasks.enumerated() where (i + 1) % 3 != 0 {
            let value = try await task.value
            XCTAssertEqual(value, (i + 1) * 10 + (i + 1) % 2, "the work saw the item's own key")
        }
        for batch in log.batches.dropFirst() { XCTAssertEqual(Set(batch.map { $0 % 2 }).count, 1, "mixed keys: \(batch)") }
        XCTAssertEqual(log.batches.count, 3, "one batch per key")
    }

    func testRowsCountAgainstTheLimitAndAnOversizedItemRunsAlone() async throws {
        let log = WorkLog()
        let batcher = Batcher(maxBatchSize: 4, maxQueueDelay: .seconds(60), work: log.run)
        let big = try await batcher.submit(7, key: 0, rows: 6)   // more rows than a batch: at once, alone
        XCTAssertEqual(big, 70)
        let pair = [submit(batcher, 1, rows: 2), submit(batcher, 2, rows: 2)]
        for task in pair { _ = try await task.value }   // 4 rows: a full batch, no minute of waiting
        XCTAssertEqual(log.batches.map { $0.sorted() }, [[7], [1, 2]])
    }

    func testCancellingTheCallerThatRunsABatchFailsNoOne() async throws {
        let gates = [0: Gate(), 1: Gate()]
        let log = WorkLog(gates: gates)
        let batcher = Batcher(maxBatchSize: 8, maxQueueDelay: .zero, work: log.run)
        let a = submit(batcher, 1)
        try await eventually("the first batch is running") { log.batches.count == 1 }
        let b = submit(batcher, 2)
        try await eventually("the second item queues") { batcher.queueDepth == 1 }
        let c = submit(batcher, 4)
        let d = submit(batcher, 5)
        try await eventually("three items queue") { batcher.queueDepth == 3 }
        a.cancel()   // already in a running batch: it finishes with it
        gates[0]!.open()
        let aValue = try await a.value
        XCTAssertEqual(aValue, 10)
        try await eventually("the second batch is running") { log.batches.count == 2 }
        // Whichever caller leads the second batch, cancelling all but one of them fails none.
        b.cancel()
        c.cancel()
        gates[1]!.open()
        for (task, expected) in [(b, 20), (c, 40), (d, 50)] {
            let value = try await task.value
            XCTAssertEqual(value, expected)
        }
        XCTAssertEqual(log.batches.map { $0.sorted() }, [[1], [2, 4, 5]])
        XCTAssertEqual(batcher.runningBatches, 0)
    }

    func testASecondConcurrentBatchRunsBesideTheFirst() async throws {
        let first = Gate()
        let log = WorkLog(gates: [0: first])
        let batcher = Batcher(maxBatchSize: 2, maxQueueDelay: .zero, maxConcurrentBatches: 2, work: log.run)
        let a = submit(batcher, 1)
        try await eventually("the first batch is running") { log.batches.count == 1 }
        // The first batch blocks its caller's thread; the second runs on a worker thread meanwhile.
        let b = try await batcher.submit(2, key: 0)
        XCTAssertEqual(b, 20)
        XCTAssertEqual(batcher.runningBatches, 1)
        first.open()
        let aValue = try await a.value
        XCTAssertEqual(aValue, 10)
        XCTAssertEqual(log.batches, [[1], [2]])
    }

    func testABatchSizeOfOneRunsEveryItemAtOnceAndAlone() async throws {
        let first = Gate()
        let log = WorkLog(gates: [0: first])
        let batcher = Batcher(maxBatchSize: 1, maxQueueDelay: .seconds(60), work: log.run)
        let a = submit(batcher, 1)
        try await eventually("the first item runs") { log.batches.count == 1 }
        let b = try await batcher.submit(2, key: 0)   // not held behind the first: batching is off
        XCTAssertEqual(b, 20)
        first.open()
        let aValue = try await a.value
        XCTAssertEqual(aValue, 10)
        XCTAssertEqual(log.batches, [[1], [2]])
        XCTAssertEqual(batcher.queueDepth, 0)
    }

    // MARK: - Through steerd

    private let fixture = SteeringFixture()

    /// A daemon serving MeanPool from the fixture's checkpoint (with `head`), batching as `maxBatchSize` says.
    private func daemon(head: DPRHead?, encoder: String? = nil, maxBatchSize: Int, delayMicros: Int = 200_000) async throws -> TestDaemon {
        let daemon = try await TestDaemon(pluginDirectory: try MeanPoolPlugin.directory.get(), encoderDirectory: encoder) {
            $0.maxBatchSize = maxBatchSize
            $0.maxQueueDelayMicros = delayMicros
        }
        try fixture.writeCheckpoint(to: daemon.directory + "/snapshots/model.snap", headArchive: head?.archived())
        _ = try daemon.connect().call(.loadBackbone, LoadBackboneRequest(name: "MeanPool", checkpoint: "model.snap"), as: LoadBackboneResponse.self)
        return daemon
    }

    /// Sends every request at once, spread over `connections` connections, and returns the responses in request order.
    private func concurrently(_ daemon: TestDaemon, _ method: SteerWire.Method, _ payloads: [[UInt8]], connections: Int = 4) throws -> [ResponseEnvelope] {
        let links = try (0..<connections).map { _ in try daemon.connect() }
        for (i, payload) in payloads.enumerated() {
            try links[i % connections].send(RequestEnvelope(id: UInt64(i + 1), method: method, payload: payload))
        }
        var responses: [UInt64: ResponseEnvelope] = [:]
        for (c, link) in links.enumerated() {
            for _ in stride(from: c, to: payloads.count, by: connections) {
                let response = try link.receive()
                responses[response.id] = response
            }
        }
        return (1...payloads.count).map { responses[UInt64($0)]! }
    }

    /// Each request on its own, one after another, through a daemon that does not batch.
    private func oneByOne(_ daemon: TestDaemon, _ method: SteerWire.Method, _ payloads: [[UInt8]]) throws -> [ResponseEnvelope] {
        let link = try daemon.connect()
        return try payloads.enumerated().map { i, payload in
            try link.send(RequestEnvelope(id: UInt64(i + 1), method: method, payload: payload))
            return try link.receive()
        }
    }

    private func metrics(_ daemon: TestDaemon) throws -> String {
        try daemon.connect().call(.stats, StatsRequest(), as: StatsResponse.self).prometheusText
    }

    private func sample(_ text: String, _ name: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    func testConcurrentEncodeHistoryAnswersAsUnbatchedAndBatchesAcrossRequests() async throws {
        let n = UInt32(SteeringFixture.itemCount)
        var requests: [EncodeHistoryRequest] = (0..<40).map { r in
            let count = 1 + r % 3   // 1 to 3 histories per request, of 1 to 9 items
            return EncodeHistoryRequest(histories: (0..<count).map { h in (0..<(1 + (r + h) % 9)).map { UInt32((r * 7 + h * 3 + $0 * 5) % Int(n)) } })
        }
        requests[17] = EncodeHistoryRequest(histories: [[1, 2], [3, n + 5]])   // out of range: fails alone
        let payloads = requests.map { $0.encoded() }
        let plain = try await daemon(head: nil, maxBatchSize: 1)
        let expected = try oneByOne(plain, .encodeHistory, payloads)
        try await plain.stop()

        let batched = try await daemon(head: nil, maxBatchSize: 16)
        let answered = try concurrently(batched, .encodeHistory, payloads)
        for (i, (got, want)) in zip(answered, expected).enumerated() {
            XCTAssertEqual(got.status, want.status, "request \(i): \(got.message)")
            XCTAssertEqual(got.message, want.message, "request \(i)")
            if want.status == .ok {
                XCTAssertEqual(try EncodeHistoryResponse(decoding: got.payload).userVectors,
                               try EncodeHistoryResponse(decoding: want.payload).userVectors, "request \(i)")
            }
        }
        XCTAssertNotEqual(expected[17].status, .ok)
        XCTAssertEqual(expected.filter { $0.status == .ok }.count, 39)

        let text = try metrics(batched)
        let calls = try XCTUnwrap(sample(text, #"steer_batch_size_count{kind="history_encoding"}"#), text)
        let rows = try XCTUnwrap(sample(text, #"steer_batch_size_sum{kind="history_encoding"}"#), text)
        let served = requests.enumerated().filter { $0.offset != 17 }.map { $0.element.histories.count }
        XCTAssertEqual(rows, Double(served.reduce(0, +)), "every history of an answered request encoded once")
        XCTAssertLessThan(calls, Double(served.count), "some encoder call served several requests: \(text)")
        XCTAssertEqual(sample(text, #"steer_batch_queue_depth{kind="history_encoding"}"#), 0, text)
        try await batched.stop()
    }

    func testConcurrentRecommendAnswersAsUnbatchedWithTokenAndPooledHeads() async throws {
        let prompts = ["", "I want a comedy", "no horror please", "something scary tonight"]
        let polarities: [Polarity] = [.unspecified, .positive, .negative]
        let requests: [RecommendRequest] = (0..<36).map { r in
            let prompt = prompts[r % prompts.count]
            return RecommendRequest(history: (0..<(2 + r % 5)).map { UInt32((r * 11 + $0 * 3) % SteeringFixture.itemCount) }, prompt: prompt,
                                    polarity: prompt.isEmpty ? .unspecified : polarities[(r / 4) % 3], k: UInt32(3 + r % 9),
                                    includeHistory: r % 5 == 0)
        }
        let payloads = requests.map { $0.encoded() }
        for keyValue in [KeyValueMode.tokens, .pooled] {
            let head = try SteeringFixture.head(keyValue: keyValue)
            let plain = try await daemon(head: head, encoder: miniLMDirectory, maxBatchSize: 1)
            let expected = try oneByOne(plain, .recommend, payloads)
            try await plain.stop()

            let batched = try await daemon(head: head, encoder: miniLMDirectory, maxBatchSize: 8)
            let answered = try concurrently(batched, .recommend, payloads)
            for (i, (got, want)) in zip(answered, expected).enumerated() {
                XCTAssertEqual(got.status, .ok, "\(keyValue) request \(i): \(got.message)")
                XCTAssertEqual(want.status, .ok, "\(keyValue) request \(i): \(want.message)")
                guard got.status == .ok, want.status == .ok else { continue }
                let g = try RecommendResponse(decoding: got.payload), w = try RecommendResponse(decoding: want.payload)
                XCTAssertEqual(g.itemIDs, w.itemIDs, "\(keyValue) request \(i)")
                if requests[i].prompt.isEmpty {
                    // Unsteered: the same sgemv per query, batched or not, so the same bits.
                    XCTAssertEqual(g.scores, w.scores, "\(keyValue) request \(i)")
                } else {
                    // One head pass over a padded batch rounds its sums differently from a pass over one row.
                    XCTAssertClose(g.scores, w.scores, accuracy: 1e-4, "\(keyValue) request \(i)")
                }
                XCTAssertEqual(g.titles, w.titles)
                XCTAssertEqual(g.polarity, w.polarity, "\(keyValue) request \(i)")
                XCTAssertEqual(g.routeConfidence, w.routeConfidence, "\(keyValue) request \(i)")
            }
            let text = try metrics(batched)
            let batches = try XCTUnwrap(sample(text, #"steer_batch_size_count{kind="ranking"}"#), text)
            XCTAssertEqual(sample(text, #"steer_batch_size_sum{kind="ranking"}"#), Double(requests.count), text)
            XCTAssertLessThan(batches, Double(requests.count), "some ranking batch served several requests: \(text)")
            let steered = requests.filter { !$0.prompt.isEmpty }.count
            XCTAssertEqual(sample(text, #"steer_batch_size_sum{kind="prompt_fusion"}"#), Double(steered), text)
            XCTAssertEqual(sample(text, #"steer_batch_queue_depth{kind="ranking"}"#), 0, text)
            try await batched.stop()
        }
    }

    func testConcurrentEmbedPromptAnswersAsUnbatchedInSharedEncoderCalls() async throws {
        let requests = (0..<12).map { r in EmbedPromptRequest(prompts: (0..<(1 + r % 3)).map { "prompt \(r)-\($0): a quiet drama by the sea" }) }
        let payloads = requests.map { $0.encoded() }
        let plain = try await TestDaemon(encoderDirectory: miniLMDirectory) { $0.maxBatchSize = 1 }
        let expected = try oneByOne(plain, .embedPrompt, payloads)
        try await plain.stop()

        let batched = try await TestDaemon(encoderDirectory: miniLMDirectory) {
            $0.maxBatchSize = 32
            $0.maxQueueDelayMicros = 200_000
        }
        let answered = try concurrently(batched, .embedPrompt, payloads)
        for (i, (got, want)) in zip(answered, expected).enumerated() {
            XCTAssertEqual(got.status, .ok, "request \(i): \(got.message)")
            let g = try EmbedPromptResponse(decoding: got.payload), w = try EmbedPromptResponse(decoding: want.payload)
            XCTAssertEqual(g.cacheHits, w.cacheHits)
            // Texts packed with others go through taller matrices: the sums may round differently.
            XCTAssertClose(g.embeddings, w.embeddings, accuracy: 1e-5, "request \(i)")
        }
        let text = try metrics(batched)
        let calls = try XCTUnwrap(sample(text, #"steer_batch_size_count{kind="prompt_embedding"}"#), text)
        XCTAssertEqual(sample(text, #"steer_batch_size_sum{kind="prompt_embedding"}"#), Double(requests.map(\.prompts.count).reduce(0, +)), text)
        XCTAssertLessThan(calls, Double(requests.count), "some encoder call served several requests: \(text)")
        try await batched.stop()
    }
}
