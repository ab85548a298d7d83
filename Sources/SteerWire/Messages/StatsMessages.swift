// Stats: counters of the daemon, also as Prometheus text.
import CSteerProto

public struct StatsRequest: WireMessage, Equatable {
    public init() {}
    public init(decoding bytes: [UInt8]) throws {
        try unpackMessage(bytes, as: "StatsRequest", unpack: steer__v1__stats_request__unpack,
                          free: steer__v1__stats_request__free_unpacked) { _ in }
    }
    public func encoded() -> [UInt8] { packMessage(steer__v1__stats_request__init) }
}

public struct StatsResponse: WireMessage, Equatable, Codable {
    public var prometheusText = ""
    public var requestsTotal: UInt64 = 0
    public var errorsTotal: UInt64 = 0
    public var inFlight: UInt32 = 0
    public var connections: UInt32 = 0

    public init() {}

    public init(decoding bytes: [UInt8]) throws {
        self = try unpackMessage(bytes, as: "StatsResponse", unpack: steer__v1__stats_response__unpack,
                                 free: steer__v1__stats_response__free_unpacked) { m in
            var r = StatsResponse()
            r.prometheusText = swiftString(m.prometheus_text)
            r.requestsTotal = m.requests_total
            r.errorsTotal = m.errors_total
            r.inFlight = m.in_flight
            r.connections = m.connections
            return r
        }
    }

    public func encoded() -> [UInt8] {
        packMessage(steer__v1__stats_response__init) { m, arena in
            m.prometheus_text = arena.string(prometheusText)
            m.requests_total = requestsTotal
            m.errors_total = errorsTotal
            m.in_flight = inFlight
            m.connections = connections
        }
    }
}
