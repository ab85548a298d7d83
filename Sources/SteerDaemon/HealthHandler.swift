// Health: live as soon as the daemon answers; ready once an item index is loaded.
import CSequentialEncoder
import SteerWire

extension SteerService {
    func health(_ request: HealthRequest) throws -> HealthResponse {
        var response = HealthResponse()
        response.live = true
        response.version = Self.version
        let uptime = ContinuousClock.now - startedAt
        response.uptimeMicros = UInt64(uptime.components.seconds) * 1_000_000 + UInt64(uptime.components.attoseconds / 1_000_000_000_000)
        response.abiMajor = UInt32(STEER_SE_ABI_VERSION_MAJOR)
        response.abiMinor = UInt32(STEER_SE_ABI_VERSION_MINOR)
        if let index {
            response.ready = true
            response.nItems = UInt32(index.count)
            response.dim = UInt32(index.dimension)
        }
        response.activeBackbone = backbones.withLock { $0.active ?? "" }
        return response
    }
}
