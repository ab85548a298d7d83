// The C client against a real in-process steerd: typed blocking calls, pipelining, statuses.
import CSteerClient
import CSteerProto
import Foundation
import SteerDaemonTestSupport
import SteerWire
import XCTest

final class DaemonCallTests: XCTestCase {
    let fixture = SteeringFixture()

    /// A daemon serving MeanPool from a checkpoint (with a DPR head when `head`), loaded through the C client.
    private func steeringDaemon(head: Bool = false) async throws -> (TestDaemon, CClient) {
        let daemon = try await TestDaemon(pluginDirectory: try MeanPoolPlugin.directory.get(),
                                          encoderDirectory: head ? miniLMDirectory : nil)
        try fixture.writeCheckpoint(to: daemon.directory + "/snapshots/model.snap",
                                    headArchive: head ? try SteeringFixture.head().archived() : nil)
        let client = try CClient(socketPath: daemon.socketPath)
        XCTAssertEqual(try client.loadBackbone("MeanPool", checkpoint: "model.snap"), UInt32(SteeringFixture.dim))
        return (daemon, client)
    }

    func testHealthThroughTheCClient() async throws {
        let daemon = try await TestDaemon(index: smallIndex())
        let client = try CClient(socketPath: daemon.socketPath)
        let health = try client.health()
        XCTAssertTrue(health.live)
        XCTAssertTrue(health.ready)
        XCTAssertFalse(health.version.isEmpty)
        XCTAssertEqual([health.nItems, health.dim], [12, 2])

        // The generic call, with NULL for the empty HealthRequest, answers the same.
        var out: UnsafeMutablePointer<ProtobufCMessage>?
        var error = steer_error()
        XCTAssertEqual(steer_client_call(client.handle, UInt32(STEER__V1__METHOD__METHOD_HEALTH.rawValue), nil, 5_000, &out, &error), STEER_OK)
        XCTAssertEqual(String(cString: out!.pointee.descriptor.pointee.name), "steer.v1.HealthResponse")
        let typed = UnsafeMutableRawPointer(out!).assumingMemoryBound(to: Steer__V1__HealthResponse.self).pointee
        XCTAssertEqual(typed.n_items, 12)
        steer_client_message_free(out)
        try await daemon.stop()
    }

    func testRecommendMatchesTheExactRankingOfTheUserVector() async throws {
        let (daemon, client) = try await steeringDaemon()
        let history: [UInt32] = [3, 17, 5, 22]
        let user = try client.encodeHistory(history)
        XCTAssertEqual(user.count, SteeringFixture.dim)
        let expected = fixture.rank(user, k: 7, excluding: Set(history))
        let r = try client.recommend(RecommendRequest(history: history, k: 7))
        XCTAssertEqual(r.itemIDs, expected.map(\.item))
        XCTAssertClose(r.scores, expected.map(\.score), accuracy: 1e-4)
        XCTAssertEqual(r.titles, r.itemIDs.map { "Movie \($0)" })
        XCTAssertEqual(r.polarity, .unspecified)
        try await daemon.stop()
    }

    func testPromptRPCsAndASteeredRecommend() async throws {
        let (daemon, client) = try await steeringDaemon(head: true)
        let embedded = try client.call(steer_client_embed_prompt, EmbedPromptRequest(prompts: ["I want a comedy", "no horror tonight"]),
                                       unpack: steer__v1__embed_prompt_request__unpack) { r in
            (dim: r.dim, values: array(r.embeddings, r.n_embeddings), hits: array(r.cache_hits, r.n_cache_hits))
        }
        XCTAssertEqual(embedded.dim, 384)
        XCTAssertEqual(embedded.values.count, 2 * 384)
        XCTAssertEqual(embedded.hits.count, 2)
        let norm = embedded.values[0..<384].reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertEqual(norm, 1, accuracy: 1e-4)

        let routed = try client.call(steer_client_route, RouteRequest(prompts: ["I want a comedy", "no horror tonight"]),
                                     unpack: steer__v1__route_request__unpack) { r in
            array(r.results, r.n_results).map { $0!.pointee.polarity }
        }
        XCTAssertEqual(routed, [STEER__V1__POLARITY__POLARITY_POSITIVE, STEER__V1__POLARITY__POLARITY_NEGATIVE])

        let history: [UInt32] = [1, 2, 30]
        let steered = try client.recommend(RecommendRequest(history: history, prompt: "no horror tonight", k: 10))
        let plain = try client.recommend(RecommendRequest(history: history, k: 10))
        XCTAssertEqual(steered.polarity, .negative)
        XCTAssertGreaterThan(steered.routeConfidence, 0.5)
        XCTAssertEqual(steered.itemIDs.count, 10)
        XCTAssertNotEqual(steered.itemIDs, plain.itemIDs, "the head should move the ranking")

        let stats = try client.call(steer_client_stats, StatsRequest?.none, unpack: steer__v1__stats_request__unpack) { r in
            (requests: r.requests_total, text: string(r.prometheus_text))
        }
        XCTAssertGreaterThanOrEqual(stats.requests, 5)
        XCTAssertTrue(stats.text.contains("steer_prompt_cache"), stats.text)
        try await daemon.stop()
    }

