// Routes each request to its RPC, enforces the deadline, and turns errors into statuses.
import NIOCore
import SteerSync
import SteerWire
#if canImport(Glibc)
import Glibc
#endif

/// Answers each request envelope with exactly one response envelope; never throws.
///
/// The work runs in a task of its own, which `handle` returns: cancel it when the client goes
/// away. A request with a deadline is answered DEADLINE_EXCEEDED when the deadline comes, whether
/// or not the work is done, and the work is cancelled. The deadline fires on the connection's
/// event loop, never on the threads that run the work: CPU-bound work (the sentence encoder uses
/// every core) would otherwise hold the answer back until it yields. For the same reason heavy
/// methods run on a `ComputeExecutor` and light ones (Health, Stats) do not wait behind them.
/// Handlers check for cancellation between their phases, so cancelled work stops at the next one.
/// A response larger than the response-size bound is replaced by RESOURCE_EXHAUSTED (`ResponseBudget`).
public final class Dispatcher: Sendable {
    private let service: any RPCService
    private let stats: DaemonStats
    /// Requests with work in a task, for shutdown to answer UNAVAILABLE when its grace period ends.
    let openRequests = OpenRequests()

    /// Request tasks that have not ended, answered or not (cancelled work runs to its next check).
    public var tasksRunning: Int { openRequests.count }

    /// One day, in microseconds.
    static let longestTimedDeadlineMicros: UInt64 = 86_400_000_000

    /// Where every method but the light ones runs (see `ComputeExecutor`).
    private let compute = ComputeExecutor.shared

    /// Methods that answer from memory in microseconds; they stay on the default executor.
    static func isLight(_ method: Method) -> Bool {
        switch method {
        case .health, .stats, .listBackbones: true
        default: false
        }
    }

    /// A lane of its own on the compute pool, for one connection's requests.
    func newLane() -> ComputeLane { compute.lane() }

    /// The largest response this daemon sends (see `ResponseBudget`).
    private let budget: ResponseBudget

    public init(service: any RPCService, stats: DaemonStats) {
        self.service = service
        self.stats = stats
        self.budget = service.responseBudget
    }

    /// Starts `request` and calls `respond` once with its answer: from any thread once this returns,
    /// and before it returns only on the caller's own thread (a request answered at once).
    /// - Parameters:
    ///   - loop: where the deadline timer runs (the connection's event loop).
    ///   - lane: the connection's lane on the compute pool (see `ComputeExecutor`); nil: the pool's own.
    /// - Returns: the task doing the work, or nil when the request was answered at once; cancelling
    ///   the task cancels the work (its answer is then CANCELLED).
    @discardableResult
    public func handle(_ request: RequestEnvelope, on loop: any EventLoop, lane: ComputeLane? = nil,
                       respond: @escaping @Sendable (ResponseEnvelope) -> Void) -> Task<Void, Never>? {
        let answer = Answer(request: request, stats: stats, respond: respond)
        guard let method = request.method else {
            stats.recordUnknownMethod()
            answer.give(.failure(id: request.id, RPCError(.unimplemented,
                "unknown method number \(request.methodNumber): this steerd serves steer.v1 methods 1 to \(Method.allCases.count)")))
            return nil
        }
        let deadline = request.deadlineUnixMicros
        let now = Self.nowUnixMicros()
        if deadline != 0, now >= deadline {
            answer.give(.failure(id: request.id, RPCError(.deadlineExceeded, "\(method): the deadline had passed before the request started")))
            return nil
        }
        let service = self.service
        let budget = self.budget
        let stats = self.stats
        // A request whose answer is already at hand (a Recommend with its user vector and prompt
        // cached) is answered here, on the event loop that read it: a hop to a compute thread and
        // back would cost two thread wake-ups, more than the work itself.
        let work: @Sendable () async throws -> [UInt8]
        switch service.startInline(method, payload: request.payload) {
        case .answered(let result):
            answer.give(Self.response(to: request, method: method, result, budget: budget, stats: stats))
            return nil
        case .deferred(let rest):
            work = rest
        case nil:
            work = { try await service.serve(method, payload: request.payload) }
        }
        let timer = Locked<Scheduled<Void>?>(nil)
        // The task's key in `openRequests`, and whether the task has ended (whichever of the two
        // is set second removes the task from `openRequests`).
        let registration = Locked<(key: UInt64?, ended: Bool)>((nil, false))
        let openRequests = self.openRequests
        let heavy: (any TaskExecutor)? = Self.isLight(method) ? nil : (lane.map { $0 as any TaskExecutor } ?? compute)
        let task = Task(executorPreference: heavy) {
            let result: Result<[UInt8], any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            timer.withLock { $0 }?.cancel()
            answer.give(Self.response(to: request, method: method, result, budget: budget, stats: stats))
            if let key = registration.withLock({ r in r.ended = true; return r.key }) { openRequests.remove(key) }
        }
        // Shutdown answers what is still open when its grace period ends, and cancels the work.
        let key = openRequests.register { error in
            if answer.give(.failure(id: request.id, error)) { task.cancel() }
        }
        if registration.withLock({ r in r.key = key; return r.ended }) { openRequests.remove(key) }
        // A deadline more than a day away gets no timer (a client may send any 64-bit value); the
        // work's own check after it finishes still applies.
        if deadline != 0, deadline - now <= Self.longestTimedDeadlineMicros {
            let scheduled = loop.scheduleTask(in: .microseconds(Int64(deadline - now))) {
                if answer.give(.failure(id: request.id, RPCError(.deadlineExceeded,
                    "\(method): the deadline passed while it was being worked on; the work was cancelled"))) {
                    task.cancel()
                }
            }
            timer.withLock { $0 = scheduled }
            if answer.isGiven { scheduled.cancel() }   // the work finished before the timer was stored
        }
        return task
    }

