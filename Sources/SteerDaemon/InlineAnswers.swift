// Requests answered on the event loop that read them, when their answer is already at hand.
import SteerTransport
import SteerWire

extension SteerService {
    /// Multiply-adds of scoring (queries × items × dimension) a Recommend or Retrieve may do on the
    /// event loop (about 1 M, some 50–100 µs); more would hold the loop's other connections up, so
    /// it goes to a compute thread like any work.
    static let inlineScoringBudget = 1 << 20

    /// Starts the requests that may be answered without leaving the caller's thread; nil for the
    /// others (`serve` runs them).
    ///
    /// Health reads a few fields: answered here, it costs no thread hop, and a liveness probe is
    /// answered by the event loop itself, so it says the loop is alive.
    ///
    /// A Recommend whose user vector and prompt are cached needs only the head's tower and one
    /// top-K (tens of microseconds for an index within `inlineScoringBudget`), less than the two
    /// thread wake-ups of a hop to a compute thread and back. Its checks and cache lookups are done
    /// once; a plan with work left carries them to the compute thread. Not with batching on: a
    /// batched ranking waits for batch-mates.
    ///
    /// A Retrieve within `inlineScoringBudget` (one query over ML-1M's 3,706 × 64 items is a quarter
    /// of it) is answered here for the same reason; a larger one is decoded once and deferred.
    public func startInline(_ method: Method, payload: [UInt8]) -> InlineStart? {
        switch method {
        case .health:
            return .answered(Result { try health(HealthRequest(decoding: payload)).encoded() })
        case .recommend:
            guard batchers.ranking.maxBatchSize == 1 else { return nil }
            let plan: RecommendPlan
            do {
                plan = try planRecommend(RecommendRequest(decoding: payload))
            } catch {
                return .answered(.failure(error))
            }
            guard plan.isReady, plan.index.count * plan.index.dimension <= Self.inlineScoringBudget else {
                return .deferred { try await self.recommend(plan).encoded() }
            }
            return .answered(Result { try self.recommendNow(plan).encoded() })
        case .retrieve:
            let request: RetrieveRequest
            do {
                request = try RetrieveRequest(decoding: payload)
            } catch {
                return .answered(.failure(error))
            }
            let items = index.map { $0.count * $0.dimension } ?? 0
            guard request.queries.count * items <= Self.inlineScoringBudget else {
                return .deferred { try self.admitAndRetrieve(request).encoded() }
            }
            return .answered(Result { try self.admitAndRetrieve(request).encoded() })
        default:
            return nil
        }
    }
}
