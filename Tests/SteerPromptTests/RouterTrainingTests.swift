// Training the router: the bundled model's provenance, determinism, and the retraining entry point.
import Foundation
import XCTest
@testable import SteerPrompt
import SteerTasks
import SteerText

final class RouterTrainingTests: XCTestCase {
    /// The bundled model matches this build: encoder, sizes, seed, settings, the generated and the bundled
    /// hand-written examples and templates, and it fits its training set. A line cannot fit every hand-written
    /// prompt (they are there because the cues misread them), so the fit is about 0.94, not 0.98.
    func testBundledRouterProvenance() throws {
        let router = try PromptRouter.load()
        XCTAssertEqual(router.encoderName, "all-MiniLM-L6-v2")
        XCTAssertEqual(router.dimension, 384)
        XCTAssertEqual(router.model?.seed, TrainingPhrasings.defaultSeed)
        let written = WrittenPhrasings.examples(try WrittenPhrasings.bundled()).examples.count
        // `steer router train` renders each written template with every genre, once.
        let rendered = try WrittenPhrasings.bundledTemplates().count * PromptTemplates.bundled().genreDisplayNames.names.count
        XCTAssertEqual(router.trainingExamples, TrainingPhrasings.defaultCount + WrittenPhrasings.defaultRepeats * written + rendered)
        XCTAssertGreaterThanOrEqual(router.trainingAccuracy, 0.93)
        XCTAssertGreaterThanOrEqual(router.validationAccuracy, 0.93)
        XCTAssertFalse((router.model?.provenance ?? []).isEmpty)
        // `steer router train` without flags must reproduce the bundled file, so the default
        // settings are the ones it was trained with.
        XCTAssertEqual(router.model?.settings, LogisticRegression.Settings())
        XCTAssertEqual(router.model?.tokenReaders?.map(\.settings), Array(repeating: TokenReaderSettings(), count: PromptRouter.defaultTokenReaders))
    }

    /// Same examples and seed, same weights; the write/load round trip keeps decisions.
    func testTrainingIsDeterministicAndRoundTrips() throws {
        let encoder = try miniLM()
        let examples = TrainingPhrasings.generate(seed: 7, count: 200)
        var settings = LogisticRegression.Settings()
        settings.epochs = 5
        let a = try PromptRouter.train(encoder: encoder, examples: examples, seed: 7, settings: settings, provenance: [])
        let b = try PromptRouter.train(encoder: encoder, examples: examples, seed: 7, settings: settings, provenance: [])
        XCTAssertEqual(a.model, b.model)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("router-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try a.write(to: url)
        let loaded = try PromptRouter.load(from: url)
        let probes = ["no horror", "a comedy please", "I wouldn't mind a western"]
        XCTAssertEqual(try loaded.route(texts: probes, encoder: encoder).map(\.polarity),
                       try a.route(texts: probes, encoder: encoder).map(\.polarity))
    }

    func testTrainingRefusesOnePolarity() throws {
        let error = promptError {
            _ = try PromptRouter.train(encoder: try miniLM(), examples: [TrainingExample(text: "no horror", polarity: .negative)], seed: 1)
        }
        XCTAssertEqual(error?.code, .badTrainingSet)
        let noReader = promptError {
            _ = try PromptRouter.train(encoder: try miniLM(), examples: TrainingPhrasings.generate(seed: 7, count: 20), seed: 1,
                                       settings: .init(), tokenReaders: 0, provenance: [])
        }
        XCTAssertEqual(noReader?.code, .badTrainingSet)
        XCTAssertTrue(noReader?.description.contains("token readers") == true, "\(String(describing: noReader))")
    }

    /// A model file from another lexicon or with the wrong number of weights is refused, by name.
    func testMalformedModelFilesAreRefused() throws {
        let good = try XCTUnwrap(PromptRouter.load().model)
        let dir = FileManager.default.temporaryDirectory
        func refused(_ model: RouterModel) throws -> PromptError? {
            let url = dir.appendingPathComponent("router-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: url) }
            try model.encoded().write(to: url)
            return promptError { _ = try PromptRouter.load(from: url) }
        }
        var stale = good
        stale.cueLexiconFingerprint = "0"
        XCTAssertEqual(try refused(stale)?.code, .malformedModel)
        var short = good
        short.weights.removeLast()
        XCTAssertEqual(try refused(short)?.code, .malformedModel)
        let missing = promptError { _ = try PromptRouter.load(from: dir.appendingPathComponent("absent-router.json")) }
        XCTAssertEqual(missing?.code, .malformedModel)
    }

    /// The generator is deterministic, distinct after normalisation and covers both polarities.
    func testGeneratorIsDeterministicAndBalanced() {
        let a = TrainingPhrasings.generate(seed: 3, count: 500), b = TrainingPhrasings.generate(seed: 3, count: 500)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.count, 500)
        XCTAssertEqual(Set(a.map { PromptText.normalize($0.text) }).count, 500)
        let positives = a.filter { $0.polarity == .positive }.count
        XCTAssert((200...300).contains(positives), "\(positives) positives of 500")
        XCTAssertNotEqual(TrainingPhrasings.generate(seed: 4, count: 50), Array(a.prefix(50)))
    }

    /// Polite wrappers surround imperatives of both polarities alike, so courtesy and length
    /// carry no polarity: every wrapper occurs with both, in equal numbers per imperative.
    func testPoliteWrappersAreShared() {
        let wrappers = TrainingTemplates.politeWrappers
        XCTAssertEqual(TrainingPhrasings.politePositives.count, wrappers.count * TrainingTemplates.positiveImperatives.count)
        XCTAssertEqual(TrainingPhrasings.politeNegatives.count, wrappers.count * TrainingTemplates.negativeImperatives.count)
        for w in wrappers where w != "{x}" {
            let probe = w.replacingAll("{x}", "\u{1}")
            let parts = probe.split(separator: "\u{1}", omittingEmptySubsequences: false).map(String.init)
            func wrapped(_ t: String) -> Bool { t.hasPrefix(parts[0]) && t.hasSuffix(parts[1]) }
            XCTAssert(TrainingPhrasings.politePositives.contains(where: wrapped), w)
            XCTAssert(TrainingPhrasings.politeNegatives.contains(where: wrapped), w)
        }
        let sample = TrainingPhrasings.generate()
        let polite = sample.filter { $0.text.lowercased().contains("could you") }
        let positives = polite.filter { $0.polarity == .positive }.count
        XCTAssertGreaterThan(polite.count, 50)
        XCTAssert((Double(positives) / Double(polite.count)) > 0.3 && (Double(positives) / Double(polite.count)) < 0.7,
                  "\(positives) of \(polite.count) 'could you' prompts are positive")
    }
}
