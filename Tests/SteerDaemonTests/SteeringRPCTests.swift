// Fuse and Recommend through steerd: a MeanPool backbone with a DPR head made in the test, the
// real MiniLM encoder and the bundled router; every answer checked against the head run locally.
import Foundation
import SteerClient
import SteerDPR
import SteerDaemonTestSupport
import SteerText
import SteerWire
import XCTest

final class SteeringRPCTests: XCTestCase {
    let fixture = SteeringFixture()

    /// A daemon serving MeanPool from `checkpoint` (written with `head`, if any) as the active backbone.
    private func daemon(head: DPRHead?, encoder: String? = nil) async throws -> (TestDaemon, SteerConnection) {
        let daemon = try await TestDaemon(pluginDirectory: try MeanPoolPlugin.directory.get(), encoderDirectory: encoder)
        try fixture.writeCheckpoint(to: daemon.directory + "/snapshots/model.snap", headArchive: head?.archived())
        let connection = try daemon.connect()
        let loaded = try connection.call(.loadBackbone, LoadBackboneRequest(name: "MeanPool", checkpoint: "model.snap"),
                                         as: LoadBackboneResponse.self)
        XCTAssertEqual(loaded.backbone.dim, UInt32(SteeringFixture.dim))
        return (daemon, connection)
    }

    private func status(_ body: () throws -> Any) -> StatusCode? {
        do { _ = try body(); return .ok }
        catch let error as RPCError { return error.status }
        catch { XCTFail("\(error)"); return nil }
    }

