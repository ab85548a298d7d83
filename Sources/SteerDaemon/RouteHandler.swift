// Route: the polarity of prompts.
import SteerPrompt
import SteerTransport
import SteerWire

extension SteerService {
    func promptServices() throws -> PromptServices {
        guard let prompts else {
            throw RPCError(.failedPrecondition, "no sentence encoder is loaded: \(promptProblem ?? "start steerd with --encoder DIR")")
        }
        return prompts
    }

    func route(_ request: RouteRequest) async throws -> RouteResponse {
        let services = try promptServices()
        guard let router = services.router else {
            throw RPCError(.failedPrecondition, "Route is unavailable: \(services.routerProblem ?? "no router")")
        }
        try services.validate(request.prompts)
        var slice = ComputeSlice()
        let (embeddings, _) = try await services.embed(request.prompts, slice: &slice)
        let d = services.encoder.dimension
        return RouteResponse(results: try request.prompts.enumerated().map { i, text in
            do {
                let decision = try router.route(embedding: Array(embeddings[(i * d)..<((i + 1) * d)]), text: text)
                return RouteResult(polarity: decision.polarity == .positive ? .positive : .negative, confidence: Float(decision.confidence))
            } catch let error as PromptError {
                throw RPCError(.invalidArgument, "prompt \(i): \(error)")
            }
        })
    }
}
