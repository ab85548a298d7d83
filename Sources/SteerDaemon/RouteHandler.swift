// Route: the polarity of prompts, and how each reads part by part.
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
        var results: [RouteResult] = []
        for (i, text) in request.prompts.enumerated() {
            var result: RouteResult
            do {
                // The router reads token states: one encoder pass per prompt not yet cached.
                let decision = try router.route(states: services.tokenStates(text), text: text)
                result = RouteResult(polarity: decision.polarity == .positive ? .positive : .negative, confidence: Float(decision.confidence))
            } catch let error as PromptError {
                throw RPCError(.invalidArgument, "prompt \(i): \(error)")
            }
            try await slice.yieldIfDue()   // reading a prompt of several clauses embeds each: take turns between prompts
            result.parts = try routedParts(text, result: result, services: services)
            results.append(result)
        }
        return RouteResponse(results: results)
    }
}