    /// 50 requests of three kinds written before any is read: every id comes back exactly once,
    /// each with its own request's answer (the right k, the right status).
    func testFiftyPipelinedRequestsAreEachAnsweredOnceByID() async throws {
        let (daemon, client) = try await steeringDaemon()
        enum Expect { case health, recommend(RecommendRequest, [UInt32]), outOfRange }
        var expected: [UInt64: Expect] = [:]
        var requests: [(UInt64, Expect)] = []
        for i in 0..<50 {
            let id = client.nextID()
            switch i % 5 {
            case 0: requests.append((id, .health))
            case 3: requests.append((id, .outOfRange))
            default:
                let request = RecommendRequest(history: [UInt32(i % 40), UInt32((i * 7 + 1) % 40)], k: UInt32(1 + i % 9))
                // What the same request answers on its own, for comparison.
                requests.append((id, .recommend(request, try client.recommend(request).itemIDs)))
            }
        }
        for (n, (id, kind)) in requests.enumerated() {
            expected[id] = kind
            switch kind {
            case .health: try client.send(.health, id: id, HealthRequest())
            case .outOfRange:
                try client.sendMessage(.recommend, id: id, RecommendRequest(history: [2, 1_000 + UInt32(n)], k: 3),
                                       unpack: steer__v1__recommend_request__unpack)
            case .recommend(let request, _):
                // Half through the raw-payload call, half through the message call.
                if n % 2 == 0 { try client.send(.recommend, id: id, request) }
                else { try client.sendMessage(.recommend, id: id, request, unpack: steer__v1__recommend_request__unpack) }
            }
        }
        var seen: [UInt64: Int] = [:]
        var order: [UInt64] = []
        for _ in 0..<50 {
            let response = try client.receive(timeoutMs: 20_000)
            seen[response.id, default: 0] += 1
            order.append(response.id)
            switch expected[response.id] {
            case .health:
                XCTAssertEqual(response.status, 0, response.message)
                XCTAssertEqual(try HealthResponse(decoding: response.payload).nItems, UInt32(SteeringFixture.itemCount))
            case .outOfRange:
                XCTAssertEqual(response.status, StatusCode.invalidArgument.rawValue)
                XCTAssertTrue(response.message.contains("out of range"), response.message)
            case .recommend(let request, let items):
                XCTAssertEqual(response.status, 0, response.message)
                let r = try RecommendResponse(decoding: response.payload)
                XCTAssertEqual(r.itemIDs.count, Int(request.k))
                XCTAssertEqual(r.itemIDs, items, "id \(response.id)")
            case nil:
                XCTFail("response for id \(response.id), which was never sent")
            }
        }
        XCTAssertEqual(Set(seen.keys), Set(expected.keys))
        XCTAssertEqual(seen.values.filter { $0 != 1 }, [], "every id answered exactly once")
        XCTAssertThrowsError(try client.receive(timeoutMs: 0)) { XCTAssertEqual(($0 as! CClientError).code, STEER_ERR_TIMEOUT) }
        try await daemon.stop()
    }

