// EmbedPrompt and Route through steerd with the real MiniLM encoder and the bundled router.
import Foundation
import SteerClient
import SteerDaemonTestSupport
import SteerPrompt
import SteerWire
import XCTest

final class PromptRPCTests: XCTestCase {
    func testEmbedPromptIsCachedAndUnitLength() async throws {
        let daemon = try await TestDaemon(encoderDirectory: miniLMDirectory)
        let connection = try daemon.connect()
        let first = try connection.call(.embedPrompt, EmbedPromptRequest(prompts: ["I want a comedy", "no horror tonight", "I want a comedy"]),
                                        as: EmbedPromptResponse.self)
        XCTAssertEqual(first.dim, 384)
        XCTAssertEqual(first.embeddings.count, 3 * 384)
        XCTAssertEqual(first.cacheHits, [false, false, false])
        for row in 0..<3 {
            let norm = first.embeddings[(row * 384)..<((row + 1) * 384)].reduce(0) { $0 + $1 * $1 }.squareRoot()
            XCTAssertEqual(norm, 1, accuracy: 1e-4)
        }
        XCTAssertEqual(Array(first.embeddings[0..<384]), Array(first.embeddings[768..<1152]))
        // Normalised text hits the cache.
        let second = try connection.call(.embedPrompt, EmbedPromptRequest(prompts: ["  i want A comedy "]), as: EmbedPromptResponse.self)
        XCTAssertEqual(second.cacheHits, [true])
        XCTAssertEqual(second.embeddings, Array(first.embeddings[0..<384]))
        try await daemon.stop()
    }

    func testBadPromptsGetPreciseStatuses() async throws {
        let daemon = try await TestDaemon(encoderDirectory: miniLMDirectory)
        let connection = try daemon.connect()
        func status(_ request: EmbedPromptRequest) -> StatusCode? {
            do { _ = try connection.call(.embedPrompt, request, as: EmbedPromptResponse.self); return .ok }
            catch let error as RPCError { return error.status }
            catch { return nil }
        }
        XCTAssertEqual(status(EmbedPromptRequest(prompts: [""])), .invalidArgument)
        XCTAssertEqual(status(EmbedPromptRequest(prompts: ["   \n "])), .invalidArgument)
        XCTAssertEqual(status(EmbedPromptRequest(prompts: [])), .invalidArgument)
        XCTAssertEqual(status(EmbedPromptRequest(prompts: ["x"], encoder: "bert-large")), .notFound)
        // 100 kB is embedded (truncated to the model's 256 tokens); the daemon keeps serving.
        XCTAssertEqual(status(EmbedPromptRequest(prompts: [String(repeating: "a comedy with dogs ", count: 5_300)])), .ok)
        XCTAssertEqual(status(EmbedPromptRequest(prompts: ["still here"])), .ok)
        try await daemon.stop()
    }

    func testRouteTellsWishesFromExclusions() async throws {
        let daemon = try await TestDaemon(encoderDirectory: miniLMDirectory)
        let connection = try daemon.connect()
        let prompts = ["I want a comedy", "no horror tonight", "spare me the romance", "I wouldn't say no to a western"]
        let response = try connection.call(.route, RouteRequest(prompts: prompts), as: RouteResponse.self)
        XCTAssertEqual(response.results.map(\.polarity), [.positive, .negative, .negative, .positive])
        for result in response.results { XCTAssertTrue((0.5...1).contains(result.confidence)) }
        try await daemon.stop()
    }

    /// `--router FILE` serves with that router; a named file that does not load stops the start,
    /// by name, instead of serving with another router than the one asked for.
    func testANamedRouterFileServesAndABadOneStopsTheStart() async throws {
        let file = NSTemporaryDirectory() + "router-\(UUID().uuidString).json"
        try PromptRouter.load().encoded().write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let daemon = try await TestDaemon(encoderDirectory: miniLMDirectory) { $0.routerFile = file }
        let response = try daemon.connect().call(.route, RouteRequest(prompts: ["no horror tonight", "I want a comedy"]), as: RouteResponse.self)
        XCTAssertEqual(response.results.map(\.polarity), [.negative, .positive])
        try await daemon.stop()
        do {
            _ = try await TestDaemon(encoderDirectory: miniLMDirectory) { $0.routerFile = file + ".missing" }
            XCTFail("a missing router file must stop the start")
        } catch {
            XCTAssertTrue("\(error)".contains("the router file \(file).missing did not load"), "\(error)")
        }
    }

    /// `--router fine-tuned` serves with the fine-tuned router bundled with SteerPrompt, its
    /// adapters added to the serving encoder's own folder.
    func testTheBundledFineTunedRouterServesByName() async throws {
        let daemon = try await TestDaemon(encoderDirectory: miniLMDirectory) { $0.routerFile = PromptRouter.bundledFineTunedName }
        let response = try daemon.connect().call(.route, RouteRequest(prompts: ["no horror tonight", "I want a comedy"]), as: RouteResponse.self)
        XCTAssertEqual(response.results.map(\.polarity), [.negative, .positive])
        try await daemon.stop()
    }
}