    private func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "" } catch { return "\(error)" }
    }

    func testRecommendWithoutPromptEqualsRetrieveOfTheUserVector() async throws {
        let (daemon, connection) = try await daemon(head: nil)
        // The checkpoint's items became the index: Retrieve and Recommend rank the same table.
        let health = try connection.call(.health, HealthRequest(), as: HealthResponse.self)
        XCTAssertEqual([health.nItems, health.dim], [UInt32(SteeringFixture.itemCount), UInt32(SteeringFixture.dim)])

        let history: [UInt32] = [3, 17, 5, 22]
        let user = try connection.call(.encodeHistory, EncodeHistoryRequest(histories: [history]), as: EncodeHistoryResponse.self)
        for includeHistory in [false, true] {
            let retrieved = try connection.call(.retrieve, RetrieveRequest(k: 7, queries: [
                RetrieveQuery(vector: user.userVectors, excludeItems: includeHistory ? [] : history),
            ]), as: RetrieveResponse.self).results[0]
            let recommended = try connection.call(.recommend, RecommendRequest(history: history, k: 7, includeHistory: includeHistory),
                                                  as: RecommendResponse.self)
            XCTAssertEqual(recommended.itemIDs, retrieved.itemIDs)
            XCTAssertEqual(recommended.scores, retrieved.scores)
            XCTAssertEqual(recommended.itemIDs, fixture.rank(user.userVectors, k: 7, excluding: includeHistory ? [] : Set(history)).map(\.item))
            XCTAssertEqual(recommended.polarity, .unspecified)
            XCTAssertEqual(recommended.titles, recommended.itemIDs.map { "Movie \($0)" })
            XCTAssertEqual(recommended.categories, recommended.itemIDs.map { id in
                // In category-id order, as the index keeps them.
                SteeringFixture.categories(of: Int(id)).sorted().map { SteeringFixture.categoryNames[Int($0)] }.joined(separator: "|")
            })
            if !includeHistory { XCTAssertTrue(Set(recommended.itemIDs).isDisjoint(with: history)) }
        }
        try await daemon.stop()
    }

    /// A repeated history is served from the user-vector cache, with the same answer; a new
    /// LoadBackbone starts a new generation, so an old model's vectors are never reused.
    func testRepeatedHistoriesUseTheUserVectorCacheUntilTheModelChanges() async throws {
        let (daemon, connection) = try await daemon(head: nil)
        func counters() throws -> (hits: Int, misses: Int) {
            let text = try connection.call(.stats, StatsRequest(), as: StatsResponse.self).prometheusText
            func value(_ name: String) -> Int {
                text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Int($0.split(separator: " ")[1]) } ?? -1
            }
            return (value("steer_user_vector_cache_hits_total"), value("steer_user_vector_cache_misses_total"))
        }
        let request = RecommendRequest(history: [3, 17, 5, 22], k: 5)
        let first = try connection.call(.recommend, request, as: RecommendResponse.self)
        let second = try connection.call(.recommend, request, as: RecommendResponse.self)
        XCTAssertEqual(first.itemIDs, second.itemIDs)
        XCTAssertEqual(first.scores, second.scores)
        var c = try counters()
        XCTAssertEqual([c.hits, c.misses], [1, 1])
        _ = try connection.call(.loadBackbone, LoadBackboneRequest(name: "MeanPool", checkpoint: "model.snap"), as: LoadBackboneResponse.self)
        let third = try connection.call(.recommend, request, as: RecommendResponse.self)
        XCTAssertEqual(third.itemIDs, first.itemIDs)
        c = try counters()
        XCTAssertEqual([c.hits, c.misses], [1, 2], "a reloaded model must not reuse the old generation's vectors")
        try await daemon.stop()
    }

    func testRecommendWithAPromptIsTheHeadsFusionRanked() async throws {
        let head = try SteeringFixture.head(keyValue: .tokens)
        let (daemon, connection) = try await daemon(head: head, encoder: miniLMDirectory)
        let encoder = try SentenceEncoders.load(directory: URL(fileURLWithPath: miniLMDirectory))
        let history: [UInt32] = [1, 2, 30]
        let user = try connection.call(.encodeHistory, EncodeHistoryRequest(histories: [history]), as: EncodeHistoryResponse.self).userVectors

        for prompt in ["something light and funny for the kids", "no horror tonight"] {
            let routed = try connection.call(.route, RouteRequest(prompts: [prompt]), as: RouteResponse.self).results[0]
            let tokens = try encoder.tokenStates([prompt])[0].values
            let expected = head.fuse(user: user, prompt: tokens, polarity: routed.polarity == .positive ? .positive : .negative)
            XCTAssertGreaterThan(zip(expected, user).map { abs($0 - $1) }.max()!, 0.1, "the fusion should move the vector")
            let local = fixture.rank(expected, k: 10, excluding: Set(history))
            // Twice: the second answer comes from the prepared prompt and must be the same.
            for _ in 0..<2 {
                let r = try connection.call(.recommend, RecommendRequest(history: history, prompt: prompt, k: 10), as: RecommendResponse.self)
                XCTAssertEqual(r.polarity, routed.polarity, prompt)
                XCTAssertEqual(r.routeConfidence, routed.confidence, accuracy: 1e-6)
                XCTAssertEqual(r.itemIDs, local.map(\.item), prompt)
                XCTAssertClose(r.scores, local.map(\.score), accuracy: 1e-4, prompt)
                XCTAssertEqual(r.titles, r.itemIDs.map { "Movie \($0)" })
            }
        }
        // Each prompt was prepared (routed and projected) once, and the repeat found it prepared.
        let stats = try connection.call(.stats, StatsRequest(), as: StatsResponse.self).prometheusText
        XCTAssertTrue(stats.contains("steer_prepared_prompt_misses_total 2\n"), stats)
        XCTAssertTrue(stats.contains("steer_prepared_prompt_hits_total 2\n"), stats)
        try await daemon.stop()
    }

    func testStatedPolarityOverridesTheRouter() async throws {
        let head = try SteeringFixture.head(keyValue: .tokens)
        let (daemon, connection) = try await daemon(head: head, encoder: miniLMDirectory)
        let encoder = try SentenceEncoders.load(directory: URL(fileURLWithPath: miniLMDirectory))
        let prompt = "I want a comedy", history: [UInt32] = [4, 8]
        XCTAssertEqual(try connection.call(.route, RouteRequest(prompts: [prompt]), as: RouteResponse.self).results[0].polarity, .positive)
        let user = try connection.call(.encodeHistory, EncodeHistoryRequest(histories: [history]), as: EncodeHistoryResponse.self).userVectors
        let tokens = try encoder.tokenStates([prompt])[0].values

        let routed = try connection.call(.recommend, RecommendRequest(history: history, prompt: prompt, k: 40), as: RecommendResponse.self)
        let stated = try connection.call(.recommend, RecommendRequest(history: history, prompt: prompt, polarity: .negative, k: 40),
                                         as: RecommendResponse.self)
        XCTAssertEqual(routed.polarity, .positive)
        XCTAssertEqual(stated.polarity, .negative)
        XCTAssertEqual(stated.routeConfidence, 1)
        let negative = fixture.rank(head.fuse(user: user, prompt: tokens, polarity: .negative), k: 40, excluding: Set(history))
        XCTAssertEqual(stated.itemIDs, negative.map(\.item))
        XCTAssertClose(stated.scores, negative.map(\.score), accuracy: 1e-4)
        XCTAssertNotEqual(stated.itemIDs, routed.itemIDs, "the two towers should rank differently")
        try await daemon.stop()
    }

    func testFuseWithPromptsMatchesTheHead() async throws {
        let head = try SteeringFixture.head(keyValue: .tokens)
        let (daemon, connection) = try await daemon(head: head, encoder: miniLMDirectory)
        let encoder = try SentenceEncoders.load(directory: URL(fileURLWithPath: miniLMDirectory))
        let users = try connection.call(.encodeHistory, EncodeHistoryRequest(histories: [[1, 2], [7], [9, 10, 11]]),
                                        as: EncodeHistoryResponse.self).userVectors
        // Prompts of different token counts in one batch: padding must not leak into the short ones.
        let prompts = ["a comedy", "nothing with zombies or gore please, I am watching with my grandmother", "a comedy"]
        let polarities: [Polarity] = [.positive, .negative, .negative]
        let r = try connection.call(.fuse, FuseRequest(dim: UInt32(SteeringFixture.dim), userVectors: users, polarities: polarities,
                                                       prompts: prompts), as: FuseResponse.self)
        XCTAssertEqual(r.dim, UInt32(SteeringFixture.dim))
        let d = SteeringFixture.dim
        for row in 0..<3 {
            let expected = head.fuse(user: Array(users[(row * d)..<((row + 1) * d)]), prompt: try encoder.tokenStates([prompts[row]])[0].values,
                                     polarity: polarities[row] == .positive ? .positive : .negative)
            XCTAssertClose(Array(r.fused[(row * d)..<((row + 1) * d)]), expected, accuracy: 1e-4, "row \(row)")
        }
        try await daemon.stop()
    }

    func testFuseWithEmbeddingsOnAPooledHead() async throws {
        let head = try SteeringFixture.head(keyValue: .pooled)
        let (daemon, connection) = try await daemon(head: head)   // no encoder: the client sends embeddings
        let d = SteeringFixture.dim
        let users: [Float] = (0..<(2 * d)).map { Float($0) / 10 - 0.5 }
        let embeddings: [Float] = (0..<(2 * 384)).map { (i: Int) -> Float in Float((i * 37) % 101) / 101 - 0.5 }
        let r = try connection.call(.fuse, FuseRequest(dim: UInt32(d), userVectors: users, promptEmbeddings: embeddings,
                                                       polarities: [.negative, .positive]), as: FuseResponse.self)
        for row in 0..<2 {
            let expected = head.fuse(user: Array(users[(row * d)..<((row + 1) * d)]), prompt: Array(embeddings[(row * 384)..<((row + 1) * 384)]),
                                     polarity: row == 0 ? .negative : .positive)
            XCTAssertClose(Array(r.fused[(row * d)..<((row + 1) * d)]), expected, accuracy: 1e-5, "row \(row)")
        }
        // Bad embeddings.
        let short = FuseRequest(dim: UInt32(d), userVectors: users, promptEmbeddings: Array(embeddings.dropLast()), polarities: [.negative, .positive])
        XCTAssertEqual(status { try connection.call(.fuse, short, as: FuseResponse.self) }, .invalidArgument)
        var nan = embeddings
        nan[500] = .nan
        XCTAssertEqual(status { try connection.call(.fuse, FuseRequest(dim: UInt32(d), userVectors: users, promptEmbeddings: nan,
                                                                      polarities: [.negative, .positive]), as: FuseResponse.self) }, .invalidArgument)
        // Texts need an encoder, which this daemon does not have.
        XCTAssertEqual(status { try connection.call(.fuse, FuseRequest(dim: UInt32(d), userVectors: users, polarities: [.negative, .positive],
                                                                      prompts: ["a", "b"]), as: FuseResponse.self) }, .failedPrecondition)
        try await daemon.stop()
    }

    func testFuseInputsTooLargeForTheHeadAreOutOfRangeNeverInternal() async throws {
        // The probe's case: finite user vectors of 1e38 made the head overflow, answered INTERNAL.
        let head = try SteeringFixture.head(keyValue: .pooled)
        let (daemon, connection) = try await daemon(head: head)
        let d = SteeringFixture.dim
        let embedding: [Float] = (0..<384).map { Float(($0 * 37) % 101) / 101 - 0.5 }
        var refused = 0
        for (name, user) in [("all 1e38", [Float](repeating: 1e38, count: d)),
                             ("alternating ±3e38", (0..<d).map { $0 % 2 == 0 ? Float(3e38) : -3e38 }),
                             ("one 3e38", [3e38] + [Float](repeating: 0.1, count: d - 1))] {
            do {
                let r = try connection.call(.fuse, FuseRequest(dim: UInt32(d), userVectors: user, promptEmbeddings: embedding,
                                                               polarities: [.positive]), as: FuseResponse.self)
                XCTAssertTrue(r.fused.allSatisfy(\.isFinite), "\(name): OK must mean finite, got \(r.fused)")
            } catch let error as RPCError {
                XCTAssertEqual(error.status, .invalidArgument, "\(name): \(error)")
                XCTAssertTrue(error.message.hasPrefix("input out of range: the DPR head overflowed Float on row 0"), error.message)
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 0, "no input overflowed the head: the test no longer reaches the check")
        try await daemon.stop()
    }

    func testBadFuseAndRecommendRequestsGetPreciseStatuses() async throws {
        let head = try SteeringFixture.head(keyValue: .tokens)
        let (daemon, connection) = try await daemon(head: head, encoder: miniLMDirectory)
        let d = UInt32(SteeringFixture.dim)
        let user = [Float](repeating: 0.1, count: Int(d))
        func fuse(_ request: FuseRequest) -> StatusCode? { status { try connection.call(.fuse, request, as: FuseResponse.self) } }
        func recommend(_ request: RecommendRequest) -> StatusCode? { status { try connection.call(.recommend, request, as: RecommendResponse.self) } }

        XCTAssertEqual(fuse(FuseRequest(dim: d, userVectors: [], polarities: [], prompts: [])), .invalidArgument)
        XCTAssertEqual(fuse(FuseRequest(dim: d, userVectors: [], polarities: Array(repeating: .positive, count: 4_097))), .invalidArgument)
        XCTAssertEqual(fuse(FuseRequest(dim: d + 1, userVectors: user + [0], polarities: [.positive], prompts: ["a comedy"])), .invalidArgument)
        XCTAssertEqual(fuse(FuseRequest(dim: d, userVectors: user + [0], polarities: [.positive], prompts: ["a comedy"])), .invalidArgument)
        XCTAssertEqual(fuse(FuseRequest(dim: d, userVectors: [.infinity] + user.dropFirst(), polarities: [.positive],
                                        prompts: ["a comedy"])), .invalidArgument)
        XCTAssertEqual(fuse(FuseRequest(dim: d, userVectors: user, polarities: [.unspecified], prompts: ["a comedy"])), .invalidArgument)
        XCTAssertEqual(fuse(FuseRequest(dim: d, userVectors: user, polarities: [.positive])), .invalidArgument)  // no prompt at all
        XCTAssertEqual(fuse(FuseRequest(dim: d, userVectors: user, promptEmbeddings: [Float](repeating: 0, count: 384), polarities: [.positive],
                                        prompts: ["a comedy"])), .invalidArgument)  // both
        XCTAssertEqual(fuse(FuseRequest(dim: d, userVectors: user, polarities: [.positive], prompts: ["a", "b"])), .invalidArgument)
        XCTAssertEqual(fuse(FuseRequest(dim: d, userVectors: user, polarities: [.positive], prompts: ["  "])), .invalidArgument)
        // A token-level head cannot use sentence embeddings: the message says what to send instead.
        let embeddings = FuseRequest(dim: d, userVectors: user, promptEmbeddings: [Float](repeating: 0.05, count: 384), polarities: [.positive])
        XCTAssertEqual(fuse(embeddings), .failedPrecondition)
        XCTAssertTrue(message { try connection.call(.fuse, embeddings, as: FuseResponse.self) }.contains("prompts"))

        XCTAssertEqual(recommend(RecommendRequest(history: [], k: 5)), .invalidArgument)
        XCTAssertEqual(recommend(RecommendRequest(history: [1, 40], k: 5)), .invalidArgument)
        XCTAssertTrue(message { try connection.call(.recommend, RecommendRequest(history: [1, 40], k: 5), as: RecommendResponse.self) }
            .contains("item id 40"))
        XCTAssertEqual(recommend(RecommendRequest(history: [1], k: 0)), .invalidArgument)
        XCTAssertEqual(recommend(RecommendRequest(history: [1], k: 10_001)), .invalidArgument)
        XCTAssertEqual(recommend(RecommendRequest(history: [1], polarity: .negative, k: 5)), .invalidArgument)  // polarity, no prompt
        XCTAssertEqual(recommend(RecommendRequest(history: [1], prompt: " \n ", k: 5)), .invalidArgument)
        XCTAssertEqual(recommend(RecommendRequest(history: Array(repeating: 1, count: 100_001), k: 5)), .invalidArgument)

        // Still serving, and a k beyond the catalogue returns what there is.
        XCTAssertEqual(try connection.call(.recommend, RecommendRequest(history: [1], prompt: "a comedy", k: 10_000),
                                           as: RecommendResponse.self).itemIDs.count, SteeringFixture.itemCount - 1)
        try await daemon.stop()
    }

    func testWithoutAHeadPromptsAreRefusedWithTheFix() async throws {
        // Nothing loaded yet.
        let empty = try await TestDaemon(pluginDirectory: try MeanPoolPlugin.directory.get())
        let bare = try empty.connect()
        XCTAssertEqual(status { try bare.call(.recommend, RecommendRequest(history: [1]), as: RecommendResponse.self) }, .failedPrecondition)
        XCTAssertEqual(status { try bare.call(.fuse, FuseRequest(dim: 8, userVectors: [Float](repeating: 0, count: 8), polarities: [.positive],
                                                                prompts: ["a comedy"]), as: FuseResponse.self) }, .failedPrecondition)
        try await empty.stop()

        let (daemon, connection) = try await daemon(head: nil, encoder: miniLMDirectory)
        let prompted = RecommendRequest(history: [1, 2], prompt: "a comedy", k: 5)
        XCTAssertEqual(status { try connection.call(.recommend, prompted, as: RecommendResponse.self) }, .failedPrecondition)
        XCTAssertTrue(message { try connection.call(.recommend, prompted, as: RecommendResponse.self) }.contains("steer train-dpr"))
        XCTAssertEqual(status { try connection.call(.fuse, FuseRequest(dim: 8, userVectors: [Float](repeating: 0, count: 8), polarities: [.positive],
                                                                      prompts: ["a comedy"]), as: FuseResponse.self) }, .failedPrecondition)
        XCTAssertEqual(try connection.call(.recommend, RecommendRequest(history: [1, 2], k: 5), as: RecommendResponse.self).itemIDs.count, 5)
        try await daemon.stop()
    }

    func testHeadsThatDoNotFitAreRefusedAndTheOldModelKeepsServing() async throws {
        let head = try SteeringFixture.head(keyValue: .tokens)
        let (daemon, connection) = try await daemon(head: head, encoder: miniLMDirectory)
        let request = RecommendRequest(history: [3, 4], prompt: "no horror tonight", k: 8)
        let before = try connection.call(.recommend, request, as: RecommendResponse.self)
        func load(_ archive: [UInt8]) throws -> StatusCode? {
            try fixture.writeCheckpoint(to: daemon.directory + "/snapshots/other.snap", headArchive: archive)
            return status { try connection.call(.loadBackbone, LoadBackboneRequest(name: "MeanPool", checkpoint: "other.snap"),
                                                as: LoadBackboneResponse.self) }
        }
        XCTAssertEqual(try load(try SteeringFixture.head(keyValue: .tokens, dim: 16).archived()), .failedPrecondition)   // backbone is 8-d
        XCTAssertEqual(try load(try SteeringFixture.head(keyValue: .tokens, encoderDim: 768).archived()), .failedPrecondition)  // encoder is 384-d
        XCTAssertEqual(try load([0x53, 0x54, 0x45, 0x45, 0x52]), .dataLoss)   // not a head archive
        XCTAssertEqual(try connection.call(.recommend, request, as: RecommendResponse.self), before)
        try await daemon.stop()
    }

    func testWithoutARouterThePolarityMustBeStated() async throws {
        // The bundled router was trained on all-MiniLM-L6-v2, so a daemon running another encoder has
        // none. The other encoder is MiniLM's own files under another name (what `make setup`
        // fetches, no optional download): steerd knows an encoder by its folder's name.
        let other = try encoderUnderAnotherName(miniLMDirectory, name: "other-encoder")
        defer { try? FileManager.default.removeItem(atPath: other.deletingLastPathComponent().path) }
        let head = try SteeringFixture.head(keyValue: .pooled, encoderDim: 384)
        let (daemon, connection) = try await daemon(head: head, encoder: other.path)
        let route = message { try connection.call(.route, RouteRequest(prompts: ["a comedy"]), as: RouteResponse.self) }
        XCTAssertTrue(route.contains("trained on all-MiniLM-L6-v2, but the encoder is other-encoder"), route)
        let unstated = RecommendRequest(history: [5], prompt: "a comedy", k: 3)
        XCTAssertEqual(status { try connection.call(.recommend, unstated, as: RecommendResponse.self) }, .failedPrecondition)
        XCTAssertTrue(message { try connection.call(.recommend, unstated, as: RecommendResponse.self) }.contains("polarity"))
        let stated = try connection.call(.recommend, RecommendRequest(history: [5], prompt: "a comedy", polarity: .positive, k: 3),
                                         as: RecommendResponse.self)
        XCTAssertEqual(stated.polarity, .positive)
        XCTAssertEqual(stated.itemIDs.count, 3)
        try await daemon.stop()
    }

    /// A temporary folder `name` whose files are links to the model folder `source`'s.
    private func encoderUnderAnotherName(_ source: String, name: String) throws -> URL {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("steer-encoder-\(UUID().uuidString)")
        let folder = parent.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: source) {
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(file).path,
                                                       withDestinationPath: source + "/" + file)
        }
        return folder
    }
}
