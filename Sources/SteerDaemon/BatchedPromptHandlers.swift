// EmbedPrompt with its cache misses batched across concurrent requests.
import SteerTransport
import SteerWire

extension SteerService {
    /// EmbedPrompt (its only handler): checks the encoder name and the prompts, refuses an answer
    /// past the response-size bound, then looks the prompts up in the prompt cache and embeds the
    /// misses through the prompt batcher, so the distinct misses of concurrent requests share one
    /// encoder call.
    func embedPromptBatched(_ request: EmbedPromptRequest) async throws -> EmbedPromptResponse {
        guard let services = prompts, let batcher = batchers.prompts else {
            throw RPCError(.failedPrecondition, "no sentence encoder is loaded: \(promptProblem ?? "start steerd with --encoder DIR")")
        }
        guard request.encoder.isEmpty || request.encoder == services.encoder.name else {
            throw RPCError(.notFound, "encoder \"\(request.encoder.prefix(64))\" is not loaded; this steerd serves \(services.encoder.name)")
        }
        try services.validate(request.prompts)
        try admitResponse {
            // Embeddings, plus one cache-hit flag per prompt.
            try $0.admit(payloadBytes: ResponseBudget.floatRowsBytes(rows: request.prompts.count, dim: services.encoder.dimension)
                             + ResponseBudget.packedFieldOverhead + request.prompts.count,
                         "EmbedPrompt of \(request.prompts.count) prompts of dim \(services.encoder.dimension)",
                         advice: "send fewer prompts per request")
        }
        let (embeddings, hits) = try await services.embed(request.prompts, batcher: batcher)
        guard embeddings.allSatisfy(\.isFinite) else { throw RPCError(.internal, "the encoder produced no embedding for some prompt") }
        return EmbedPromptResponse(dim: UInt32(services.encoder.dimension), embeddings: embeddings, cacheHits: hits)
    }
}
