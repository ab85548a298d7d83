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
///
/// A fine-tuned router (``FineTunedRouter``, loaded from its folder's `router-head.json`) replaces
/// both: it runs its own fine-tuned encoder on the prompt. When its head names a
/// `bundledRouterWeight`, the bundled feature router also reads the states it is handed and the
/// two logits are blended.
public struct PromptRouter: Sendable {
    /// The encoder the weights were trained against (for a fine-tuned router, the encoder it was
    /// fine-tuned from), e.g. `"all-MiniLM-L6-v2"`.
    public var encoderName: String {
        switch decider {
        case .features(let model, _): model.encoder
        case .fineTuned(let router, _): router.head.base
        }
    }
    /// The embedding width the router expects.
    public var dimension: Int {
        switch decider {
        case .features(let model, _): model.dimension
        case .fineTuned(let router, _): router.encoder.dimension
        }
    }
    /// Accuracy on the training set (generated and hand-written examples); NaN for a fine-tuned
    /// router, whose head file does not record it.
    public var trainingAccuracy: Double { model?.trainingAccuracy ?? .nan }
    /// Accuracy on a seeded tenth of the training set, held out of a first fit (an optimistic
    /// figure: a repeated hand-written example can fall on both sides); NaN for a fine-tuned router.
    public var validationAccuracy: Double { model?.validationAccuracy ?? .nan }
    /// How many examples the weights were fitted on (generated, then hand-written ones repeated);
    /// 0 for a fine-tuned router.
    public var trainingExamples: Int { model?.trainingExamples ?? 0 }
    /// How the router was made, in words.
    public var provenance: [String] {
        switch decider {
        case .features(let model, _): model.provenance
        case .fineTuned(let router, _): router.head.provenance
        }
    }
    /// The bundled feature router's share of a fine-tuned router's decision (0 for a feature
    /// router, or a fine-tuned one that decides alone).
    public var bundledRouterWeight: Double {
        if case .fineTuned(let router, _) = decider { return router.head.blendWeight }
        return 0
    }

    /// What decides: the feature router's regression and token readers, or a fine-tuned encoder
    /// with its head, alone or blended with the bundled feature router.
    private enum Decider: Sendable {
        case features(RouterModel, FeatureReaders)
        case fineTuned(FineTunedRouter, blend: FeatureReaders?)
    }
    private let decider: Decider

    /// A feature router's regression and token readers, built once from its model file.
    private struct FeatureReaders: Sendable {
        let classifier: LogisticRegression
        let tokenReaders: [TokenReader]

        /// The regression's logit averaged with the token readers' mean logit.
        func logit(states: TokenStates, text: String) -> Double {
            let row = states.pooled + CueFeatures(text: text).values
            let z = classifier.logit(row)
            guard !tokenReaders.isEmpty else { return z }
            let tokens = tokenReaders.reduce(0) { $0 + Double($1.logit(row: row, states: states.values, tokens: states.count)) }
            return (z + tokens / Double(tokenReaders.count)) / 2
        }
    }

    /// The feature router's model file (nil for a fine-tuned router).
    var model: RouterModel? {
        if case .features(let model, _) = decider { return model }
        return nil
    }

    /// The fine-tuned router (nil for a feature router).
    var fineTuned: FineTunedRouter? {
        if case .fineTuned(let router, _) = decider { return router }
        return nil
    }

    /// Whether the router reads token states (``TokenReader``) besides the pooled embedding.
    public var readsTokens: Bool {
        if case .features(_, let readers) = decider { return !readers.tokenReaders.isEmpty }
        return false
    }
    /// Whether the router runs its own fine-tuned encoder (a second encoder pass per prompt part).
    public var isFineTuned: Bool { model == nil }
    /// What kind of router this is, in words (for `steer router eval` and the evaluation reports):
    /// a feature router's training-set size, or a fine-tuned router's provenance and blend.
    public var summary: String {
        guard isFineTuned else { return "\(trainingExamples) training examples" }
        var words = "a fine-tuned encoder (\(provenance.first ?? "no provenance"))"
        if bundledRouterWeight > 0 { words += String(format: ", blended with the bundled router at weight %.2f", bundledRouterWeight) }
        return words
    }
    /// The kernels a fine-tuned router's own encoder runs on (nil for a feature router).
    public var ownEncoderKernel: String? {
        fineTuned?.encoder.kernelDescription
    }

    /// Why the router cannot read `encoder`'s prompts (it was trained on another encoder or
    /// width), or nil when it can.
    public func mismatch(with encoder: any SentenceEncoder) -> String? {
        if encoderName != encoder.name { return "trained on \(encoderName), but the encoder is \(encoder.name)" }
        if dimension != encoder.dimension { return "trained for \(dimension)-wide states, but \(encoder.name) gives \(encoder.dimension)" }
        return nil
    }

    /// - Throws: ``PromptError`` `.malformedModel` naming `source` when the token reader's arrays are inconsistent.
    init(model: RouterModel, source: String = "router model") throws {
        decider = .features(model, FeatureReaders(classifier: LogisticRegression(weights: model.weights, bias: model.bias),
                                                  tokenReaders: try model.readers(source: source)))
    }

