// The prompt side of steerd: the native sentence encoder, its embedding cache and the router.
import Foundation
import Logging
import SteerPrompt
import SteerText
import SteerTransport
import SteerWire

/// What EmbedPrompt, Route and the prompt side of Fuse and Recommend need, loaded once at start.
///
/// Two ways to an encoder's output, both through the cache: ``embed(_:slice:)`` for pooled
/// embeddings (misses go through the prompt batcher, so concurrent requests share encoder calls)
/// and ``tokenStates(_:)`` for one prompt's token states (the encoder has no batched entry point
/// for them).
final class PromptServices: Sendable {
    let encoder: any SentenceEncoder
    let cache: PromptCache
    /// Embeds cache misses, alone or batched with concurrent requests' misses.
    let batcher: DynamicBatcher<Int, [String], [Float]>
    /// The named router, else the bundled one; nil when the bundled router was trained for another encoder.
    let router: PromptRouter?
    let routerProblem: String?
    /// Prompts read part by part (Route and Recommend), by exact text.
    let readings = PromptReadings()
    /// The training requests Recommend mixes each request with (`PromptMemory`); nil: off.
    let memory: PromptMemory?

    /// Request bounds: nothing a client sends may make the daemon work or allocate without limit.
    static let maxPromptsPerRequest = 256

    /// - Parameter named: a router loaded from the configuration's router file (checked against
    ///   `encoder` by the caller); nil: the bundled router.
    init(encoder: any SentenceEncoder, router named: PromptRouter? = nil, memory: PromptMemory? = nil, cacheBytes: Int, batching: BatchLimits,
         metrics: BatchMetrics, logger: Logger) {
        self.encoder = encoder
        self.memory = memory
        let cache = PromptCache(capacityBytes: cacheBytes)
        self.cache = cache
        batcher = batching.batcher { _, chunks in
            Self.embedMisses(chunks, encoder: encoder, cache: cache) { metrics.record("prompt_embedding", rows: $0) }
        }
        (router, routerProblem) = named.map { ($0, nil) } ?? Self.bundledRouter(for: encoder)
        if let routerProblem { logger.warning("Route unavailable", metadata: ["reason": "\(routerProblem)"]) }
    }

    /// The router bundled with SteerPrompt when it was trained for `encoder`, else why not.
    private static func bundledRouter(for encoder: any SentenceEncoder) -> (PromptRouter?, String?) {
        do {
            let router = try PromptRouter.load()
            if let mismatch = router.mismatch(with: encoder) { return (nil, "the bundled router was \(mismatch)") }
            return (router, nil)
        } catch {
            return (nil, "the bundled router did not load: \(error)")
        }
    }

    /// Checks count and each prompt's size before any work.
    func validate(_ prompts: [String]) throws {
        guard !prompts.isEmpty, prompts.count <= Self.maxPromptsPerRequest else {
            throw RPCError(.invalidArgument, "\(prompts.count) prompts; send 1 to \(Self.maxPromptsPerRequest)")
        }
        for (i, prompt) in prompts.enumerated() {
            do {
                try PromptText.validate(prompt)
            } catch let error as PromptError {
                throw RPCError(.invalidArgument, "prompt \(i): \(error)")
            }
        }
    }

    /// Checks one prompt of a larger batch (Fuse): its size and content, named by position.
    func validate(_ prompt: String, at i: Int) throws {
        do {
            try PromptText.validate(prompt)
        } catch let error as PromptError {
            throw RPCError(.invalidArgument, "prompt \(i): \(error)")
        }
    }

    /// One prompt's last-layer token states (`tokens × dimension`, [CLS] and [SEP] included) and
    /// its pooled embedding, through the cache: a repeated prompt costs no encoder pass.
    /// - Throws: `RPCError(.internal)` when the encoder fails or gives non-finite values.
    func tokenStates(_ text: String) throws -> TokenStates {
        let d = encoder.dimension
        if let cached = cache.tokenStates(encoder: encoder.name, text: text, dimension: d) {
            return cached
        }
        let computed: TokenStates
        do {
            guard let first = try encoder.tokenStates([text]).first else { throw RPCError(.internal, "no token states") }
            computed = first
        } catch {
            throw RPCError(.internal, "the encoder failed on a prompt: \(error)")
        }
        guard computed.count > 0, computed.dimension == d, computed.values.allSatisfy(\.isFinite), computed.pooled.allSatisfy(\.isFinite) else {
            throw RPCError(.internal, "the encoder produced no usable token states for a prompt")
        }
        cache.put(encoder: encoder.name, text: text, states: computed)
        return computed
    }

