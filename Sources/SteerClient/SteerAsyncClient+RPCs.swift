// Typed calls of every RPC on the async client: `call` with the method and response type filled in.
import SteerWire

extension SteerAsyncClient {
    // Each throws `RPCError` for a status other than OK, otherwise as `response(_:payload:deadline:timeout:)`;
    // `deadline` and `timeout` mean what they mean there.

    public func health(deadline: Duration? = defaultDeadline, timeout: Duration? = nil) async throws -> HealthResponse {
        try await call(.health, HealthRequest(), as: HealthResponse.self, deadline: deadline, timeout: timeout)
    }

    /// Sentence embeddings of `prompts` (`encoder` empty: steerd's loaded encoder).
    public func embedPrompt(_ prompts: [String], encoder: String = "", deadline: Duration? = defaultDeadline,
                            timeout: Duration? = nil) async throws -> EmbedPromptResponse {
        try await call(.embedPrompt, EmbedPromptRequest(prompts: prompts, encoder: encoder), as: EmbedPromptResponse.self,
                       deadline: deadline, timeout: timeout)
    }

    /// The router's polarity of each prompt.
    public func route(_ prompts: [String], deadline: Duration? = defaultDeadline, timeout: Duration? = nil) async throws -> RouteResponse {
        try await call(.route, RouteRequest(prompts: prompts), as: RouteResponse.self, deadline: deadline, timeout: timeout)
    }

    /// User vectors of `histories` from the active backbone.
    public func encodeHistory(_ histories: [[UInt32]], deadline: Duration? = defaultDeadline,
                              timeout: Duration? = nil) async throws -> EncodeHistoryResponse {
        try await call(.encodeHistory, EncodeHistoryRequest(histories: histories), as: EncodeHistoryResponse.self,
                       deadline: deadline, timeout: timeout)
    }

    public func fuse(_ request: FuseRequest, deadline: Duration? = defaultDeadline, timeout: Duration? = nil) async throws -> FuseResponse {
        try await call(.fuse, request, as: FuseResponse.self, deadline: deadline, timeout: timeout)
    }

    public func retrieve(_ request: RetrieveRequest, deadline: Duration? = defaultDeadline,
                         timeout: Duration? = nil) async throws -> RetrieveResponse {
        try await call(.retrieve, request, as: RetrieveResponse.self, deadline: deadline, timeout: timeout)
    }

    public func recommend(_ request: RecommendRequest, deadline: Duration? = defaultDeadline,
                          timeout: Duration? = nil) async throws -> RecommendResponse {
        try await call(.recommend, request, as: RecommendResponse.self, deadline: deadline, timeout: timeout)
    }

    public func listBackbones(deadline: Duration? = defaultDeadline, timeout: Duration? = nil) async throws -> ListBackbonesResponse {
        try await call(.listBackbones, ListBackbonesRequest(), as: ListBackbonesResponse.self, deadline: deadline, timeout: timeout)
    }

    /// Loads plugin `name`, with `checkpoint` (a file name in steerd's snapshot directory) when
    /// not empty, and makes it the active backbone.
    public func loadBackbone(name: String, checkpoint: String = "", deadline: Duration? = defaultDeadline,
                             timeout: Duration? = nil) async throws -> LoadBackboneResponse {
        try await call(.loadBackbone, LoadBackboneRequest(name: name, checkpoint: checkpoint), as: LoadBackboneResponse.self,
                       deadline: deadline, timeout: timeout)
    }

    /// Saves steerd's state as `name`; an existing name is refused unless `overwrite` (which
    /// replaces a state snapshot only, never another kind of file).
    public func saveSnapshot(name: String, overwrite: Bool = false, deadline: Duration? = defaultDeadline,
                             timeout: Duration? = nil) async throws -> SaveSnapshotResponse {
        try await call(.saveSnapshot, SaveSnapshotRequest(name: name, overwrite: overwrite), as: SaveSnapshotResponse.self,
                       deadline: deadline, timeout: timeout)
    }

    public func loadSnapshot(name: String, deadline: Duration? = defaultDeadline, timeout: Duration? = nil) async throws -> LoadSnapshotResponse {
        try await call(.loadSnapshot, LoadSnapshotRequest(name: name), as: LoadSnapshotResponse.self, deadline: deadline, timeout: timeout)
    }

    public func stats(deadline: Duration? = defaultDeadline, timeout: Duration? = nil) async throws -> StatsResponse {
        try await call(.stats, StatsRequest(), as: StatsResponse.self, deadline: deadline, timeout: timeout)
    }
}
