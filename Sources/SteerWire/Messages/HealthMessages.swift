// Health: liveness and readiness of the daemon.
import CSteerProto

public struct HealthRequest: WireMessage, Equatable {
    public init() {}
    public init(decoding bytes: [UInt8]) throws {
        try unpackMessage(bytes, as: "HealthRequest", unpack: steer__v1__health_request__unpack,
                          free: steer__v1__health_request__free_unpacked) { _ in }
    }
    public func encoded() -> [UInt8] { packMessage(steer__v1__health_request__init) }
}

public struct HealthResponse: WireMessage, Equatable, Codable {
    public var live = false
    /// An item index is loaded, so Retrieve can be served.
    public var ready = false
    public var version = ""
    public var uptimeMicros: UInt64 = 0
    public var abiMajor: UInt32 = 0
    public var abiMinor: UInt32 = 0
    public var nItems: UInt32 = 0
    public var dim: UInt32 = 0
    public var activeBackbone = ""

    public init() {}

    public init(decoding bytes: [UInt8]) throws {
        self = try unpackMessage(bytes, as: "HealthResponse", unpack: steer__v1__health_response__unpack,
                                 free: steer__v1__health_response__free_unpacked) { m in
            var r = HealthResponse()
            r.live = m.live != 0
            r.ready = m.ready != 0
            r.version = swiftString(m.version)
            r.uptimeMicros = m.uptime_micros
            r.abiMajor = m.abi_major
            r.abiMinor = m.abi_minor
            r.nItems = m.n_items
            r.dim = m.dim
            r.activeBackbone = swiftString(m.active_backbone)
            return r
        }
    }

    public func encoded() -> [UInt8] {
        packMessage(steer__v1__health_response__init) { m, arena in
            m.live = cBool(live)
            m.ready = cBool(ready)
            m.version = arena.string(version)
            m.uptime_micros = uptimeMicros
            m.abi_major = abiMajor
            m.abi_minor = abiMinor
            m.n_items = nItems
            m.dim = dim
            m.active_backbone = arena.string(activeBackbone)
        }
    }
}
