// Recommend: history (and optionally a prompt) in, ranked items with titles and categories out.
import CSteerProto

public struct RecommendRequest: WireMessage, Equatable {
    /// Item ids, oldest first.
    public var history: [UInt32]
    /// Empty: no prompt, plain next-item recommendation.
    public var prompt: String
    /// `.unspecified`: the router decides; otherwise overrides it.
    public var polarity: Polarity
    public var k: UInt32
    /// false: items in the history are not recommended.
    public var includeHistory: Bool

    public init(history: [UInt32], prompt: String = "", polarity: Polarity = .unspecified, k: UInt32 = 10,
                includeHistory: Bool = false) {
        self.history = history
        self.prompt = prompt
        self.polarity = polarity
        self.k = k
        self.includeHistory = includeHistory
    }

    public init(decoding bytes: [UInt8]) throws {
        self = try unpackMessage(bytes, as: "RecommendRequest", unpack: steer__v1__recommend_request__unpack,
                                 free: steer__v1__recommend_request__free_unpacked) { m in
            RecommendRequest(history: m.history.map { swiftArray($0.pointee.item_ids, $0.pointee.n_item_ids) } ?? [],
                             prompt: swiftString(m.prompt), polarity: Polarity(rawValue: m.polarity.rawValue) ?? .unspecified,
                             k: m.k, includeHistory: m.include_history != 0)
        }
    }

    public func encoded() -> [UInt8] {
        let arena = CArena()
        var m = Steer__V1__RecommendRequest()
        steer__v1__recommend_request__init(&m)
        // An empty history is an absent one (both decode to []).
        if !history.isEmpty {
            var h = Steer__V1__History()
            steer__v1__history__init(&h)
            h.n_item_ids = history.count
            h.item_ids = arena.array(history)
            m.history = arena.message(h)
        }
        m.prompt = arena.string(prompt)
        m.polarity = Steer__V1__Polarity(rawValue: polarity.rawValue)
        m.k = k
        m.include_history = cBool(includeHistory)
        return packMessage(&m)
    }
}

/// The ranked items, best first (equal scores in ascending item id), with what steered them.
public struct RecommendResponse: WireMessage, Equatable, Codable {
    public var itemIDs: [UInt32]
    /// Inner products of the (steered) user vector with each item.
    public var scores: [Float]
    /// The polarity used; `.unspecified` when there was no prompt.
    public var polarity: Polarity
    /// The router's probability of ``polarity``; 1 when the request stated it.
    public var routeConfidence: Float
    /// One per item; empty strings when the index has no titles.
    public var titles: [String]
    /// One per item: its category names joined with "|".
    public var categories: [String]

    public init(itemIDs: [UInt32], scores: [Float], polarity: Polarity = .unspecified, routeConfidence: Float = 0,
                titles: [String] = [], categories: [String] = []) {
        self.itemIDs = itemIDs
        self.scores = scores
        self.polarity = polarity
        self.routeConfidence = routeConfidence
        self.titles = titles
        self.categories = categories
    }

    public init(decoding bytes: [UInt8]) throws {
        self = try unpackMessage(bytes, as: "RecommendResponse", unpack: steer__v1__recommend_response__unpack,
                                 free: steer__v1__recommend_response__free_unpacked,
                                 unknownEnums: .keep) { m in  // a newer daemon may send a newer polarity
            RecommendResponse(itemIDs: swiftArray(m.item_ids, m.n_item_ids), scores: swiftArray(m.scores, m.n_scores),
                              polarity: Polarity(rawValue: m.polarity.rawValue) ?? .unspecified, routeConfidence: m.route_confidence,
                              titles: swiftArray(m.titles, m.n_titles).map { swiftString($0) },
                              categories: swiftArray(m.categories, m.n_categories).map { swiftString($0) })
        }
    }

    public func encoded() -> [UInt8] {
        let arena = CArena()
        let cTitles: [UnsafeMutablePointer<CChar>?] = titles.map { arena.string($0) }
        let cCategories: [UnsafeMutablePointer<CChar>?] = categories.map { arena.string($0) }
        var m = Steer__V1__RecommendResponse()
        steer__v1__recommend_response__init(&m)
        m.n_item_ids = itemIDs.count
        m.item_ids = arena.array(itemIDs)
        m.n_scores = scores.count
        m.scores = arena.array(scores)
        m.polarity = Steer__V1__Polarity(rawValue: polarity.rawValue)
        m.route_confidence = routeConfidence
        m.n_titles = cTitles.count
        m.titles = arena.array(cTitles)
        m.n_categories = cCategories.count
        m.categories = arena.array(cCategories)
        return packMessage(&m)
    }
}
