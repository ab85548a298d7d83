// A prompt read as several parts steers a user vector part after part, as Recommend does:
// refusals, then requests, then the refusals again; the parts the router is unsure of are left out.
import Foundation
import SteerDPR
import SteerDPRTraining
import SteerPrompt
import SteerText
import XCTest

final class PartSteeringTests: XCTestCase {
    func testSurePartsApplyRefusalsOnBothSidesAndUnsureOnesAreLeftOut() throws {
        let encoder = try SentenceEncoders.load(directory: URL(fileURLWithPath: SteeringTrainingTests.miniLMDirectory))
        let head = try DPRHead(config: DPRConfig(dim: 16, encoderDim: encoder.dimension), seed: 5)
        head.isTraining = false   // dropout off: the serving forward
        let queries = SteeringQueries(head: head, bank: PromptBank(encoder: encoder), router: nil)
        let users = (0..<32).map { Float(sin(Double($0) * 0.7)) * 0.5 }   // two users of d = 16
        let compound = PromptReading(parts: [
            .init(text: "a comedy", decision: RouteDecision(positiveProbability: 0.95)),
            .init(text: "but please no romance", decision: RouteDecision(positiveProbability: 0.02)),
        ])
        let unsure = PromptReading(parts: [.init(text: "maybe a western", decision: RouteDecision(positiveProbability: 0.6))])
        let z = try queries.steer(rows: users, readings: [compound, unsure])

        // Written request first, refusal second; applied refusal, request, refusal again.
        let first = try queries.fuse(rows: Array(users[0..<16]), texts: ["but please no romance"], polarities: [.negative])
        let second = try queries.fuse(rows: first, texts: ["a comedy"], polarities: [.positive])
        let third = try queries.fuse(rows: second, texts: ["but please no romance"], polarities: [.negative])
        for j in 0..<16 { XCTAssertEqual(z[j], third[j], accuracy: 1e-5) }
        XCTAssertGreaterThan(zip(first, second).map { abs($0 - $1) }.max()!, 1e-4, "the second part must move the vector")
        XCTAssertGreaterThan(zip(second, third).map { abs($0 - $1) }.max()!, 1e-4,
                             "the refusal applied again must move it too, so this test tells the orders apart")
        let asWritten = try queries.fuse(rows: queries.fuse(rows: Array(users[0..<16]), texts: ["a comedy"], polarities: [.positive]),
                                     texts: ["but please no romance"], polarities: [.negative])
        XCTAssertGreaterThan(zip(asWritten, third).map { abs($0 - $1) }.max()!, 1e-4,
                             "the towers do not commute, so this test tells the order written apart")
        // Exact: a row with no part to apply is copied, never computed on.
        XCTAssertEqual(Array(z[16..<32]), Array(users[16..<32]), "a reading with no sure part leaves the vector as it was")
        // With the threshold lowered, the unsure part applies too.
        let lowered = try queries.steer(rows: users, readings: [compound, unsure], minimumConfidence: 0.5)
        XCTAssertNotEqual(Array(lowered[16..<32]), Array(users[16..<32]))
    }

    /// With a prompt memory, a request's vector is its own steered vector mixed with those of its
    /// nearest training wordings (weights from the memory); a refusal is steered as without one.
    func testAMemoryMixesEachRequestWithItsNearestTrainingWordings() throws {
        let encoder = try SentenceEncoders.load(directory: URL(fileURLWithPath: SteeringTrainingTests.miniLMDirectory))
        let head = try DPRHead(config: DPRConfig(dim: 16, encoderDim: encoder.dimension), seed: 7)
        head.isTraining = false
        let wordings = ["farm boy joins rebels to fight galactic empire", "toys come alive when humans leave",
                        "a shark terrorises a beach town", "warm, playful and nostalgic"]
        let memory = try PromptMemory(texts: wordings, encoder: encoder)
        let bank = PromptBank(encoder: encoder)
        let plain = SteeringQueries(head: head, bank: bank, router: nil)
        let remembering = SteeringQueries(head: head, bank: bank, router: nil, memory: memory)
        let user = (0..<16).map { Float(cos(Double($0) * 0.9)) * 0.5 }
        let request = "a young farmer enlists with insurgents against an interstellar tyranny"
        try bank.add([request, "no sharks please"] + wordings)

        let neighbours = memory.neighbours(of: bank.pooled(bank.id(request)))
        XCTAssertEqual(neighbours.count, wordings.count, "a memory smaller than k gives all its wordings")
        XCTAssertEqual(neighbours[0].text, wordings[0], "the same story in other words is the nearest wording")
        XCTAssertEqual(neighbours.map(\.weight).reduce(0, +), 1, accuracy: 1e-5)

        var expected = try plain.fuse(rows: user, texts: [request], polarities: [.positive]).map { $0 * PromptMemory.selfWeight }
        for neighbour in neighbours {
            let z = try plain.fuse(rows: user, texts: [neighbour.text], polarities: [.positive])
            for c in 0..<16 { expected[c] += neighbour.weight * z[c] }
        }
        expected = expected.map { $0 / (PromptMemory.selfWeight + 1) }
        let mixed = try remembering.fuse(rows: user, texts: [request], polarities: [.positive])
        for c in 0..<16 { XCTAssertEqual(mixed[c], expected[c], accuracy: 1e-5) }
        let alone = try plain.fuse(rows: user, texts: [request], polarities: [.positive])
        XCTAssertGreaterThan(zip(mixed, alone).map { abs($0 - $1) }.max()!, 1e-4, "the memory must move a request")

        let refused = try remembering.fuse(rows: user, texts: ["no sharks please"], polarities: [.negative])
        let refusedAlone = try plain.fuse(rows: user, texts: ["no sharks please"], polarities: [.negative])
        for c in 0..<16 { XCTAssertEqual(refused[c], refusedAlone[c], accuracy: 1e-6, "a refusal does not go through the memory") }
    }
}
