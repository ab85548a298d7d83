// Training the router: both readers on the same examples, a seeded tenth held out of a first fit.
import Foundation
import SteerRandom
import SteerText

/// One labelled training prompt.
public struct TrainingExample: Sendable, Hashable {
    public let text: String
    public let polarity: Polarity
    public init(text: String, polarity: Polarity) {
        self.text = text
        self.polarity = polarity
    }
}

extension PromptRouter {
    /// Trains a router on `examples` encoded by `encoder`.
    ///
    /// Fits once on a seeded 90% to measure ``validationAccuracy`` on the other 10%, then
    /// again on everything. Deterministic for given examples, encoder and seed.
    /// - Throws: ``PromptError`` `.badTrainingSet` when `examples` lack either polarity,
    ///   `.empty`/`.tooLong` for an invalid example, or what the encoder throws.
    /// - Parameter provenance: lines stored in the model file's header (how the examples were made).
    public static func train(encoder: some SentenceEncoder, examples: [TrainingExample], seed: UInt64,
                             provenance: [String] = []) throws -> PromptRouter {
        try train(encoder: encoder, examples: examples, seed: seed, settings: .init(), provenance: provenance)
    }

    /// How many ``TokenReader``s `steer router train` trains by default (the bundled router's).
    public static let defaultTokenReaders = 3

    /// - Parameters:
    ///   - tokenReader: how to train each ``TokenReader``; nil: the regression alone, a `steer-router/1` file.
    ///   - tokenReaders: how many readers, reader `k` seeded with `seed + k`.
    /// - Throws: as above, and `.badTrainingSet` when `tokenReaders` is below 1.
    public static func train(encoder: some SentenceEncoder, examples: [TrainingExample], seed: UInt64,
                             settings: LogisticRegression.Settings, tokenReader: TokenReaderSettings? = TokenReaderSettings(),
                             tokenReaders: Int = defaultTokenReaders, provenance: [String]) throws -> PromptRouter {
        guard tokenReaders >= 1 else { throw PromptError.badTrainingSet("\(tokenReaders) token readers asked for: at least 1") }
        guard Set(examples.map(\.polarity)).count == 2 else {
            throw PromptError.badTrainingSet("\(examples.count) examples do not cover both polarities")
        }
        for example in examples { try PromptText.validate(example.text) }
        // Each distinct text is encoded once: hand-written examples are repeated in the set.
        let distinct = Array(Set(examples.map(\.text))).sorted()
        let encoded = try encoder.tokenStates(distinct)
        let position = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
        let states = examples.map { encoded[position[$0.text]!] }
        let rows = zip(states, examples).map { $0.pooled + CueFeatures(text: $1.text).values }
        let labels = examples.map { $0.polarity == .positive }
        let width = encoder.dimension

        func fit(_ indices: [Int]) throws -> PromptRouter {
            let regression = LogisticRegression.fit(rows: indices.map { rows[$0] }, labels: indices.map { labels[$0] },
                                                    embeddingWidth: width, settings: settings, seed: seed)
            let readers = tokenReader.map { readerSettings in
                (0..<tokenReaders).map { k in
                    TokenReader.fit(rows: indices.map { rows[$0] }, states: indices.map { (states[$0].values, states[$0].count) },
                                    labels: indices.map { labels[$0] }, embeddingWidth: width, dimension: width,
                                    settings: readerSettings, seed: seed &+ UInt64(k))
                }
            }
            let model = RouterModel(
                format: tokenReader != nil ? RouterModel.currentFormat : RouterModel.linearFormat, provenance: provenance,
                encoder: encoder.name, dimension: width, cueFeatures: CueFeatures.names,
                cueLexiconFingerprint: CueLexicon.fingerprint, seed: seed, trainingExamples: rows.count,
                trainingAccuracy: 0, validationAccuracy: 0, settings: settings, bias: regression.bias, weights: regression.weights,
                tokenReaders: readers.map { $0.map { RouterModel.weights(of: $0, settings: tokenReader!) } })
            return try PromptRouter(model: model)
        }
        func accuracy(_ router: PromptRouter, _ indices: [Int]) throws -> Double {
            guard !indices.isEmpty else { return 0 }
            let right = try indices.filter { try (router.route(states: states[$0], text: examples[$0].text).polarity == .positive) == labels[$0] }
            return Double(right.count) / Double(indices.count)
        }

        var rng = SeededRandom(seed: seed)
        let order = (0..<rows.count).map { _ in rng.next() }.enumerated().sorted { $0.element < $1.element }.map(\.offset)
        let validation = Set(order.prefix(max(1, rows.count / 10)))
        let validationAccuracy = try accuracy(fit(rows.indices.filter { !validation.contains($0) }), validation.sorted())
        let final = try fit(Array(rows.indices))
        var model = final.model!   // fit builds feature routers, which always hold their model
        model.trainingAccuracy = try accuracy(final, Array(rows.indices))
        model.validationAccuracy = validationAccuracy
        return try PromptRouter(model: model)
    }
}
