// The router against the hand-written held-out prompts it never trained on (issue 4, item 7).
import XCTest
import SteerPrompt
import SteerText

final class RouterHeldOutTests: XCTestCase {
    /// The bundled router must get ≥ 98% of Tests/Fixtures/router/heldout.tsv right.
    func testHeldOutAccuracy() throws {
        let encoder = try miniLM()
        let router = try PromptRouter.load()
        let cases = try heldOut()
        XCTAssertGreaterThanOrEqual(cases.count, 120)
        let decisions = try router.route(texts: cases.map(\.text), encoder: encoder)
        var wrong: [String] = []
        for (example, decision) in zip(cases, decisions) where decision.polarity != example.polarity {
            wrong.append("  \"\(example.text)\": expected \(example.polarity), got \(decision)")
        }
        let accuracy = Double(cases.count - wrong.count) / Double(cases.count)
        print("router held-out accuracy: \(cases.count - wrong.count)/\(cases.count) = \(accuracy)")
        if !wrong.isEmpty { print("misclassified:\n" + wrong.joined(separator: "\n")) }
        XCTAssertGreaterThanOrEqual(accuracy, 0.98, "misclassified:\n" + wrong.joined(separator: "\n"))
    }

    /// Both polarities are well represented, and every confidence is a probability of the chosen class.
    func testHeldOutBalanceAndConfidence() throws {
        let cases = try heldOut()
        let positives = cases.filter { $0.polarity == .positive }.count
        XCTAssertGreaterThanOrEqual(positives, cases.count / 3)
        XCTAssertGreaterThanOrEqual(cases.count - positives, cases.count / 3)
        let decisions = try PromptRouter.load().route(texts: Array(cases.prefix(10).map(\.text)), encoder: try miniLM())
        for d in decisions { XCTAssert((0.5...1).contains(d.confidence), "\(d)") }
    }

    /// The router never trains on the held-out set: no held-out prompt equals (after
    /// normalisation) a generated training prompt.
    func testHeldOutDisjointFromTrainingSet() throws {
        let generated = Set(TrainingPhrasings.generate().map { PromptText.normalize($0.text) })
        let overlap = try heldOut().map { PromptText.normalize($0.text) }.filter(generated.contains)
        XCTAssertEqual(overlap, [], "held-out prompts the generator also produces")
    }
}