    /// - Throws: ``PromptError`` `.malformedModel` naming `source` when the head blends with the
    ///   bundled router but was fine-tuned from another encoder than the bundled router reads.
    private init(fineTuned: FineTunedRouter, source: String) throws {
        guard fineTuned.head.blendWeight > 0 else {
            decider = .fineTuned(fineTuned, blend: nil)
            return
        }
        let bundled = try PromptRouter.load()
        guard case .features(let model, let readers) = bundled.decider, model.encoder == fineTuned.head.base,
              model.dimension == fineTuned.encoder.dimension else {
            throw PromptError.malformedModel(source, "it blends with the bundled router, trained on \(bundled.encoderName) "
                                             + "(\(bundled.dimension) wide), but was fine-tuned from \(fineTuned.head.base)")
        }
        decider = .fineTuned(fineTuned, blend: readers)
    }

    /// This fine-tuned router with the bundled feature router's share set to `weight` (0…1), e.g.
    /// to measure another blend on development sets before writing it into a head file.
    /// - Throws: ``PromptError`` `.malformedModel` for a feature router (it has nothing to blend
    ///   with) or a weight outside 0…1.
    public func blended(bundledRouterWeight weight: Double) throws -> PromptRouter {
        guard case .fineTuned(var router, _) = decider else {
            throw PromptError.malformedModel("router model", "only a fine-tuned router blends with the bundled router")
        }
        guard (0...1).contains(weight) else {
            throw PromptError.malformedModel("router model", "bundled router weight \(weight) is not in 0…1")
        }
        router.head.bundledRouterWeight = Float(weight)
        router.head.provenance.append(weight > 0 ? "blend with the bundled feature router set to weight \(weight)"
                                                 : "blend with the bundled feature router removed")
        return try PromptRouter(fineTuned: router, source: "router model")
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

    /// The name (in place of a file) of the fine-tuned router bundled with SteerPrompt
    /// (Resources/router-adapters): rank-16 adapters of all-MiniLM-L6-v2 trained on the bundled
    /// router's examples, blended with the bundled router at weight 0.5. It runs a second,
    /// adapted copy of the serving encoder on each part it routes.
    public static let bundledFineTunedName = "fine-tuned"

    /// The router `nameOrPath` names: ``bundledFineTunedName`` for the bundled fine-tuned router,
    /// else a file for ``load(from:encoderPrecision:baseEncoder:)``. A fine-tuned router shipped as
    /// adapters adds them to `baseEncoder`, the serving encoder's folder.
    public static func load(named nameOrPath: String, encoderPrecision: EncoderPrecision = .fp32, baseEncoder: URL? = nil) throws -> PromptRouter {
        guard nameOrPath == bundledFineTunedName else {
            return try load(from: URL(fileURLWithPath: nameOrPath), encoderPrecision: encoderPrecision, baseEncoder: baseEncoder)
        }
        guard let url = Bundle.module.url(forResource: "router-head", withExtension: "json", subdirectory: "Resources/router-adapters") else {
            throw PromptError.malformedModel("Resources/router-adapters/router-head.json", "not in the SteerPrompt bundle")
        }
        return try load(from: url, encoderPrecision: encoderPrecision, baseEncoder: baseEncoder)
    }

    /// A router from a model file written by ``write(to:)``, or from the `router-head.json` of a
    /// fine-tuned router's folder (`Scripts/train-router-encoder`), whose encoder it loads too,
    /// at `encoderPrecision` (a feature router has no encoder of its own and ignores it).
    /// A fine-tuned router shipped as adapters (``FineTunedRouter/Head/adapters``) adds them to
    /// `baseEncoder`, the serving encoder's folder.
    public static func load(from url: URL, encoderPrecision: EncoderPrecision = .fp32, baseEncoder: URL? = nil) throws -> PromptRouter {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PromptError.malformedModel(url.path, "cannot read: \(error.localizedDescription)")
        }
        if FineTunedRouter.isHead(data) {
            return try PromptRouter(fineTuned: try FineTunedRouter.load(head: data, source: url, precision: encoderPrecision,
                                                                        baseEncoder: baseEncoder), source: url.path)
        }
        return try decode(data, source: url.path)
    }

    /// A router from the bytes of a model file; `source` names it in errors.
    /// - Throws: ``PromptError`` `.malformedModel` naming what is wrong (a fine-tuned router's head
    ///   is refused here: it needs its folder, ``load(from:)``).
    public static func decode(_ data: Data, source: String) throws -> PromptRouter {
        guard !FineTunedRouter.isHead(data) else {
            _ = try FineTunedRouter.decodeHead(data, source: source)   // a damaged head is named as such first
            throw PromptError.malformedModel(source, "a fine-tuned router's head loads only from its encoder folder (load(from:))")
        }
        return try PromptRouter(model: try RouterModel.decode(data, source: source), source: source)
    }

    /// The model file's bytes, as ``write(to:)`` writes them (a fine-tuned router: its head file).
    public func encoded() throws -> Data {
        switch decider {
        case .features(let model, _):
            return try model.encoded()
        case .fineTuned(let router, _):
            return try router.encodedHead()
        }
    }

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
        switch decider {
        case .fineTuned(let router, nil):
            return try decision(logit: try router.logit(text))
        case .fineTuned(let router, let blend?):
            let w = router.head.blendWeight
            return try decision(logit: (1 - w) * (try router.logit(text)) + w * blend.logit(states: states, text: text))
        case .features(_, let readers):
            return try decision(logit: readers.logit(states: states, text: text))
        }
    }

    private func decision(logit z: Double) throws -> RouteDecision {
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
        _ = try fineTuned?.logits(texts)   // one batched pass of its own encoder; route(states:text:) then finds them
        return try zip(texts, states).map { try route(states: $1!, text: $0) }
    }
}
