// Retrieve: exact top-K inner-product search over the item index, with filters.
import CSteerProto

/// One query vector and its filters.
public struct RetrieveQuery: Sendable, Equatable {
    public var vector: [Float]
    /// Items never returned (e.g. the user's history).
    public var excludeItems: [UInt32]
    /// Keep only items having at least one of these categories; empty keeps all.
    public var requireCategories: [UInt32]
    /// Drop items having any of these categories.
    public var excludeCategories: [UInt32]

    public init(vector: [Float], excludeItems: [UInt32] = [], requireCategories: [UInt32] = [],
                excludeCategories: [UInt32] = []) {
        self.vector = vector
        self.excludeItems = excludeItems
        self.requireCategories = requireCategories
        self.excludeCategories = excludeCategories
    }
}

public struct RetrieveRequest: CBackedMessage, Equatable {
    public var k: UInt32
    public var queries: [RetrieveQuery]

    public init(k: UInt32, queries: [RetrieveQuery]) {
        self.k = k
        self.queries = queries
    }

    static let cType = CMessageType(steer__v1__retrieve_request__init)

    init(reading m: Steer__V1__RetrieveRequest) {
        self.init(k: m.k, queries: swiftMessages(m.queries, m.n_queries) { q in
            RetrieveQuery(vector: swiftArray(q.vector, q.n_vector),
                          excludeItems: swiftArray(q.exclude_items, q.n_exclude_items),
                          requireCategories: swiftArray(q.require_categories, q.n_require_categories),
                          excludeCategories: swiftArray(q.exclude_categories, q.n_exclude_categories))
        })
    }

    func fill(_ m: inout Steer__V1__RetrieveRequest, _ arena: CArena) {
        m.k = k
        (m.n_queries, m.queries) = arena.messages(queries, steer__v1__retrieve_query__init) { q, query in
            (q.n_vector, q.vector) = arena.counted(query.vector)
            (q.n_exclude_items, q.exclude_items) = arena.counted(query.excludeItems)
            (q.n_require_categories, q.require_categories) = arena.counted(query.requireCategories)
            (q.n_exclude_categories, q.exclude_categories) = arena.counted(query.excludeCategories)
        }
    }
}

/// The ranked items for one query: best first, equal scores in ascending item id.
public struct RetrieveResult: Sendable, Equatable, Codable {
    public var itemIDs: [UInt32]
    public var scores: [Float]

    public init(itemIDs: [UInt32], scores: [Float]) {
        self.itemIDs = itemIDs
        self.scores = scores
    }
}

public struct RetrieveResponse: CBackedMessage, Equatable, Codable {
    public var results: [RetrieveResult]

    public init(results: [RetrieveResult]) { self.results = results }

    static let cType = CMessageType(steer__v1__retrieve_response__init)

    init(reading m: Steer__V1__RetrieveResponse) {
        self.init(results: swiftMessages(m.results, m.n_results) { r in
            RetrieveResult(itemIDs: swiftArray(r.item_ids, r.n_item_ids), scores: swiftArray(r.scores, r.n_scores))
        })
    }

    func fill(_ m: inout Steer__V1__RetrieveResponse, _ arena: CArena) {
        (m.n_results, m.results) = arena.messages(results, steer__v1__retrieve_result__init) { r, result in
            (r.n_item_ids, r.item_ids) = arena.counted(result.itemIDs)
            (r.n_scores, r.scores) = arena.counted(result.scores)
        }
    }
}
