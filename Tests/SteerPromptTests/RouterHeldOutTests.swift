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

    /// The bundled router on the issue-14 frozen set (written and committed before the generator
    /// was widened; never trained on).
    func testIssue14FrozenAccuracy() throws {
        let cases = try heldOut("issue14-frozen.tsv")
        XCTAssertEqual(cases.count, 130)
        let result = try PromptRouter.load().accuracy(on: cases, encoder: try miniLM())
        print("router " + result.summary("issue14-frozen.tsv"))
        let wrong = result.misses.map { "  \"\($0.text)\": expected \($0.expected), p(positive) \($0.positiveProbability)" }
        XCTAssertGreaterThanOrEqual(result.accuracy, 0.94, "misclassified:\n" + wrong.joined(separator: "\n"))
    }

    /// The frozen set never reaches training: no prompt of it equals (after normalisation) a
    /// generated training prompt, and it shares none with the older held-out set.
    func testIssue14FrozenDisjointFromTrainingSet() throws {
        let generated = Set(TrainingPhrasings.generate().map { PromptText.normalize($0.text) })
        let frozen = try heldOut("issue14-frozen.tsv").map { PromptText.normalize($0.text) }
        XCTAssertEqual(frozen.filter(generated.contains), [], "frozen prompts the generator also produces")
        let older = Set(try heldOut().map { PromptText.normalize($0.text) })
        XCTAssertEqual(frozen.filter(older.contains), [])
    }

    /// The second frozen set: 240 prompts written blind (by someone who saw no router code,
    /// template or evaluation phrasing) and committed before the lexicon was widened again; the
    /// three that the generator or an older set also held were taken out (237 left).
    /// The bound guards against regressions; it is not a target the router was tuned to.
    func testIssue14SecondFrozenAccuracy() throws {
        let cases = try heldOut("issue14-frozen-2.tsv")
        XCTAssertEqual(cases.count, 237)
        XCTAssertEqual(cases.filter { $0.polarity == .positive }.count, 120)
        let result = try PromptRouter.load().accuracy(on: cases, encoder: try miniLM())
        print("router " + result.summary("issue14-frozen-2.tsv"))
        XCTAssertGreaterThanOrEqual(result.accuracy, 0.84, "203/237 when written; a margin of three prompts for other CPUs")
    }

    func testIssue14SecondFrozenDisjointFromTrainingAndOtherSets() throws {
        let generated = Set(TrainingPhrasings.generate().map { PromptText.normalize($0.text) })
        let frozen2 = try heldOut("issue14-frozen-2.tsv").map { PromptText.normalize($0.text) }
        XCTAssertEqual(frozen2.filter(generated.contains), [], "frozen prompts the generator also produces")
        let others = Set(try (heldOut() + heldOut("issue14-frozen.tsv")).map { PromptText.normalize($0.text) })
        XCTAssertEqual(frozen2.filter(others.contains), [])
    }

    /// The third frozen set: 240 prompts written blind for the last router experiments of issue 14
    /// and committed before them; the 15 that an older set held or that were examples in the
    /// writer's brief were taken out (225 left). A regression guard, not a target.
    func testIssue14ThirdFrozenAccuracy() throws {
        let cases = try heldOut("issue14-frozen-3.tsv")
        XCTAssertEqual(cases.count, 225)
        XCTAssertEqual(cases.filter { $0.polarity == .positive }.count, 112)
        let result = try PromptRouter.load().accuracy(on: cases, encoder: try miniLM())
        print("router " + result.summary("issue14-frozen-3.tsv"))
        XCTAssertGreaterThanOrEqual(result.accuracy, 0.91, "208/225 when written; a margin of three prompts for other CPUs")
    }

    func testIssue14ThirdFrozenDisjointFromTrainingAndOtherSets() throws {
        let generated = Set(TrainingPhrasings.generate().map { PromptText.normalize($0.text) })
        let frozen3 = try heldOut("issue14-frozen-3.tsv").map { PromptText.normalize($0.text) }
        XCTAssertEqual(frozen3.filter(generated.contains), [], "frozen prompts the generator also produces")
        let others = Set(try (heldOut() + heldOut("issue14-frozen.tsv") + heldOut("issue14-frozen-2.tsv"))
            .map { PromptText.normalize($0.text) })
        XCTAssertEqual(frozen3.filter(others.contains), [])
    }

    /// The router never trains on the held-out set: no held-out prompt equals (after
    /// normalisation) a generated training prompt.
    func testHeldOutDisjointFromTrainingSet() throws {
        let generated = Set(TrainingPhrasings.generate().map { PromptText.normalize($0.text) })
        let overlap = try heldOut().map { PromptText.normalize($0.text) }.filter(generated.contains)
        XCTAssertEqual(overlap, [], "held-out prompts the generator also produces")
    }
}
