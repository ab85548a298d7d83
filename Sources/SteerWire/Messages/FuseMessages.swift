// Fuse: the DPR head steers user vectors with prompts (one fusion tower per polarity).
import CSteerProto

public struct FuseRequest: CBackedMessage, Equatable {
    /// Columns of ``userVectors``: the head's (and backbone's) dimension.
    public var dim: UInt32
    /// B × dim, row-major.
    public var userVectors: [Float]
    /// B × encoder dim sentence embeddings (pooled heads only); empty when ``prompts`` is given.
    public var promptEmbeddings: [Float]
    /// B polarities, one per row; `.unspecified` is refused.
    public var polarities: [Polarity]
    /// B prompt texts the daemon embeds itself (what a token-level head needs).
    public var prompts: [String]

    public init(dim: UInt32, userVectors: [Float], promptEmbeddings: [Float] = [], polarities: [Polarity],
                prompts: [String] = []) {
        self.dim = dim
        self.userVectors = userVectors
        self.promptEmbeddings = promptEmbeddings
        self.polarities = polarities
        self.prompts = prompts
    }

    static let cType = CMessageType(steer__v1__fuse_request__init)

    init(reading m: Steer__V1__FuseRequest) {
        self.init(dim: m.dim, userVectors: swiftArray(m.user_vectors, m.n_user_vectors),
                  promptEmbeddings: swiftArray(m.prompt_embeddings, m.n_prompt_embeddings),
                  polarities: swiftArray(m.polarities, m.n_polarities).map(Polarity.init),
                  prompts: swiftStrings(m.prompts, m.n_prompts))
    }

    func fill(_ m: inout Steer__V1__FuseRequest, _ arena: CArena) {
        m.dim = dim
        (m.n_user_vectors, m.user_vectors) = arena.counted(userVectors)
        (m.n_prompt_embeddings, m.prompt_embeddings) = arena.counted(promptEmbeddings)
        (m.n_polarities, m.polarities) = arena.counted(polarities.map(\.cValue))
        (m.n_prompts, m.prompts) = arena.strings(prompts)
    }
}

public struct FuseResponse: CBackedMessage, Equatable, Codable {
    public var dim: UInt32
    /// B × dim steered vectors, row-major: the queries Retrieve ranks items with.
    public var fused: [Float]

    public init(dim: UInt32, fused: [Float]) {
        self.dim = dim
        self.fused = fused
    }

    static let cType = CMessageType(steer__v1__fuse_response__init)

    init(reading m: Steer__V1__FuseResponse) { self.init(dim: m.dim, fused: swiftArray(m.fused, m.n_fused)) }

    func fill(_ m: inout Steer__V1__FuseResponse, _ arena: CArena) {
        m.dim = dim
        (m.n_fused, m.fused) = arena.counted(fused)
    }
}
