// EmbedPrompt: prompts in, sentence embeddings out, through the cache and the prompt batcher.
import SteerTransport
import SteerWire

extension SteerService {
    /// Checks the encoder name and the prompts, refuses an answer past the response-size bound,
    /// then embeds through the prompt cache; the misses go through the prompt batcher, so with
    /// batching on the distinct misses of concurrent requests share one encoder call.
    func embedPrompt(_ request: EmbedPromptRequest) async throws -> EmbedPromptResponse {
        guard let services = prompts else {
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
        var slice = ComputeSlice()
        let (embeddings, hits) = try await services.embed(request.prompts, slice: &slice)
        guard embeddings.allSatisfy(\.isFinite) else { throw RPCError(.internal, "the encoder produced no embedding for some prompt") }
        return EmbedPromptResponse(dim: UInt32(services.encoder.dimension), embeddings: embeddings, cacheHits: hits)
    }
}
