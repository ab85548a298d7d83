// A prompt as several requests: its reading (PromptRouter.read) kept per prompt text, the parts a
// client states itself, and the policy that decides which parts move the user vector.
import SteerDPR
import SteerPrompt
import SteerSync
import SteerTransport
import SteerWire

/// The readings of prompts by exact text (LRU, bounded in bytes).
///
/// A reading follows from the text, the encoder and the router, none of which change while
/// steerd runs, so a prompt read once is read again without the encoder or the router.
final class PromptReadings: Sendable {
    /// 4 MiB: some 10,000 prompts of a few parts.
    static let capacityBytes = 4 << 20
    private let cache = LRUCache<String, PromptReading>(capacity: capacityBytes) { text, reading in
        text.utf8.count + reading.parts.reduce(0) { $0 + $1.text.utf8.count + 64 } + 128
    }

    func get(_ text: String) -> PromptReading? { cache.get(text) }

    func put(_ text: String, _ reading: PromptReading) { cache.put(text, reading) }

    var stats: LRUCacheStats { cache.stats }
}

extension PromptServices {
    /// `text` read part by part, through the reading cache. The reader embeds candidate clauses
    /// through the prompt cache, so the encoder runs only for texts it has not embedded before.
    /// - Throws: `RPCError`: FAILED_PRECONDITION without a router, INVALID_ARGUMENT for a prompt
    ///   the reader refuses, INTERNAL when the encoder fails.
    func reading(_ text: String) throws -> PromptReading {
        if let cached = readings.get(text) { return cached }
        guard let router else {
            throw RPCError(.failedPrecondition, "no router to read the prompt (\(routerProblem ?? "none loaded")): "
                + "state the polarity, or the parts with theirs")
        }
        let reading: PromptReading
        do {
            reading = try router.read(text, encoder: encoder, cache: cache)
        } catch let error as PromptError {
            throw RPCError(.invalidArgument, "prompt: \(error)")
        } catch {
            throw RPCError(.internal, "the encoder failed on a prompt: \(error)")
        }
        readings.put(text, reading)
        return reading
    }
}

/// One part of a Recommend prompt on its way to the towers.
struct PlannedPart: Sendable {
    let text: String
    /// Stated by the client, or read from a prompt of several parts. nil for a prompt read as one
    /// part: its decision is the whole prompt's route, known once the prompt is prepared.
    var decision: (polarity: PromptPolarity, confidence: Float)?
    let stated: Bool
    /// The part as the served head prepared it, once looked up or computed.
    var prepared: PreparedPrompt?

    /// The decision, from the request, the reading or the prepared route; nil until known.
    var known: (polarity: PromptPolarity, confidence: Float)? { decision ?? prepared?.route }
}

/// Which parts move the user vector.
///
/// A read part is applied only when the router's confidence reaches `minimumConfidence`: a part
/// sent through the wrong tower inverts the request (asked for comedies, the negative tower
/// pushes them away), while a part left out only leaves the answer unsteered, which never works
/// against the user. A stated part is always applied: the client knows what it asked.
struct PartPolicy: Sendable {
    let minimumConfidence: Double

    func applies(confidence: Float) -> Bool { Double(confidence) >= minimumConfidence }

    /// nil while the part's decision is not known (a one-part prompt not yet prepared).
    func isApplied(_ part: PlannedPart) -> Bool? {
        guard let known = part.known else { return nil }
        return part.stated || applies(confidence: known.confidence)
    }

    /// Preparing gives a one-part prompt its decision, and an applied part what the tower takes.
    func needsPreparing(_ part: PlannedPart) -> Bool { part.prepared == nil && isApplied(part) != false }
}

extension SteerService {
    /// Parts one request may state.
    static let maxStatedParts = 8

    var partPolicy: PartPolicy { PartPolicy(minimumConfidence: configuration.minimumPartConfidence) }

    /// The stated path's rules: 1 to `maxStatedParts` parts instead of a prompt, each positive or
    /// negative with a valid text.
    /// - Throws: `RPCError(.invalidArgument)` naming the first part that breaks a rule.
    func checkStatedParts(_ request: RecommendRequest) throws {
        guard request.prompt.isEmpty else {
            throw RPCError(.invalidArgument, "both prompt and parts: send the prompt for steerd to read, or the parts with their "
                + "polarities, not both")
        }
        guard request.parts.count <= Self.maxStatedParts else {
            throw RPCError(.invalidArgument, "\(request.parts.count) parts; send 1 to \(Self.maxStatedParts)")
        }
        for (i, part) in request.parts.enumerated() {
            guard part.polarity != .unspecified else {
                throw RPCError(.invalidArgument, "parts[\(i)].polarity is unspecified: a stated part needs positive or negative "
                    + "(to let the router decide, send the text as prompt)")
            }
            do {
                try PromptText.validate(part.text)
            } catch let error as PromptError {
                throw RPCError(.invalidArgument, "parts[\(i)].text: \(error)")
            }
        }
    }

    /// The request's parts as far as the caches know them: stated parts, a stated polarity's one
    /// part, or the parts of a reading cached before; nil for a prompt not read yet.
    func plannedParts(_ request: RecommendRequest, services: PromptServices, cache: PreparedPrompts?) -> [PlannedPart]? {
        func stated(_ text: String, _ polarity: SteerWire.Polarity) -> PlannedPart {
            PlannedPart(text: text, decision: (polarity == .positive ? .positive : .negative, 1), stated: true,
                        prepared: preparedPrompt(text, cache: cache))
        }
        if !request.parts.isEmpty { return request.parts.map { stated($0.text, $0.polarity) } }
        if request.polarity != .unspecified { return [stated(request.prompt, request.polarity)] }
        return services.readings.get(request.prompt).map { plannedParts($0, prompt: request.prompt, whole: nil, cache: cache) }
    }

    /// The parts of `reading`, the applied ones with their prepared prompts when cached. A prompt
    /// read as one part is the whole prompt, routed and prepared exactly as before prompts were
    /// read (`whole`: that preparation when at hand).
    func plannedParts(_ reading: PromptReading, prompt: String, whole: PreparedPrompt?, cache: PreparedPrompts?) -> [PlannedPart] {
        guard reading.parts.count > 1 else {
            return [PlannedPart(text: prompt, decision: nil, stated: false, prepared: whole ?? preparedPrompt(prompt, cache: cache))]
        }
        return reading.parts.map { part in
            var planned = PlannedPart(text: part.text, decision: (part.decision.polarity == .positive ? .positive : .negative,
                                                                  Float(part.decision.confidence)), stated: false, prepared: nil)
            if partPolicy.isApplied(planned) == true { planned.prepared = preparedPrompt(part.text, cache: cache) }
            return planned
        }
    }

    /// The parts a Route result reports: the reading's, a one-part reading being the whole prompt
    /// with the result's own polarity and confidence; `steered` says whether Recommend would apply each.
    func routedParts(_ text: String, result: RouteResult, services: PromptServices) throws -> [PromptPart] {
        let reading = try services.reading(text)
        let policy = partPolicy
        guard reading.parts.count > 1 else {
            return [PromptPart(text: text, polarity: result.polarity, confidence: result.confidence,
                               steered: policy.applies(confidence: result.confidence))]
        }
        return reading.parts.map { part in
            let confidence = Float(part.decision.confidence)
            return PromptPart(text: part.text, polarity: part.decision.polarity == .positive ? .positive : .negative,
                              confidence: confidence, steered: policy.applies(confidence: confidence))
        }
    }
}