    /// A blocking call while other requests are in flight sets their responses aside for `receive`.
    func testABlockingCallSetsOtherResponsesAside() async throws {
        let daemon = try await TestDaemon(index: smallIndex())
        let client = try CClient(socketPath: daemon.socketPath)
        let ids = (0..<3).map { _ in client.nextID() }
        for id in ids { try client.send(.health, id: id, HealthRequest()) }
        usleep(50_000)   // let their answers arrive ahead of the call's
        XCTAssertTrue(try client.health().live)
        let later = try (0..<3).map { _ in try client.receive(timeoutMs: 5_000) }
        XCTAssertEqual(Set(later.map(\.id)), Set(ids))
        XCTAssertEqual(later.map(\.status), [0, 0, 0])
        XCTAssertThrowsError(try client.receive(timeoutMs: 50)) { XCTAssertEqual(($0 as! CClientError).code, STEER_ERR_TIMEOUT) }
        try await daemon.stop()
    }

    /// The daemon's status and message come back as values, and the connection keeps working.
    func testErrorStatusesAreSurfacedPrecisely() async throws {
        let daemon = try await TestDaemon(pluginDirectory: try MeanPoolPlugin.directory.get())
        try fixture.writeCheckpoint(to: daemon.directory + "/snapshots/model.snap", headArchive: nil)
        let client = try CClient(socketPath: daemon.socketPath)
        func failure(_ body: () throws -> Any) -> CClientError? {
            do { _ = try body(); XCTFail("expected an error"); return nil }
            catch let error as CClientError { return error }
            catch { XCTFail("\(error)"); return nil }
        }
        // Before any backbone: FAILED_PRECONDITION.
        var e = failure { try client.recommend(RecommendRequest(history: [1], k: 3)) }
        XCTAssertEqual(e?.code, STEER_ERR_STATUS)
        XCTAssertEqual(e?.statusName, "FAILED_PRECONDITION")
        XCTAssertTrue(e?.message.contains("no backbone is loaded") == true, e?.message ?? "")

        e = failure { try client.loadBackbone("MeanPool", checkpoint: "missing.snap") }
        XCTAssertEqual(e?.status, StatusCode.notFound.rawValue)
        XCTAssertEqual(try client.loadBackbone("MeanPool", checkpoint: "model.snap"), UInt32(SteeringFixture.dim))

        // An unknown item in the history: INVALID_ARGUMENT naming the item and its position.
        e = failure { try client.recommend(RecommendRequest(history: [3, 999], k: 3)) }
        XCTAssertEqual(e?.code, STEER_ERR_STATUS)
        XCTAssertEqual(e?.status, StatusCode.invalidArgument.rawValue)
        XCTAssertTrue(e?.message.contains("item id 999 at history position 1 is out of range") == true, e?.message ?? "")
        XCTAssertTrue(e?.message.hasPrefix("Recommend: INVALID_ARGUMENT: ") == true, e?.message ?? "")

        // A method number steerd does not know, and a payload that is not the method's message.
        let id = client.nextID()
        try client.send(99, id: id, payload: [])
        var response = try client.receive()
        XCTAssertEqual([response.id, UInt64(response.status)], [id, UInt64(StatusCode.unimplemented.rawValue)])
        try client.send(SteerWire.Method.recommend.rawValue, id: id + 1, payload: [0xFF, 0xFF, 0xFF])
        response = try client.receive()
        XCTAssertEqual(response.id, id + 1)
        XCTAssertEqual(response.status, StatusCode.invalidArgument.rawValue, response.message)

        // Still serving.
        XCTAssertEqual(try client.recommend(RecommendRequest(history: [3], k: 2)).itemIDs.count, 2)
        try await daemon.stop()
    }

