// The issue-15 prompt sets, read part by part: file format, accuracy floors, and that neither
// set leaks into the router's training or into another set.
import Foundation
import XCTest
@testable import SteerPrompt

final class NaturalPromptSetTests: XCTestCase {
    private func promptSet(_ name: String) throws -> [NaturalPrompt] {
        try NaturalPrompt.read(routerFixture(name).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("prompts").appendingPathComponent(name))
    }

    func testTheFormatReadsPartsInOrderAndRefusesMalformedLines() throws {
        let prompts = try NaturalPrompt.parse("# comment\ncompound\tno war, a comedy\t-:War;+:Comedy|Romance\n")
        XCTAssertEqual(prompts.count, 1)
        XCTAssertEqual(prompts[0].parts.map(\.polarity), [.negative, .positive])
        XCTAssertEqual(prompts[0].parts[1].genres, ["Comedy", "Romance"])
        for bad in ["positive\tno parts\t", "positive\ttwo columns", "negative\tx\t*:Horror", "negative\tx\t-:", "negative\t \t-:Horror"] {
            XCTAssertThrowsError(try NaturalPrompt.parse(bad, source: "t")) { error in
                XCTAssertEqual((error as? PromptError)?.code, .badTrainingSet, bad)
                XCTAssert("\(error)".contains("t line 1"), "\(error)")
            }
        }
    }

    /// Measured when the router was last retrained (parts: development set 326/329, second
    /// development set 400/448, check set 205/220, frozen set 459/470); the floors sit a little
    /// below, since another CPU's last bits can move a prompt near 0.5.
    func testPartAccuracyOnTheDevelopmentAndFrozenSets() throws {
        let (router, encoder) = (try PromptRouter.load(), try miniLM())
        for (name, count, floor) in [("issue15-dev.tsv", 233, 0.97), ("issue15-dev-2.tsv", 314, 0.87),
                                     ("issue15-check.tsv", 160, 0.90), ("issue15-frozen.tsv", 377, 0.96)] {
            let prompts = try promptSet(name)
            XCTAssertEqual(prompts.count, count, name)
            let result = try router.partAccuracy(on: prompts, encoder: encoder)
            print(result.summary(name))
            XCTAssertGreaterThanOrEqual(result.accuracy, floor,
                                        name + ":\n" + result.misses.map { "  \($0.expected) read \($0.read): \($0.text)" }.joined(separator: "\n"))
        }
    }

    /// Never trained on: no prompt of either set equals (after normalisation) a generated training
    /// phrasing, a prompt of the router's hand-written sets, or a prompt of the other set.
    func testTheSetsAreDisjointFromTrainingAndFromEachOther() throws {
        let generated = Set(TrainingPhrasings.generate().map { PromptText.normalize($0.text) })
        var older = Set(try ["heldout.tsv", "issue14-frozen.tsv", "issue14-frozen-2.tsv", "issue14-frozen-3.tsv"]
            .flatMap { try heldOut($0) }.map { PromptText.normalize($0.text) })
        for name in ["issue15-frozen.tsv", "issue15-dev.tsv", "descriptive-dev.tsv", "issue15-dev-2.tsv", "issue15-check.tsv"] {
            let texts = try promptSet(name).map { PromptText.normalize($0.text) }
            XCTAssertEqual(Set(texts).count, texts.count, "\(name) repeats a prompt")
            XCTAssertEqual(texts.filter(generated.contains), [], "\(name): prompts the generator also produces")
            XCTAssertEqual(texts.filter(older.contains), [], "\(name): prompts another set holds")
            older.formUnion(texts)
        }
    }
}
