// Retrieve: exact top-K over the loaded item index, with per-query filters.
import SteerIndex
import SteerWire

extension SteerService {
    /// Request bounds: nothing a client sends may make the daemon allocate without limit.
    static let maxRetrieveQueries = 4_096
    static let maxRetrieveK = 10_000

    /// `retrieve` after the response-size check, which refuses queries × k past the bound before any scoring.
    func admitAndRetrieve(_ request: RetrieveRequest) throws -> RetrieveResponse {
        try admitResponse { try $0.admitRetrieve(queries: request.queries.count, k: Int(request.k), itemCount: index?.count ?? 0) }
        return try retrieve(request)
    }

    func retrieve(_ request: RetrieveRequest) throws -> RetrieveResponse {
        guard let index else {
            throw RPCError(.failedPrecondition, "no item index is loaded: start steerd with --index PATH or call LoadSnapshot")
        }
        guard !request.queries.isEmpty else { throw RPCError(.invalidArgument, "Retrieve needs at least one query") }
        guard request.queries.count <= Self.maxRetrieveQueries else {
            throw RPCError(.invalidArgument, "\(request.queries.count) queries in one Retrieve; at most \(Self.maxRetrieveQueries)")
        }
        guard request.k >= 1, request.k <= Self.maxRetrieveK else {
            throw RPCError(.invalidArgument, "k = \(request.k); it must be in 1...\(Self.maxRetrieveK)")
        }
        let queries = request.queries.map {
            RetrievalQuery(vector: $0.vector, excludeItems: $0.excludeItems,
                           requireCategories: $0.requireCategories, excludeCategories: $0.excludeCategories)
        }
        let ranked: [[ScoredItem]]
        do {
            ranked = try index.retrieve(queries, k: Int(request.k))
        } catch let error as ItemIndexError {
            throw RPCError(.invalidArgument, error.description)
        }
        return RetrieveResponse(results: ranked.map { items in
            RetrieveResult(itemIDs: items.map(\.item), scores: items.map(\.score))
        })
    }
}