    /// Bad input to the library is an error value and sends nothing.
    func testTheLibraryRefusesBadArgumentsWithoutSending() async throws {
        let daemon = try await TestDaemon(index: smallIndex())
        let client = try CClient(socketPath: daemon.socketPath)
        var error = steer_error()
        var out: UnsafeMutablePointer<ProtobufCMessage>?
        let health = UInt32(STEER__V1__METHOD__METHOD_HEALTH.rawValue), recommend = UInt32(STEER__V1__METHOD__METHOD_RECOMMEND.rawValue)

        XCTAssertEqual(steer_client_call(nil, health, nil, 100, &out, &error), STEER_ERR_INVALID_ARGUMENT)
        XCTAssertEqual(steer_client_call(client.handle, health, nil, 100, nil, &error), STEER_ERR_INVALID_ARGUMENT)
        XCTAssertEqual(steer_client_call(client.handle, health, nil, 0, &out, &error), STEER_ERR_INVALID_ARGUMENT)
        XCTAssertEqual(steer_client_call(client.handle, 0, nil, 100, &out, &error), STEER_ERR_INVALID_ARGUMENT)
        XCTAssertEqual(steer_client_call(client.handle, 77, nil, 100, &out, &error), STEER_ERR_INVALID_ARGUMENT)
        XCTAssertTrue(text(of: error).contains("method 77"), text(of: error))

        // A HealthRequest where Recommend wants a RecommendRequest.
        var wrong = Steer__V1__HealthRequest()
        steer__v1__health_request__init(&wrong)
        let wrongType = withUnsafePointer(to: &wrong) { p in
            p.withMemoryRebound(to: ProtobufCMessage.self, capacity: 1) { steer_client_call(client.handle, recommend, $0, 100, &out, &error) }
        }
        XCTAssertEqual(wrongType, STEER_ERR_INVALID_ARGUMENT)
        XCTAssertTrue(text(of: error).contains("Recommend takes a steer.v1.RecommendRequest, not a steer.v1.HealthRequest"), text(of: error))
        XCTAssertNil(out)

        // A history claiming 3 ids with no array: protobuf-c's check refuses it before packing.
        var history = Steer__V1__History()
        steer__v1__history__init(&history)
        history.n_item_ids = 3
        var request = Steer__V1__RecommendRequest()
        steer__v1__recommend_request__init(&request)
        request.k = 3
        let inconsistent = withUnsafeMutablePointer(to: &history) { h in
            request.history = h
            return steer_client_recommend(client.handle, &request, 100, nil, &error)
        }
        XCTAssertEqual(inconsistent, STEER_ERR_INVALID_ARGUMENT)   // NULL out pointer
        var recommendOut: UnsafeMutablePointer<Steer__V1__RecommendResponse>?
        let inconsistent2 = withUnsafeMutablePointer(to: &history) { h in
            request.history = h
            return steer_client_recommend(client.handle, &request, 100, &recommendOut, &error)
        }
        XCTAssertEqual(inconsistent2, STEER_ERR_INVALID_ARGUMENT)
        XCTAssertTrue(text(of: error).contains("inconsistent"), text(of: error))
        XCTAssertEqual(steer_client_send(client.handle, health, 1, 0, nil, 5, &error), STEER_ERR_INVALID_ARGUMENT)
        XCTAssertEqual(steer_client_set_max_frame_size(client.handle, 0, &error), STEER_ERR_INVALID_ARGUMENT)
        var envelope: UnsafeMutablePointer<Steer__V1__Response>?
        XCTAssertEqual(steer_client_receive(nil, 10, &envelope, &error), STEER_ERR_INVALID_ARGUMENT)
        XCTAssertEqual(steer_client_next_id(nil), 0)

        // Nothing reached the daemon: the next call's answer is the first one on the wire.
        XCTAssertThrowsError(try client.receive(timeoutMs: 100)) { XCTAssertEqual(($0 as! CClientError).code, STEER_ERR_TIMEOUT) }
        XCTAssertTrue(try client.health().live)

        // Connecting: a path too long for sockaddr_un, and nobody listening.
        var handle: OpaquePointer?
        XCTAssertEqual(steer_client_connect(String(repeating: "x", count: 200), &handle, &error), STEER_ERR_INVALID_ARGUMENT)
        XCTAssertEqual(steer_client_connect(daemon.directory + "/nobody.sock", &handle, &error), STEER_ERR_CONNECT)
        XCTAssertTrue(text(of: error).contains("nobody.sock"), text(of: error))
        XCTAssertNil(handle)
        XCTAssertEqual(steer_client_connect(daemon.directory, nil, &error), STEER_ERR_INVALID_ARGUMENT)
        steer_client_close(nil)
        try await daemon.stop()
    }
}

func XCTAssertClose(_ a: [Float], _ b: [Float], accuracy: Float, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, message, file: file, line: line)
    for (i, (x, y)) in zip(a, b).enumerated() where abs(x - y) > accuracy {
        XCTFail("\(message) [\(i)]: \(x) vs \(y)", file: file, line: line)
        return
    }
}
