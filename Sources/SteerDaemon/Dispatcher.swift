// Routes each request to its RPC, enforces the deadline, and turns errors into statuses.
import SteerWire
#if canImport(Glibc)
import Glibc
#endif

/// Answers one request envelope with one response envelope; never throws.
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
        let response: ResponseEnvelope
        if request.deadlineUnixMicros != 0, Self.nowUnixMicros() >= request.deadlineUnixMicros {
            response = .failure(id: request.id, RPCError(.deadlineExceeded, "\(method): the deadline had passed before the request started"))
        } else {
            do {
                let payload = try await service.serve(method, payload: request.payload)
                if request.deadlineUnixMicros != 0, Self.nowUnixMicros() > request.deadlineUnixMicros {
                    response = .failure(id: request.id, RPCError(.deadlineExceeded, "\(method): finished after the deadline"))
                } else {
                    response = ResponseEnvelope(id: request.id, status: .ok, payload: payload)
                }
            } catch let error as RPCError {
                response = .failure(id: request.id, error)
            } catch {
                response = .failure(id: request.id, RPCError(.internal, "\(method): \(error)"))
            }
        }
        let elapsed = ContinuousClock.now - started
        let micros = UInt64(max(0, elapsed.components.seconds) * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000)
        stats.record(method, status: response.status, micros: micros)
        return response
    }

    static func nowUnixMicros() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000
    }
}
