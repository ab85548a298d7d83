// The polarity router: logistic regression over [sentence embedding ; negation-cue features].
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

/// Decides whether a prompt asks for something (``Polarity/positive``) or wants something
/// avoided (``Polarity/negative``).
///
/// The input is the prompt's sentence embedding (the one the fusion towers read, so routing
/// costs no extra encoder pass) concatenated with ``CueFeatures``: negators with their scope,
/// double negatives, restrictions. Weights are trained on generated phrasings
/// (``TrainingPhrasings``) and a hand-written corpus (``WrittenPhrasings``), never on a
/// held-out, frozen or development set.
public struct PromptRouter: Sendable {
    /// The encoder the weights were trained against, e.g. `"all-MiniLM-L6-v2"`.
    public var encoderName: String { model.encoder }
    /// The embedding width the router expects.
    public var dimension: Int { model.dimension }
    /// Accuracy on the training set (generated and hand-written examples).
    public var trainingAccuracy: Double { model.trainingAccuracy }
    /// Accuracy on a seeded tenth of the training set, held out of a first fit (an optimistic
    /// figure: a repeated hand-written example can fall on both sides).
    public var validationAccuracy: Double { model.validationAccuracy }
    /// How many examples the weights were fitted on (generated, then hand-written ones repeated).
    public var trainingExamples: Int { model.trainingExamples }

    let model: RouterModel
    private let classifier: LogisticRegression

    init(model: RouterModel) {
        self.model = model
        classifier = LogisticRegression(weights: model.weights, bias: model.bias)
    }

    /// The router bundled with SteerPrompt (Resources/router.json).
    /// - Throws: ``PromptError`` `.malformedModel` when the file is missing, unreadable or was
    ///   trained against a different cue lexicon.
    public static func load() throws -> PromptRouter {
        guard let url = Bundle.module.url(forResource: "router", withExtension: "json", subdirectory: "Resources") else {
            throw PromptError.malformedModel("Resources/router.json", "not in the SteerPrompt bundle")
        }
        return try load(from: url)
    }

    /// A router from a model file written by ``write(to:)``.
    public static func load(from url: URL) throws -> PromptRouter {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PromptError.malformedModel(url.path, "cannot read: \(error.localizedDescription)")
        }
        return PromptRouter(model: try RouterModel.decode(data, source: url.path))
    }

    /// Writes the model file (pretty JSON with its provenance).
    public func write(to url: URL) throws {
        try model.encoded().write(to: url, options: .atomic)
    }

    /// Routes one prompt whose embedding the caller already has.
    /// - Parameters:
    ///   - embedding: the prompt's ``dimension``-wide embedding from ``encoderName``.
    ///   - text: the prompt itself (the cue features read its first ``PromptText/cueWindow`` characters).
    /// - Throws: ``PromptError`` `.empty`, `.tooLong` or `.badEmbedding`.
    public func route(embedding: [Float], text: String) throws -> RouteDecision {
        try PromptText.validate(text)
        guard embedding.count == dimension else { throw PromptError.badEmbedding(expected: dimension, got: embedding.count) }
        guard embedding.allSatisfy(\.isFinite) else { throw PromptError.nonFiniteEmbedding }
        return RouteDecision(positiveProbability: classifier.probability(embedding + CueFeatures(text: text).values))
    }

    /// Embeds (through `cache` when given) and routes `texts`.
    /// - Throws: ``PromptError`` for an empty or oversized prompt (before anything is embedded),
    ///   `.badEmbedding` when `encoder` is not the one the router was trained with, or what the
    ///   encoder throws.
    public func route(texts: [String], encoder: some SentenceEncoder, cache: PromptCache? = nil) throws -> [RouteDecision] {
        for text in texts { try PromptText.validate(text) }
        guard encoder.dimension == dimension else { throw PromptError.badEmbedding(expected: dimension, got: encoder.dimension) }
        var embeddings = texts.map { text in cache?.get(encoder: encoder.name, text: text) }
        let missing = embeddings.indices.filter { embeddings[$0] == nil }
        if !missing.isEmpty {
            let fresh = try encoder.embed(missing.map { texts[$0] })
            for (i, vector) in zip(missing, fresh) {
                embeddings[i] = vector
                cache?.put(encoder: encoder.name, text: texts[i], embedding: vector)
            }
        }
        return try zip(texts, embeddings).map { try route(embedding: $1!, text: $0) }
    }

    /// Trains a router on `examples` embedded by `encoder`.
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

    public static func train(encoder: some SentenceEncoder, examples: [TrainingExample], seed: UInt64,
                      settings: LogisticRegression.Settings, provenance: [String]) throws -> PromptRouter {
        guard Set(examples.map(\.polarity)).count == 2 else {
            throw PromptError.badTrainingSet("\(examples.count) examples do not cover both polarities")
        }
        for example in examples { try PromptText.validate(example.text) }
        let embeddings = try encoder.embed(examples.map(\.text))
        let rows = zip(embeddings, examples).map { $0 + CueFeatures(text: $1.text).values }
        let labels = examples.map { $0.polarity == .positive }
        let width = encoder.dimension

        var rng = SeededRandom(seed: seed)
        let order = (0..<rows.count).map { _ in rng.next() }.enumerated().sorted { $0.element < $1.element }.map(\.offset)
        let validation = Set(order.prefix(max(1, rows.count / 10)))
        let fitIndices = rows.indices.filter { !validation.contains($0) }
        let first = LogisticRegression.fit(rows: fitIndices.map { rows[$0] }, labels: fitIndices.map { labels[$0] },
                                           embeddingWidth: width, settings: settings, seed: seed)
        let validationAccuracy = accuracy(first, validation.sorted().map { (rows[$0], labels[$0]) })
        let final = LogisticRegression.fit(rows: rows, labels: labels, embeddingWidth: width, settings: settings, seed: seed)

        let model = RouterModel(
            format: RouterModel.currentFormat, provenance: provenance, encoder: encoder.name, dimension: width,
            cueFeatures: CueFeatures.names, cueLexiconFingerprint: CueLexicon.fingerprint, seed: seed,
            trainingExamples: rows.count, trainingAccuracy: accuracy(final, Array(zip(rows, labels))),
            validationAccuracy: validationAccuracy, settings: settings, bias: final.bias, weights: final.weights)
        return PromptRouter(model: model)
    }

    private static func accuracy(_ model: LogisticRegression, _ data: [([Float], Bool)]) -> Double {
        guard !data.isEmpty else { return 0 }
        return Double(data.filter { (model.probability($0.0) >= 0.5) == $0.1 }.count) / Double(data.count)
    }
}
