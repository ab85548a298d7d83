// `steer router eval`'s library half: labelled-file parsing and accuracy counting, and the
// bundled router measured on the issue-14 frozen set.
import XCTest
import SteerPrompt
import SteerText

final class RouterEvaluationTests: XCTestCase {
    func testParseSkipsCommentsAndBlankLinesAndRefusesMalformedLines() throws {
        let parsed = try LabelledPrompts.parse("# header\nno horror\tnegative\n\n  \ngimme sci-fi\tpositive\r\n")
        XCTAssertEqual(parsed, [TrainingExample(text: "no horror", polarity: .negative),
                                TrainingExample(text: "gimme sci-fi", polarity: .positive)])
        for bad in ["no label", "text\tneutral", "\tpositive", "a\tpositive\textra"] {
            let error = promptError { _ = try LabelledPrompts.parse("ok\tpositive\n" + bad, source: "f.tsv") }
            XCTAssertEqual(error?.code, .badTrainingSet, bad)
            XCTAssert(error?.description.contains("f.tsv line 2") == true, "\(String(describing: error))")
        }
    }

    func testAccuracyCountsPerPolarityAndListsMisses() {
        let examples = [TrainingExample(text: "a", polarity: .positive), TrainingExample(text: "b", polarity: .positive),
                        TrainingExample(text: "c", polarity: .negative), TrainingExample(text: "d", polarity: .negative),
                        TrainingExample(text: "e", polarity: .negative)]
        let decisions = [0.9, 0.2, 0.1, 0.7, 0.4].map { RouteDecision(positiveProbability: $0) }
        let result = RouterAccuracy(examples: examples, decisions: decisions)
        XCTAssertEqual(result.total, 5)
        XCTAssertEqual(result.correct, 3)
        XCTAssertEqual(result.positivesCorrect, 1)
        XCTAssertEqual(result.negativesCorrect, 2)
        XCTAssertEqual(result.accuracy, 0.6, accuracy: 1e-12)
        XCTAssertEqual(result.positiveAccuracy, 0.5, accuracy: 1e-12)
        XCTAssertEqual(result.negativeAccuracy, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(result.misses.map(\.text), ["b", "d"])
        XCTAssertEqual(result.misses[0].positiveProbability, 0.2, accuracy: 1e-9)
        XCTAssertEqual(result.misses[1].positiveProbability, 0.7, accuracy: 1e-9)
        XCTAssertEqual(result.summary("x"), "x: 3/5 = 0.6000 (positive 1/2, negative 2/3)")
    }

    /// The development templates (`steer router eval --template-file`) read as the training templates do.
    func testDevelopmentTemplatesParse() throws {
        let templates = try WrittenPhrasings.readTemplates(routerFixture("dev-templates.tsv"))
        XCTAssertEqual(templates.count, 193)
        XCTAssertEqual(templates.filter { $0.polarity == .positive }.count, 98)
        let second = try WrittenPhrasings.readTemplates(routerFixture("dev-templates-2.tsv"))
        XCTAssertEqual(second.count, 237)
        XCTAssertEqual(second.filter { $0.polarity == .positive }.count, 119)
        XCTAssertThrowsError(try WrittenPhrasings.readTemplates(routerFixture("no-such-file.tsv"))) { error in
            XCTAssertEqual((error as? PromptError)?.code, .badTrainingSet)
        }
    }

    /// The fixtures parse with the same reader the CLI uses, and routing them through
    /// `accuracy(on:encoder:)` agrees with routing them one by one.
    func testAccuracyOnFixtureMatchesRouting() throws {
        let examples = Array(try LabelledPrompts.read(routerFixture("heldout.tsv")).prefix(12))
        XCTAssertEqual(examples, Array(try heldOut().prefix(12)))
        let router = try PromptRouter.load(), encoder = try miniLM()
        let result = try router.accuracy(on: examples, encoder: encoder)
        let decisions = try router.route(texts: examples.map(\.text), encoder: encoder)
        XCTAssertEqual(result.correct, zip(examples, decisions).filter { $0.polarity == $1.polarity }.count)
        XCTAssertEqual(result.total, 12)
    }
}
