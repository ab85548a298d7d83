// Prompt validation and normalisation, and the router's edge cases: empty, huge, wrong width.
import XCTest
import SteerPrompt
import SteerText

final class PromptTextTests: XCTestCase {
    func testNormalize() {
        XCTAssertEqual(PromptText.normalize("  I  Want\n\ta   COMEDY  "), "i want a comedy")
        XCTAssertEqual(PromptText.normalize("cafe\u{301}"), "caf\u{E9}")
        XCTAssertEqual(PromptText.normalize("\u{00A0}no\u{2003}horror\u{00A0}"), "no horror")
        XCTAssertEqual(PromptText.normalize(""), "")
    }

    func testEmptyAndWhitespaceOnlyAreRefused() throws {
        for text in ["", " ", "\n\t  ", "\u{00A0}\u{2003}"] {
            let error = promptError { try PromptText.validate(text) }
            XCTAssertEqual(error?.code, .empty, "\(text.debugDescription)")
        }
        let router = try PromptRouter.load()
        let error = promptError { _ = try router.route(texts: ["a comedy", "   "], encoder: try miniLM()) }
        XCTAssertEqual(error?.code, .empty)
        XCTAssertEqual(error?.description.contains("empty"), true)
    }

    func testOversizedPromptIsRefused() throws {
        let text = String(repeating: "a", count: PromptText.maximumBytes + 1)
        let error = promptError { _ = try PromptRouter.load().route(states: Self.states(count: 384), text: text) }
        XCTAssertEqual(error?.code, .tooLong)
        XCTAssertEqual(error?.description, "the prompt is \(PromptText.maximumBytes + 1) bytes of UTF-8, over the \(PromptText.maximumBytes)-byte limit")
        XCTAssertNoThrow(try PromptText.validate(String(repeating: "a", count: PromptText.maximumBytes)))
    }

    /// A 100 kB prompt is routed: the tokenizer truncates, the cues read the first 2,000 characters.
    func testHundredKilobytePromptIsRouted() throws {
        let text = "no horror please, " + String(repeating: "blah blah blah, etc. ", count: 5_000)
        XCTAssertGreaterThan(text.utf8.count, 100_000)
        let decision = try PromptRouter.load().route(texts: [text], encoder: try miniLM())[0]
        XCTAssertEqual(decision.polarity, .negative)
    }

    func testWrongEmbeddingWidthOrNaNIsRefused() throws {
        let router = try PromptRouter.load()
        XCTAssertEqual(promptError { _ = try router.route(states: Self.states(count: 3), text: "a comedy") }?.code, .badEmbedding)
        var nan = [Float](repeating: 0, count: 384)
        nan[5] = .nan
        let nanPooled = TokenStates(count: 1, dimension: 384, values: [Float](repeating: 0, count: 384), pooled: nan)
        XCTAssertEqual(promptError { _ = try router.route(states: nanPooled, text: "a comedy") }?.code, .badEmbedding)
        let nanToken = TokenStates(count: 1, dimension: 384, values: nan, pooled: [Float](repeating: 0, count: 384))
        XCTAssertEqual(promptError { _ = try router.route(states: nanToken, text: "a comedy") }?.code, .badEmbedding)
    }

    /// One token of zeros, `count` wide, pooled to itself.
    private static func states(count: Int) -> TokenStates {
        TokenStates(count: 1, dimension: count, values: [Float](repeating: 0, count: count), pooled: [Float](repeating: 0, count: count))
    }

    func testRouteDecisionConfidence() {
        XCTAssertEqual(RouteDecision(positiveProbability: 0.8).polarity, .positive)
        XCTAssertEqual(RouteDecision(positiveProbability: 0.2).polarity, .negative)
        XCTAssertEqual(RouteDecision(positiveProbability: 0.2).confidence, 0.8, accuracy: 1e-12)
        XCTAssertEqual(RouteDecision(positiveProbability: 0.5).polarity, .positive)
    }

    /// Routing through a cache encodes each distinct prompt once. A prompt is two entries, its
    /// token states and its pooled embedding: a repeat reads both (two hits), a first sight
    /// misses on the token states and looks no further.
    func testRoutingThroughTheCache() throws {
        let cache = PromptCache(capacityBytes: 1 << 20)
        let router = try PromptRouter.load(), encoder = try miniLM()
        let first = try router.route(texts: ["No horror", "a comedy"], encoder: encoder, cache: cache)
        let second = try router.route(texts: ["no  HORROR", "A comedy"], encoder: encoder, cache: cache)
        XCTAssertEqual(first, second)
        XCTAssertEqual(cache.stats.misses, 2)
        XCTAssertEqual(cache.stats.hits, 4)
        XCTAssertEqual(cache.keys(encoder: encoder.name).count, 2)
        XCTAssertEqual(cache.keys(encoder: PromptCache.tokenStatesName(encoder.name)).count, 2)
    }
}
