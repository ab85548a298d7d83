// Stats: counters of the daemon, also as Prometheus text.
import CSteerProto

public struct StatsRequest: EmptyCMessage, Equatable {
    static let cType = CMessageType(steer__v1__stats_request__init)

    public init() {}
}

public struct StatsResponse: CBackedMessage, Equatable, Codable {
    public var prometheusText = ""
    public var requestsTotal: UInt64 = 0
    public var errorsTotal: UInt64 = 0
    public var inFlight: UInt32 = 0
    public var connections: UInt32 = 0

    public init() {}

    static let cType = CMessageType(steer__v1__stats_response__init)

    init(reading m: Steer__V1__StatsResponse) {
        prometheusText = swiftString(m.prometheus_text)
        requestsTotal = m.requests_total
        errorsTotal = m.errors_total
        inFlight = m.in_flight
        connections = m.connections
    }

    func fill(_ m: inout Steer__V1__StatsResponse, _ arena: CArena) {
        m.prometheus_text = arena.string(prometheusText)
        m.requests_total = requestsTotal
        m.errors_total = errorsTotal
        m.in_flight = inFlight
        m.connections = connections
    }
}