    /// Misses embedded per encoder call: between calls, a cancelled request stops.
    static let embedBatch = 8

    /// Embeddings (prompts × dimension) through the cache. The distinct misses go to the prompt
    /// batcher in chunks of `embedBatch`; between chunks the thread is given back when `slice` is
    /// due (see `ComputeSlice`) and a cancelled request stops (a waiting chunk leaves the queue).
    /// A prompt the encoder failed on gets a row of NaN.
    /// - Throws: `CancellationError` when the request's task is cancelled.
    func embed(_ prompts: [String], slice: inout ComputeSlice) async throws -> (embeddings: [Float], hits: [Bool]) {
        var lookup = lookUp(prompts)
        for start in stride(from: 0, to: lookup.missing.count, by: Self.embedBatch) {
            try await slice.yieldIfDue()
            let batch = Array(lookup.missing[start..<min(lookup.missing.count, start + Self.embedBatch)])
            let flat = try await batcher.submit(batch.map { prompts[$0] }, key: 0, rows: batch.count)
            lookup.fill(batch, from: flat, dimension: encoder.dimension)
        }
        return lookup.finish(prompts, dimension: encoder.dimension)
    }

    /// A request's prompts after the cache: rows found, and the first position of each distinct miss.
    struct Lookup {
        var rows: [[Float]?]
        var hits: [Bool]
        var missing: [Int]
        var firstIndex: [String: Int]

        /// Rows `positions` from `flat` (positions.count × d, or empty when the encoder failed).
        mutating func fill(_ positions: [Int], from flat: [Float], dimension d: Int) {
            guard flat.count == positions.count * d else { return }
            for (k, i) in positions.enumerated() { rows[i] = Array(flat[(k * d)..<((k + 1) * d)]) }
        }

        /// prompts × d floats: repeated prompts copy their first occurrence; NaN rows where the encoder failed.
        func finish(_ prompts: [String], dimension d: Int) -> (embeddings: [Float], hits: [Bool]) {
            var rows = rows
            for i in rows.indices where rows[i] == nil { rows[i] = firstIndex[prompts[i]].flatMap { rows[$0] } }
            return (rows.flatMap { $0 ?? [Float](repeating: .nan, count: d) }, hits)
        }
    }

    private func lookUp(_ prompts: [String]) -> Lookup {
        let rows = prompts.map { cache.get(encoder: encoder.name, text: $0) }
        // Each distinct missing prompt is embedded once.
        var firstIndex: [String: Int] = [:]
        var missing: [Int] = []
        for i in rows.indices where rows[i] == nil && firstIndex[prompts[i]] == nil {
            firstIndex[prompts[i]] = i
            missing.append(i)
        }
        return Lookup(rows: rows, hits: rows.map { $0 != nil }, missing: missing, firstIndex: firstIndex)
    }

    /// One encoder call over the distinct texts of `chunks` (a batch of concurrent requests'
    /// misses), each embedding cached; every chunk gets its rows (chunk × dimension), or an empty
    /// array when the encoder failed on it. `onBatch` is told the number of texts embedded.
    static func embedMisses(_ chunks: [[String]], encoder: any SentenceEncoder, cache: PromptCache,
                            onBatch: (Int) -> Void) -> [Result<[Float], any Error>] {
        let d = encoder.dimension
        var distinct: [String] = []
        var position: [String: Int] = [:]
        for text in chunks.joined() where position[text] == nil {
            position[text] = distinct.count
            distinct.append(text)
        }
        let flat = (try? encoder.embedFlat(distinct)) ?? []
        onBatch(distinct.count)
        guard flat.count == distinct.count * d else {
            // A failed joint call is retried chunk by chunk, so a bad text fails only its own request.
            return chunks.count == 1 ? [.success([])] : chunks.map { embedMisses([$0], encoder: encoder, cache: cache, onBatch: onBatch)[0] }
        }
        for (k, text) in distinct.enumerated() { cache.put(encoder: encoder.name, text: text, embedding: Array(flat[(k * d)..<((k + 1) * d)])) }
        if chunks.count == 1 && distinct.count == chunks[0].count { return [.success(flat)] }
        return chunks.map { chunk in .success(chunk.flatMap { flat[(position[$0]! * d)..<((position[$0]! + 1) * d)] }) }
    }
}
