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

    /// The frozen sets of issue 14, each written before the router change it measured and never
    /// trained on. The bounds guard against regressions; they are not targets the router was tuned to.
    /// - `issue14-frozen.tsv`: 130 prompts, written before the generator was widened.
    /// - `issue14-frozen-2.tsv`: 240 written blind (by someone who saw no router code, template or
    ///   evaluation phrasing), committed before the lexicon was widened again; the three that the
    ///   generator or an older set also held were taken out (237 left).
    /// - `issue14-frozen-3.tsv`: 240 written blind for the last router experiments; the 15 that an
    ///   older set held or that were examples in the writer's brief were taken out (225 left).
    func testIssue14FrozenAccuracy() throws {
        try checkFrozen("issue14-frozen.tsv", count: 130, positives: 65, atLeast: 0.94)
    }

    func testIssue14SecondFrozenAccuracy() throws {
        try checkFrozen("issue14-frozen-2.tsv", count: 237, positives: 120, atLeast: 0.91)   // 232/237 with three token readers (sixth pass); the bound is older
    }

    func testIssue14ThirdFrozenAccuracy() throws {
        try checkFrozen("issue14-frozen-3.tsv", count: 225, positives: 112, atLeast: 0.94)   // 221/225 with three token readers (sixth pass); the bound is older
    }

    /// No frozen prompt equals (after normalisation) a generated training prompt or a prompt of an older set.
    func testIssue14FrozenSetsDisjointFromTrainingAndEachOther() throws {
        let generated = Set(TrainingPhrasings.generate().map { PromptText.normalize($0.text) })
        var older = Set(try heldOut().map { PromptText.normalize($0.text) })
        for name in ["issue14-frozen.tsv", "issue14-frozen-2.tsv", "issue14-frozen-3.tsv"] {
            let frozen = try heldOut(name).map { PromptText.normalize($0.text) }
            XCTAssertEqual(frozen.filter(generated.contains), [], "\(name): prompts the generator also produces")
            XCTAssertEqual(frozen.filter(older.contains), [], "\(name): prompts an older set holds")
            older.formUnion(frozen)
        }
    }

    private func checkFrozen(_ name: String, count: Int, positives: Int, atLeast bound: Double,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let cases = try heldOut(name)
        XCTAssertEqual(cases.count, count, file: file, line: line)
        XCTAssertEqual(cases.filter { $0.polarity == .positive }.count, positives, file: file, line: line)
        let result = try PromptRouter.load().accuracy(on: cases, encoder: try miniLM())
        print("router " + result.summary(name))
        let wrong = result.misses.map { "  \"\($0.text)\": expected \($0.expected), p(positive) \($0.positiveProbability)" }
        XCTAssertGreaterThanOrEqual(result.accuracy, bound, "misclassified:\n" + wrong.joined(separator: "\n"), file: file, line: line)
    }

    /// The router never trains on the held-out set: no held-out prompt equals (after
    /// normalisation) a generated training prompt.
    func testHeldOutDisjointFromTrainingSet() throws {
        let generated = Set(TrainingPhrasings.generate().map { PromptText.normalize($0.text) })
        let overlap = try heldOut().map { PromptText.normalize($0.text) }.filter(generated.contains)
        XCTAssertEqual(overlap, [], "held-out prompts the generator also produces")
    }
}
