// Recommend: history (and optionally a prompt) in, ranked items with titles and categories out.
import CSteerProto

public struct RecommendRequest: CBackedMessage, Equatable {
    /// Item ids, oldest first.
    public var history: [UInt32]
    /// Empty: no prompt, plain next-item recommendation.
    public var prompt: String
    /// `.unspecified`: the router decides; otherwise overrides it.
    public var polarity: Polarity
    public var k: UInt32
    /// false: items in the history are not recommended.
    public var includeHistory: Bool
    /// The stated path: every part with its polarity, applied refusals, requests, refusals again (``prompt`` then empty);
    /// each part's confidence and `steered` are ignored (a stated part is always applied).
    public var parts: [PromptPart]
    /// Also keep out of the ranking every category an applied refusal names and no applied request
    /// names ("no westerns": no item with Western); the response's parts list them.
    public var dropRefusedCategories: Bool

    public init(history: [UInt32], prompt: String = "", polarity: Polarity = .unspecified, k: UInt32 = 10,
                includeHistory: Bool = false, parts: [PromptPart] = [], dropRefusedCategories: Bool = false) {
        self.history = history
        self.prompt = prompt
        self.polarity = polarity
        self.k = k
        self.includeHistory = includeHistory
        self.parts = parts
        self.dropRefusedCategories = dropRefusedCategories
    }

    static let cType = CMessageType(steer__v1__recommend_request__init)

    init(reading m: Steer__V1__RecommendRequest) {
        self.init(history: m.history.map { swiftArray($0.pointee.item_ids, $0.pointee.n_item_ids) } ?? [],
                  prompt: swiftString(m.prompt), polarity: Polarity(m.polarity),
                  k: m.k, includeHistory: m.include_history != 0, parts: swiftMessages(m.parts, m.n_parts, PromptPart.init),
                  dropRefusedCategories: m.drop_refused_categories != 0)
    }

    func fill(_ m: inout Steer__V1__RecommendRequest, _ arena: CArena) {
        // An empty history is an absent one (both decode to []).
        if !history.isEmpty {
            m.history = arena.message(steer__v1__history__init) { h in (h.n_item_ids, h.item_ids) = arena.counted(history) }
        }
        m.prompt = arena.string(prompt)
        m.polarity = polarity.cValue
        m.k = k
        m.include_history = cBool(includeHistory)
        (m.n_parts, m.parts) = arena.parts(parts)
        m.drop_refused_categories = cBool(dropRefusedCategories)
    }
}

/// The ranked items, best first (equal scores in ascending item id), with what steered them.
public struct RecommendResponse: CBackedMessage, Equatable, Codable {
    public var itemIDs: [UInt32]
    /// Inner products of the (steered) user vector with each item.
    public var scores: [Float]
    /// The polarity used: the first steered part's; `.unspecified` when no prompt steered.
    public var polarity: Polarity
    /// The router's probability of ``polarity``; 1 when the request stated it; 0 when no prompt steered.
    public var routeConfidence: Float
    /// One per item; empty strings when the index has no titles.
    public var titles: [String]
    /// One per item: its category names joined with "|".
    public var categories: [String]
    /// How the prompt was read and applied, in order; empty without a prompt.
    public var parts: [PromptPart]

    public init(itemIDs: [UInt32], scores: [Float], polarity: Polarity = .unspecified, routeConfidence: Float = 0,
                titles: [String] = [], categories: [String] = [], parts: [PromptPart] = []) {
        self.itemIDs = itemIDs
        self.scores = scores
        self.polarity = polarity
        self.routeConfidence = routeConfidence
        self.titles = titles
        self.categories = categories
        self.parts = parts
    }

    // A newer daemon may send a newer polarity.
    static let cType = CMessageType(steer__v1__recommend_response__init, unknownEnums: .keep)

    init(reading m: Steer__V1__RecommendResponse) {
        self.init(itemIDs: swiftArray(m.item_ids, m.n_item_ids), scores: swiftArray(m.scores, m.n_scores),
                  polarity: Polarity(m.polarity), routeConfidence: m.route_confidence,
                  titles: swiftStrings(m.titles, m.n_titles), categories: swiftStrings(m.categories, m.n_categories),
                  parts: swiftMessages(m.parts, m.n_parts, PromptPart.init))
    }

    func fill(_ m: inout Steer__V1__RecommendResponse, _ arena: CArena) {
        (m.n_item_ids, m.item_ids) = arena.counted(itemIDs)
        (m.n_scores, m.scores) = arena.counted(scores)
        m.polarity = polarity.cValue
        m.route_confidence = routeConfidence
        (m.n_titles, m.titles) = arena.strings(titles)
        (m.n_categories, m.categories) = arena.strings(categories)
        (m.n_parts, m.parts) = arena.parts(parts)
    }
}
