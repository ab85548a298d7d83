// The router's encoder variant: a copy of the sentence encoder fine-tuned, every layer, as a
// polarity classifier (Scripts/train-router-encoder), with a linear head on its token states' mean.
import Foundation
import SteerSync
import SteerText

/// A polarity classifier that runs its own, fine-tuned encoder on the prompt.
///
/// The feature router (``PromptRouter`` from `steer router train`) reads the frozen encoder's
/// outputs, which cost nothing extra because the fusion towers need them anyway. This variant
/// costs a second encoder pass per prompt part it has not seen, but it can reshape the encoder
/// itself around negation and its scope, which frozen states only approximate.
///
/// Its folder is a sentence-encoder folder (loaded by ``MiniLMEncoder``) plus `router-head.json`
/// (format `steer-router-encoder-head/1`): `weights` (one per encoder dimension), `bias`,
/// `provenance`, and optionally `bundledRouterWeight`. The logit is `weights · mean(last-layer
/// token states, special tokens included) + bias`, the same mean the training script's head reads.
///
/// With `bundledRouterWeight` w > 0, ``PromptRouter`` decides by `(1 − w) · that logit + w · the
/// bundled feature router's logit`. The two misread different wordings, and where they disagree
/// the blend is unsure, which the serving policy for unsure parts then handles.
struct FineTunedRouter: Sendable {
    static let format = "steer-router-encoder-head/1"
    /// The file in the encoder folder that makes it a router.
    static let headFile = "router-head.json"

    let encoder: MiniLMEncoder
    var head: Head
    /// The logits of texts read lately (at most ``recentBytes`` of text). Serving a prompt routes
    /// the same text more than once: its clauses while reading it, then each part as it is
    /// prepared. The feature router does that again from cached token states at no cost; this one
    /// would rerun its encoder, so it keeps what it computed.
    let recent = LRUCache<String, Double>(capacity: recentBytes) { text, _ in text.utf8.count + 64 }
    static let recentBytes = 4 << 20

    /// `router-head.json`.
    struct Head: Codable, Sendable, Equatable {
        var format: String
        /// The folder name of the encoder it was fine-tuned from, e.g. `"all-MiniLM-L6-v2"`.
        var base: String
        var weights: [Float]
        var bias: Float
        var provenance: [String]
        /// The bundled feature router's share of the decision's logit, in 0…1 (nil or 0: this
        /// head decides alone).
        var bundledRouterWeight: Float? = nil

        /// A file beside the head holding the fine-tuning as ``LowRankAdapters`` of the base
        /// encoder (nil: the head's folder is the whole fine-tuned encoder). The base is the
        /// serving encoder's folder, which must be named ``base``.
        var adapters: String? = nil

        /// ``bundledRouterWeight`` with nil read as 0.
        var blendWeight: Double { Double(bundledRouterWeight ?? 0) }
    }

    /// Whether `data` is a head file (its `format` names this variant), without decoding the rest.
    static func isHead(_ data: Data) -> Bool {
        struct Format: Decodable { var format: String? }
        return (try? JSONDecoder().decode(Format.self, from: data))?.format == format
    }

    /// Decodes and checks the head file `data` (named `source` in errors), without its encoder.
    /// - Throws: ``PromptError`` `.malformedModel` naming what is wrong: the JSON, the format, or a
    ///   weight that is not finite.
    static func decodeHead(_ data: Data, source: String) throws -> Head {
        let head: Head
        do { head = try JSONDecoder().decode(Head.self, from: data) } catch {
            throw PromptError.malformedModel(source, "not a \(format) file (\(error))")
        }
        guard head.format == format else {
            throw PromptError.malformedModel(source, "format \"\(head.format)\", expected \"\(format)\"")
        }
        guard !head.weights.isEmpty, head.weights.allSatisfy(\.isFinite), head.bias.isFinite else {
            throw PromptError.malformedModel(source, head.weights.isEmpty ? "no weights" : "a weight is NaN or infinite")
        }
        if let w = head.bundledRouterWeight, !(0...1).contains(w) {
            throw PromptError.malformedModel(source, "bundledRouterWeight \(w) is not in 0…1")
        }
        return head
    }

