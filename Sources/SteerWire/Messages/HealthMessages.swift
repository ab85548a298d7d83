// Health: liveness and readiness of the daemon.
import CSteerProto

public struct HealthRequest: EmptyCMessage, Equatable {
    static let cType = CMessageType(steer__v1__health_request__init)

    public init() {}
}

public struct HealthResponse: CBackedMessage, Equatable, Codable {
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

    static let cType = CMessageType(steer__v1__health_response__init)

    init(reading m: Steer__V1__HealthResponse) {
        live = m.live != 0
        ready = m.ready != 0
        version = swiftString(m.version)
        uptimeMicros = m.uptime_micros
        abiMajor = m.abi_major
        abiMinor = m.abi_minor
        nItems = m.n_items
        dim = m.dim
        activeBackbone = swiftString(m.active_backbone)
    }

    func fill(_ m: inout Steer__V1__HealthResponse, _ arena: CArena) {
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
