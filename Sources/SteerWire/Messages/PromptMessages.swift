// EmbedPrompt and Route: the prompt's sentence embedding and its polarity.
import CSteerProto

/// Whether a prompt asks for something or rules something out.
public enum Polarity: UInt32, Sendable, Codable, CustomStringConvertible {
    case unspecified = 0
    case positive = 1
    case negative = 2

    public var description: String {
        switch self {
        case .unspecified: "unspecified"
        case .positive: "positive"
        case .negative: "negative"
        }
    }

    // JSON carries the name ("positive"), not the wire number.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let value = [Polarity.unspecified, .positive, .negative].first(where: { $0.description == name }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown polarity \(name)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// A value this build does not name (from a newer peer) reads as `.unspecified`.
    init(_ c: Steer__V1__Polarity) { self = Polarity(rawValue: c.rawValue) ?? .unspecified }

    var cValue: Steer__V1__Polarity { Steer__V1__Polarity(rawValue: rawValue) }
}

public struct EmbedPromptRequest: CBackedMessage, Equatable {
    public var prompts: [String]
    /// Empty: the daemon's configured encoder.
    public var encoder: String

    public init(prompts: [String], encoder: String = "") {
        self.prompts = prompts
        self.encoder = encoder
    }

    static let cType = CMessageType(steer__v1__embed_prompt_request__init)

    init(reading m: Steer__V1__EmbedPromptRequest) {
        self.init(prompts: swiftStrings(m.prompts, m.n_prompts), encoder: swiftString(m.encoder))
    }

    func fill(_ m: inout Steer__V1__EmbedPromptRequest, _ arena: CArena) {
        (m.n_prompts, m.prompts) = arena.strings(prompts)
        m.encoder = arena.string(encoder)
    }
}

public struct EmbedPromptResponse: CBackedMessage, Equatable, Codable {
    public var dim: UInt32
    /// prompts × dim, row-major, unit length.
    public var embeddings: [Float]
    public var cacheHits: [Bool]

    public init(dim: UInt32, embeddings: [Float], cacheHits: [Bool]) {
        self.dim = dim
        self.embeddings = embeddings
        self.cacheHits = cacheHits
    }

    static let cType = CMessageType(steer__v1__embed_prompt_response__init)

    init(reading m: Steer__V1__EmbedPromptResponse) {
        self.init(dim: m.dim, embeddings: swiftArray(m.embeddings, m.n_embeddings),
                  cacheHits: swiftArray(m.cache_hits, m.n_cache_hits).map { $0 != 0 })
    }

    func fill(_ m: inout Steer__V1__EmbedPromptResponse, _ arena: CArena) {
        m.dim = dim
        (m.n_embeddings, m.embeddings) = arena.counted(embeddings)
        (m.n_cache_hits, m.cache_hits) = arena.counted(cacheHits.map(cBool))
    }
}

public struct RouteRequest: CBackedMessage, Equatable {
    public var prompts: [String]

    public init(prompts: [String]) { self.prompts = prompts }

    static let cType = CMessageType(steer__v1__route_request__init)

    init(reading m: Steer__V1__RouteRequest) {
        self.init(prompts: swiftStrings(m.prompts, m.n_prompts))
    }

    func fill(_ m: inout Steer__V1__RouteRequest, _ arena: CArena) {
        (m.n_prompts, m.prompts) = arena.strings(prompts)
    }
}

/// One request inside a prompt ("a comedy, but please no romance" holds two), and whether it was applied.
public struct PromptPart: Sendable, Equatable, Codable {
    /// The part as written.
    public var text: String
    public var polarity: Polarity
    /// The router's probability of ``polarity``, 0.5 … 1; 1 when the client stated it.
    public var confidence: Float
    /// false: too unsure to apply, so the part did not move the user vector (Route: would not).
    public var steered: Bool
    /// Recommend with `dropRefusedCategories`: the categories this refusal names that were kept out of the ranking.
    public var droppedCategories: [String]

    public init(text: String, polarity: Polarity, confidence: Float = 1, steered: Bool = true, droppedCategories: [String] = []) {
        self.text = text
        self.polarity = polarity
        self.confidence = confidence
        self.steered = steered
        self.droppedCategories = droppedCategories
    }

    init(_ c: Steer__V1__PromptPart) {
        self.init(text: swiftString(c.text), polarity: Polarity(c.polarity), confidence: c.confidence, steered: c.steered != 0,
                  droppedCategories: swiftStrings(c.dropped_categories, c.n_dropped_categories))
    }
}

extension CArena {
    /// A repeated `PromptPart` field's count and array.
    func parts(_ parts: [PromptPart]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<Steer__V1__PromptPart>?>?) {
        messages(parts, steer__v1__prompt_part__init) { m, part in
            m.text = string(part.text)
            m.polarity = part.polarity.cValue
            m.confidence = part.confidence
            m.steered = cBool(part.steered)
            (m.n_dropped_categories, m.dropped_categories) = strings(part.droppedCategories)
        }
    }
}

public struct RouteResult: Sendable, Equatable, Codable {
    public var polarity: Polarity
    /// Probability of the chosen polarity, 0.5 … 1.
    public var confidence: Float
    /// How the prompt was read, in order; one part is the whole prompt with ``polarity`` and ``confidence``.
    public var parts: [PromptPart]

    public init(polarity: Polarity, confidence: Float, parts: [PromptPart] = []) {
        self.polarity = polarity
        self.confidence = confidence
        self.parts = parts
    }
}

public struct RouteResponse: CBackedMessage, Equatable, Codable {
    public var results: [RouteResult]

    public init(results: [RouteResult]) { self.results = results }

    // A newer daemon may send a newer polarity.
    static let cType = CMessageType(steer__v1__route_response__init, unknownEnums: .keep)

    init(reading m: Steer__V1__RouteResponse) {
        self.init(results: swiftMessages(m.results, m.n_results) { r in
            RouteResult(polarity: Polarity(r.polarity), confidence: r.confidence, parts: swiftMessages(r.parts, r.n_parts, PromptPart.init))
        })
    }

    func fill(_ m: inout Steer__V1__RouteResponse, _ arena: CArena) {
        (m.n_results, m.results) = arena.messages(results, steer__v1__route_result__init) { r, result in
            r.polarity = result.polarity.cValue
            r.confidence = result.confidence
            (r.n_parts, r.parts) = arena.parts(result.parts)
        }
    }
}
