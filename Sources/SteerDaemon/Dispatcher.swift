// Routes each request to its RPC, enforces the deadline, and turns errors into statuses.
import SteerWire
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Answers one request envelope with one response envelope; never throws.
///
/// The work runs in its own task. A request with a deadline is answered DEADLINE_EXCEEDED when
/// the deadline comes, whether or not the work is done, and the work is cancelled; cancelling
/// the task that called `handle` (the client went away) cancels the work too. Handlers check
/// for cancellation between their phases, so cancelled work stops at the next one.
public final class Dispatcher: Sendable {
    private let service: SteerService
    private let stats: DaemonStats

    public init(service: SteerService, stats: DaemonStats) {
        self.service = service
        self.stats = stats
    }

    public func handle(_ request: RequestEnvelope) async -> ResponseEnvelope {
        guard let method = request.method else {
            stats.recordUnknownMethod()
            return .failure(id: request.id, RPCError(.unimplemented,
                "unknown method number \(request.methodNumber): this steerd serves steer.v1 methods 1 to \(Method.allCases.count)"))
        }
        let started = ContinuousClock.now
        let deadline = request.deadlineUnixMicros
        let response: ResponseEnvelope
        if deadline != 0, Self.nowUnixMicros() >= deadline {
            response = .failure(id: request.id, RPCError(.deadlineExceeded, "\(method): the deadline had passed before the request started"))
        } else {
            switch await run(method, payload: request.payload, deadline: deadline) {
            case .deadline:
                response = .failure(id: request.id, RPCError(.deadlineExceeded, "\(method): the deadline passed while it was being worked on; the work was cancelled"))
            case .finished(.success(let payload)):
                if deadline != 0, Self.nowUnixMicros() > deadline {
                    response = .failure(id: request.id, RPCError(.deadlineExceeded, "\(method): finished after the deadline"))
                } else {
                    response = ResponseEnvelope(id: request.id, status: .ok, payload: payload)
                }
            case .finished(.failure(let error as RPCError)):
                response = .failure(id: request.id, error)
            case .finished(.failure(is CancellationError)):
                response = .failure(id: request.id, RPCError(.cancelled, "\(method): cancelled"))
            case .finished(.failure(let error)):
                response = .failure(id: request.id, RPCError(.internal, "\(method): \(error)"))
            }
        }
        let elapsed = ContinuousClock.now - started
        let micros = UInt64(max(0, elapsed.components.seconds) * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000)
        stats.record(method, status: response.status, micros: micros)
        return response
    }

    private enum Outcome: Sendable {
        case finished(Result<[UInt8], any Error>)
        case deadline
    }

    /// Runs the RPC; with a deadline (0: none), in a task of its own raced against it.
    private func run(_ method: Method, payload: [UInt8], deadline: UInt64) async -> Outcome {
        let service = self.service
        guard deadline != 0 else {
            // Without a deadline the work runs in the caller's task (cancelled with it): one task
            // and one thread hop fewer per request.
            do {
                return .finished(.success(try await service.serve(method, payload: payload)))
            } catch {
                return .finished(.failure(error))
            }
        }
        let work = Task { try await service.serve(method, payload: payload) }
        let now = Self.nowUnixMicros()
        let remaining = Duration.microseconds(Int64(deadline > now ? deadline - now : 0))
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                let first = FirstOutcome(continuation)
                let timer = Task {
                    try? await Task.sleep(for: remaining)
                    if !Task.isCancelled { first.resume(.deadline) }
                }
                Task {
                    let result = await work.result
                    timer.cancel()
                    first.resume(.finished(result))
                }
            }
        } onCancel: {
            work.cancel()
        }
        if case .deadline = outcome { work.cancel() }
        return outcome
    }

    /// Resumes its continuation with whichever outcome comes first, and ignores the other.
    private final class FirstOutcome: Sendable {
        private let continuation: Mutex<CheckedContinuation<Outcome, Never>?>

        init(_ continuation: CheckedContinuation<Outcome, Never>) { self.continuation = Mutex(continuation) }

        func resume(_ outcome: Outcome) {
            let waiting = continuation.withLock { c in defer { c = nil }; return c }
            waiting?.resume(returning: outcome)
        }
    }

    static func nowUnixMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000
    }
}