    /// The response envelope for the outcome of `request`'s work.
    private static func response(to request: RequestEnvelope, method: Method, _ result: Result<[UInt8], any Error>,
                                 budget: ResponseBudget, stats: DaemonStats) -> ResponseEnvelope {
        let deadline = request.deadlineUnixMicros
        switch result {
        case .success(let payload):
            if deadline != 0, nowUnixMicros() > deadline {
                return .failure(id: request.id, RPCError(.deadlineExceeded, "\(method): finished after the deadline"))
            }
            if let refusal = budget.refusal(of: method, payloadBytes: payload.count) {
                stats.recordOversizedResponse()
                return .failure(id: request.id, refusal)
            }
            return ResponseEnvelope(id: request.id, status: .ok, payload: payload)
        case .failure(let error as RPCError):
            return .failure(id: request.id, error)
        case .failure(is CancellationError):
            return .failure(id: request.id, RPCError(.cancelled, "\(method): cancelled"))
        case .failure(let error):
            return .failure(id: request.id, RPCError(.internal, "\(method): \(error)"))
        }
    }

    /// One request's answer: given once (by the work or by its deadline, whichever comes first),
    /// recorded in the statistics with the time since the request started.
    private final class Answer: Sendable {
        private let method: Method?
        private let started = ContinuousClock.now
        private let stats: DaemonStats
        private let respond: @Sendable (ResponseEnvelope) -> Void
        private let given = Locked(false)

        init(request: RequestEnvelope, stats: DaemonStats, respond: @escaping @Sendable (ResponseEnvelope) -> Void) {
            method = request.method
            self.stats = stats
            self.respond = respond
        }

        var isGiven: Bool { given.withLock { $0 } }

        /// Sends `response` unless an answer was given already; true if this one went out.
        @discardableResult
        func give(_ response: ResponseEnvelope) -> Bool {
            let first = given.withLock { given in defer { given = true }; return !given }
            guard first else { return false }
            if let method {
                let elapsed = ContinuousClock.now - started
                let micros = UInt64(max(0, elapsed.components.seconds) * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000)
                stats.record(method, status: response.status, micros: micros)
            }
            respond(response)
            return true
        }
    }

    static func nowUnixMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000
    }
}
