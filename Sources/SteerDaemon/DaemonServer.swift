// steerd as one object: the transport serving a SteerService made from the daemon's configuration.
import Logging
import SteerTransport

extension SteerServer {
    /// steerd: loads what `configuration` names (plugins, index, encoder, snapshots) into a
    /// ``SteerService`` and serves it on the configured socket.
    /// - Throws: what loading the service throws (a missing required encoder, a bad snapshot, …).
    public convenience init(configuration: DaemonConfiguration, logger: Logger = Logger(label: "steerd")) throws {
        let stats = DaemonStats()
        let gauge = InFlightGauge()
        let service = try SteerService(configuration: configuration, logger: logger)
        service.attach(stats: stats, gauge: gauge)
        self.init(configuration: configuration.transport, service: service, stats: stats, gauge: gauge, logger: logger)
    }
}