    /// Decodes the head file `data` (found at `source`, in the encoder's folder) and loads the
    /// encoder beside it, its linear layers at `precision` (steerd passes the serving encoder's, so
    /// on a CPU with AVX-512 VNNI the second encoder pass runs int8 like the first).
    /// - Throws: ``PromptError`` `.malformedModel` naming what is wrong: the head (``decodeHead(_:source:)``),
    ///   the encoder folder, or a weight count that does not match the encoder.
    ///
    /// A head that names ``Head/adapters`` loads `baseEncoder` (the serving encoder's folder, which
    /// must be named ``Head/base``) with the adapters beside the head added to it.
    static func load(head data: Data, source: URL, precision: EncoderPrecision = .fp32, baseEncoder: URL? = nil) throws -> FineTunedRouter {
        let head = try decodeHead(data, source: source.path)
        var folder = source.deletingLastPathComponent()
        var adapters: LowRankAdapters?
        if let file = head.adapters {
            guard let baseEncoder else {
                throw PromptError.malformedModel(source.path, "its adapters need the base encoder \(head.base), and none was given")
            }
            guard baseEncoder.lastPathComponent == head.base else {
                throw PromptError.malformedModel(source.path, "its adapters were trained on \(head.base), but the encoder is \(baseEncoder.lastPathComponent)")
            }
            do { adapters = try LowRankAdapters(contentsOf: folder.appendingPathComponent(file)) } catch {
                throw PromptError.malformedModel(source.path, "its adapters \(file) did not load: \(error)")
            }
            folder = baseEncoder
        }
        let encoder: MiniLMEncoder
        do { encoder = try MiniLMEncoder(directory: folder, threads: 1, precision: precision, adapters: adapters) } catch {
            throw PromptError.malformedModel(source.path, "its fine-tuned encoder in \(folder.path) did not load: \(error)")
        }
        guard head.weights.count == encoder.dimension else {
            throw PromptError.malformedModel(source.path, "\(head.weights.count) weights for an encoder of dimension \(encoder.dimension)")
        }
        return FineTunedRouter(encoder: encoder, head: head)
    }

    /// The head file's bytes (pretty, key-sorted JSON), as ``decodeHead(_:source:)`` reads them.
    func encodedHead() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(head)
    }

    /// The logit of "positive" for `text`, from this router's own encoder pass (or a recent one).
    func logit(_ text: String) throws -> Double {
        try logits([text])[0]
    }

    /// The logits of `texts`, those not read lately from one batched encoder pass.
    func logits(_ texts: [String]) throws -> [Double] {
        var logits = texts.map { recent.get($0) }
        let missing = logits.indices.filter { logits[$0] == nil }
        guard !missing.isEmpty else { return logits.map { $0! } }
        let states = encoder.tokenStates(missing.map { texts[$0] })
        guard states.count == missing.count, states.allSatisfy({ $0.count > 0 }) else {
            throw PromptError.malformedModel("fine-tuned router", "its encoder gave no token states")
        }
        for (i, computed) in zip(missing, states) {
            let z = Self.logit(states: computed, weights: head.weights, bias: head.bias)
            logits[i] = z
            recent.put(texts[i], z)
        }
        return logits.map { $0! }
    }

    /// `weights · mean(states) + bias`, in Double.
    static func logit(states: TokenStates, weights: [Float], bias: Float) -> Double {
        let d = states.dimension
        var z = 0.0
        for c in 0..<d {
            var sum = 0.0
            for t in 0..<states.count { sum += Double(states.values[t * d + c]) }
            z += Double(weights[c]) * sum / Double(states.count)
        }
        return z + Double(bias)
    }
}
