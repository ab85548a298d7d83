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
        let first = queries.fuse(rows: Array(users[0..<16]), texts: ["but please no romance"], polarities: [.negative])
        let second = queries.fuse(rows: first, texts: ["a comedy"], polarities: [.positive])
        let third = queries.fuse(rows: second, texts: ["but please no romance"], polarities: [.negative])
        for j in 0..<16 { XCTAssertEqual(z[j], third[j], accuracy: 1e-5) }
        XCTAssertGreaterThan(zip(first, second).map { abs($0 - $1) }.max()!, 1e-4, "the second part must move the vector")
        XCTAssertGreaterThan(zip(second, third).map { abs($0 - $1) }.max()!, 1e-4,
                             "the refusal applied again must move it too, so this test tells the orders apart")
        let asWritten = queries.fuse(rows: queries.fuse(rows: Array(users[0..<16]), texts: ["a comedy"], polarities: [.positive]),
                                     texts: ["but please no romance"], polarities: [.negative])
        XCTAssertGreaterThan(zip(asWritten, third).map { abs($0 - $1) }.max()!, 1e-4,
                             "the towers do not commute, so this test tells the order written apart")
        // Exact: a row with no part to apply is copied, never computed on.
        XCTAssertEqual(Array(z[16..<32]), Array(users[16..<32]), "a reading with no sure part leaves the vector as it was")
        // With the threshold lowered, the unsure part applies too.
        let lowered = try queries.steer(rows: users, readings: [compound, unsure], minimumConfidence: 0.5)
        XCTAssertNotEqual(Array(lowered[16..<32]), Array(users[16..<32]))
    }
}
