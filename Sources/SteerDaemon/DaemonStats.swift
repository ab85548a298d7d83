// Request, error and latency counters per method, rendered for the Stats RPC.
import Synchronization
import SteerWire

/// Counters of the running daemon. Cheap to update from any thread.
public final class DaemonStats: Sendable {
    private struct MethodCounters {
        var requests: UInt64 = 0
        var errors: UInt64 = 0
        var latencyMicrosTotal: UInt64 = 0
        var byStatus: [StatusCode: UInt64] = [:]
    }
    private struct State {
        var methods: [Method: MethodCounters] = [:]
        var unknownMethod: UInt64 = 0
        var undecodableFrames: UInt64 = 0
        var oversizedFrames: UInt64 = 0
        var connections = 0
        var connectionsTotal: UInt64 = 0
        var refusedPeers: UInt64 = 0
        var refusedInFlight: [InFlightLimit: UInt64] = [:]
    }

    /// The bound a request was refused at.
    enum InFlightLimit: String, CaseIterable {
        case connection
        case total
    }
    private let state = Mutex(State())

    public init() {}

    func connectionOpened() { state.withLock { $0.connections += 1; $0.connectionsTotal += 1 } }
    func connectionClosed() { state.withLock { $0.connections -= 1 } }
    func recordUndecodable() { state.withLock { $0.undecodableFrames += 1 } }
    func recordOversizedFrame() { state.withLock { $0.oversizedFrames += 1 } }
    func recordUnknownMethod() { state.withLock { $0.unknownMethod += 1 } }
    func recordRefusedPeer() { state.withLock { $0.refusedPeers += 1 } }

    /// A request answered RESOURCE_EXHAUSTED because `limit` requests were in flight; counted
    /// under its method too, when the method is known.
    func recordRefusedInFlight(_ limit: InFlightLimit, method: Method?) {
        state.withLock { s in
            s.refusedInFlight[limit, default: 0] += 1
            guard let method else { return }
            var c = s.methods[method, default: MethodCounters()]
            c.requests += 1
            c.errors += 1
            c.byStatus[.resourceExhausted, default: 0] += 1
            s.methods[method] = c
        }
    }

    /// Requests refused because `limit` requests were in flight.
    func refusedInFlight(_ limit: InFlightLimit) -> UInt64 { state.withLock { $0.refusedInFlight[limit, default: 0] } }

    /// Connections refused because the peer's uid and gid are not allowed (or unreadable).
    public var refusedPeers: UInt64 { state.withLock { $0.refusedPeers } }

    func record(_ method: Method, status: StatusCode, micros: UInt64) {
        state.withLock { s in
            var c = s.methods[method, default: MethodCounters()]
            c.requests += 1
            if status != .ok { c.errors += 1 }
            c.latencyMicrosTotal += micros
            c.byStatus[status, default: 0] += 1
            s.methods[method] = c
        }
    }

    /// Totals for the Stats response.
    public var totals: (requests: UInt64, errors: UInt64, connections: Int) {
        state.withLock { s in
            let requests = s.methods.values.reduce(s.unknownMethod) { $0 + $1.requests }
            let errors = s.methods.values.reduce(s.unknownMethod + s.undecodableFrames + s.oversizedFrames) { $0 + $1.errors }
            return (requests, errors, s.connections)
        }
    }

    /// The counters in the Prometheus text exposition format.
    public func prometheusText(inFlight: Int) -> String {
        state.withLock { s in
            var out = ""
            out += "# HELP steer_requests_total Requests answered, by method and status.\n"
            out += "# TYPE steer_requests_total counter\n"
            for method in Method.allCases {
                guard let c = s.methods[method] else { continue }
                for (status, n) in c.byStatus.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    out += "steer_requests_total{method=\"\(method)\",status=\"\(status)\"} \(n)\n"
                }
            }
            out += "# HELP steer_request_latency_microseconds_sum Total handling time, by method.\n"
            out += "# TYPE steer_request_latency_microseconds_sum counter\n"
            for method in Method.allCases {
                guard let c = s.methods[method] else { continue }
                out += "steer_request_latency_microseconds_sum{method=\"\(method)\"} \(c.latencyMicrosTotal)\n"
            }
            out += "# TYPE steer_unknown_method_total counter\nsteer_unknown_method_total \(s.unknownMethod)\n"
            out += "# TYPE steer_undecodable_frames_total counter\nsteer_undecodable_frames_total \(s.undecodableFrames)\n"
            out += "# TYPE steer_oversized_frames_total counter\nsteer_oversized_frames_total \(s.oversizedFrames)\n"
            out += "# TYPE steer_connections gauge\nsteer_connections \(s.connections)\n"
            out += "# TYPE steer_connections_total counter\nsteer_connections_total \(s.connectionsTotal)\n"
            out += "# HELP steer_connections_refused_total Connections refused by peer uid/gid (SO_PEERCRED).\n"
            out += "# TYPE steer_connections_refused_total counter\nsteer_connections_refused_total \(s.refusedPeers)\n"
            out += "# HELP steer_requests_refused_in_flight_total Requests answered RESOURCE_EXHAUSTED at the in-flight limit, by limit.\n"
            out += "# TYPE steer_requests_refused_in_flight_total counter\n"
            for limit in InFlightLimit.allCases {
                out += "steer_requests_refused_in_flight_total{limit=\"\(limit.rawValue)\"} \(s.refusedInFlight[limit, default: 0])\n"
            }
            out += "# TYPE steer_requests_in_flight gauge\nsteer_requests_in_flight \(inFlight)\n"
            return out
        }
    }
}
