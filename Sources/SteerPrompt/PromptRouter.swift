// The polarity router: logistic regression over [sentence embedding ; negation-cue features],
// averaged with readers of the token states (TokenReader).
import Foundation
import SteerRandom
import SteerText

/// Decides whether a prompt asks for something (``Polarity/positive``) or wants something
/// avoided (``Polarity/negative``).
///
/// Two kinds of reader, their logits averaged:
/// - a logistic regression over the prompt's sentence embedding concatenated with
///   ``CueFeatures`` (negators with their scope, double negatives, restrictions);
/// - ``TokenReader``s: each its own linear part over the same input plus a convolution over the
///   encoder's token states, which still hold word order. They are trained alike from different
///   seeds and their logits averaged first: one reader's decision on an unusual wording depends
///   on its seed, the mean much less.
///
/// Both read what the fusion towers read (token states and their mean), so routing costs no
/// extra encoder pass. Weights are trained on generated phrasings (``TrainingPhrasings``) and a
/// hand-written corpus (``WrittenPhrasings``), never on a held-out, frozen or development set.
/// A `steer-router/1` file has the regression only, a `steer-router/2` file one token reader.
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
    private let readers: [TokenReader]

    /// Whether the router reads token states (``TokenReader``) besides the pooled embedding.
    public var readsTokens: Bool { !readers.isEmpty }

    /// - Throws: ``PromptError`` `.malformedModel` naming `source` when the token reader's arrays are inconsistent.
    init(model: RouterModel, source: String = "router model") throws {
        self.model = model
        classifier = LogisticRegression(weights: model.weights, bias: model.bias)
        readers = try model.readers(source: source)
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
        return try decode(data, source: url.path)
    }

    /// A router from the bytes of a model file; `source` names it in errors.
    /// - Throws: ``PromptError`` `.malformedModel` naming what is wrong.
    public static func decode(_ data: Data, source: String) throws -> PromptRouter {
        try PromptRouter(model: try RouterModel.decode(data, source: source), source: source)
    }

    /// The model file's bytes, as ``write(to:)`` writes them.
    public func encoded() throws -> Data { try model.encoded() }

    /// Writes the model file (pretty JSON with its provenance).
    public func write(to url: URL) throws {
        try encoded().write(to: url, options: .atomic)
    }

    /// Routes one prompt whose token states the caller already has.
    /// - Parameters:
    ///   - states: the prompt's token states and pooled embedding from ``encoderName``.
    ///   - text: the prompt itself (the cue features read its first ``PromptText/cueWindow`` characters).
    /// - Throws: ``PromptError`` `.empty`, `.tooLong`, `.badEmbedding`, `.nonFiniteEmbedding`, or
    ///   `.malformedModel` when the weights overflow to no answer.
    public func route(states: TokenStates, text: String) throws -> RouteDecision {
        try PromptText.validate(text)
        guard states.dimension == dimension else { throw PromptError.badEmbedding(expected: dimension, got: states.dimension) }
        guard states.pooled.allSatisfy(\.isFinite), states.values.allSatisfy(\.isFinite) else { throw PromptError.nonFiniteEmbedding }
        let row = states.pooled + CueFeatures(text: text).values
        var z = classifier.logit(row)
        if !readers.isEmpty {
            let tokens = readers.reduce(0) { $0 + Double($1.logit(row: row, states: states.values, tokens: states.count)) }
            z = (z + tokens / Double(readers.count)) / 2
        }
        // Finite weights can still overflow (a damaged or hand-edited file): ±∞ is a sure answer,
        // but ∞ − ∞ is none, and a NaN confidence must not reach a client.
        guard !z.isNaN else { throw PromptError.malformedModel("router model", "its logit for this prompt is not a number (weights too large)") }
        return RouteDecision(positiveProbability: 1 / (1 + exp(-z)))
    }

    /// Encodes (through `cache` when given) and routes `texts`.
    /// - Throws: ``PromptError`` for an empty or oversized prompt (before anything is encoded),
    ///   `.badEmbedding` when `encoder` is not the one the router was trained with, or what the
    ///   encoder throws.
    public func route(texts: [String], encoder: some SentenceEncoder, cache: PromptCache? = nil) throws -> [RouteDecision] {
        for text in texts { try PromptText.validate(text) }
        guard encoder.dimension == dimension else { throw PromptError.badEmbedding(expected: dimension, got: encoder.dimension) }
        var states = texts.map { text in cache?.tokenStates(encoder: encoder.name, text: text, dimension: dimension) }
        let missing = states.indices.filter { states[$0] == nil }
        if !missing.isEmpty {
            let fresh = try encoder.tokenStates(missing.map { texts[$0] })
            for (i, computed) in zip(missing, fresh) {
                states[i] = computed
                cache?.put(encoder: encoder.name, text: texts[i], states: computed)
            }
        }
        return try zip(texts, states).map { try route(states: $1!, text: $0) }
    }
}
