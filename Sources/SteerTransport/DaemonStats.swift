// Request, error and latency metrics per method, through swift-metrics, rendered for the Stats RPC
// in the Prometheus text format.
import CoreMetrics
import Prometheus
import SteerSync
import SteerWire

/// The running daemon's metrics. Cheap to update from any thread.
///
/// Every metric goes through the swift-metrics API (`Counter`, `Timer`, `Recorder`, `Gauge`)
/// with a factory of this daemon's own Prometheus registry, not the process-wide
/// `MetricsSystem`: several daemons in one process (the tests) keep separate figures, and an
/// application embedding steerd keeps its own bootstrap. Stats renders the registry.
///
/// A few totals are also kept here as plain numbers, for the fields of the Stats response.
public final class DaemonStats: Sendable {
    private struct State {
        var requests: UInt64 = 0
        var errors: UInt64 = 0
        var unknownMethod: UInt64 = 0
        var undecodableFrames: UInt64 = 0
        var oversizedFrames: UInt64 = 0
        var connections = 0
        var refusedPeers: UInt64 = 0
        var refusedOverConnectionLimit: UInt64 = 0
        var idleClosed: UInt64 = 0
        var acceptBackoffs: UInt64 = 0
        var oversizedResponses: UInt64 = 0
        var unreadCloses: UInt64 = 0
        var refusedInFlight: [InFlightLimit: UInt64] = [:]
        /// The swift-metrics handles, created on first use per label set.
        var requestCounters: [RequestKey: CoreMetrics.Counter] = [:]
        var timers: [Method: CoreMetrics.Timer] = [:]
        var batchRecorders: [String: Recorder] = [:]
        /// Last values pushed into counters that mirror figures kept elsewhere (the caches).
        var mirrored: [String: Int64] = [:]
    }
    private struct RequestKey: Hashable {
        var method: Method
        var status: StatusCode
    }

    /// The bound a request was refused at.
    package enum InFlightLimit: String, CaseIterable {
        case connection
        /// The connection's rows of queued compute work (`maxQueuedRowsPerConnection`).
        case connectionRows = "connection_rows"
        case total
    }
    private let state = Locked(State())
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let connectionsGauge: CoreMetrics.Gauge
    private let connectionsTotal: CoreMetrics.Counter
    private let unknownMethodTotal: CoreMetrics.Counter
    private let undecodableTotal: CoreMetrics.Counter
    private let oversizedTotal: CoreMetrics.Counter
    private let refusedPeersTotal: CoreMetrics.Counter
    private let overConnectionLimitTotal: CoreMetrics.Counter
    private let idleClosedTotal: CoreMetrics.Counter
    private let acceptBackoffsTotal: CoreMetrics.Counter
    private let oversizedResponsesTotal: CoreMetrics.Counter
    private let unreadClosesTotal: CoreMetrics.Counter
    private let refusedInFlightTotal: [InFlightLimit: CoreMetrics.Counter]
    private let inFlightGauge: CoreMetrics.Gauge

    /// Request latency buckets: Recommend answers in a few hundred microseconds, a batch of long
    /// prompts in seconds.
    package static let latencyBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .microseconds(2_500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5),
    ]
    /// Batch-size buckets (rows per BLAS call: prompts, histories).
    package static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096]

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["steer_request_duration_seconds"] = Self.latencyBuckets
        factory.valueHistogramBuckets["steer_batch_size"] = Self.batchBuckets
        self.factory = factory
        connectionsGauge = CoreMetrics.Gauge(label: "steer_connections", factory: factory)
        connectionsTotal = CoreMetrics.Counter(label: "steer_connections_total", factory: factory)
        unknownMethodTotal = CoreMetrics.Counter(label: "steer_unknown_method_total", factory: factory)
        undecodableTotal = CoreMetrics.Counter(label: "steer_undecodable_frames_total", factory: factory)
        oversizedTotal = CoreMetrics.Counter(label: "steer_oversized_frames_total", factory: factory)
        refusedPeersTotal = CoreMetrics.Counter(label: "steer_connections_refused_total", factory: factory)
        overConnectionLimitTotal = CoreMetrics.Counter(label: "steer_connections_over_limit_total", factory: factory)
        idleClosedTotal = CoreMetrics.Counter(label: "steer_connections_idle_closed_total", factory: factory)
        acceptBackoffsTotal = CoreMetrics.Counter(label: "steer_accept_backoffs_total", factory: factory)
        oversizedResponsesTotal = CoreMetrics.Counter(label: "steer_responses_refused_oversized_total", factory: factory)
        unreadClosesTotal = CoreMetrics.Counter(label: "steer_connections_unread_closed_total", factory: factory)
        refusedInFlightTotal = Dictionary(uniqueKeysWithValues: InFlightLimit.allCases.map {
            ($0, CoreMetrics.Counter(label: "steer_requests_refused_in_flight_total", dimensions: [("limit", $0.rawValue)], factory: factory))
        })
        inFlightGauge = CoreMetrics.Gauge(label: "steer_requests_in_flight", factory: factory)
        connectionsGauge.record(0)
        inFlightGauge.record(0)
    }

    package func connectionOpened() {
        let open = state.withLock { $0.connections += 1; return $0.connections }
        connectionsGauge.record(open)
        connectionsTotal.increment()
    }
    package func connectionClosed() {
        let open = state.withLock { $0.connections -= 1; return $0.connections }
        connectionsGauge.record(open)
    }
    package func recordUndecodable() { state.withLock { $0.undecodableFrames += 1 }; undecodableTotal.increment() }
    package func recordOversizedFrame() { state.withLock { $0.oversizedFrames += 1 }; oversizedTotal.increment() }
    package func recordUnknownMethod() { state.withLock { $0.unknownMethod += 1 }; unknownMethodTotal.increment() }
    package func recordRefusedPeer() { state.withLock { $0.refusedPeers += 1 }; refusedPeersTotal.increment() }
    /// A connection turned away because `maxConnections` were open.
    package func recordOverConnectionLimit() { state.withLock { $0.refusedOverConnectionLimit += 1 }; overConnectionLimitTotal.increment() }
    /// A connection closed after `idleTimeout` without a frame or a request in flight.
    package func recordIdleClose() { state.withLock { $0.idleClosed += 1 }; idleClosedTotal.increment() }
    /// Accepting paused because the process or system ran out of file descriptors (or memory).
    package func recordAcceptBackoff() { state.withLock { $0.acceptBackoffs += 1 }; acceptBackoffsTotal.increment() }
    /// A request refused RESOURCE_EXHAUSTED because its response would exceed the response-size bound.
    package func recordOversizedResponse() { state.withLock { $0.oversizedResponses += 1 }; oversizedResponsesTotal.increment() }

    /// A connection closed because its client left more than the unread limit of answers unread.
    package func recordUnreadClose() { state.withLock { $0.unreadCloses += 1 }; unreadClosesTotal.increment() }
    /// Connections closed for not reading their answers.
    public var unreadCloses: UInt64 { state.withLock { $0.unreadCloses } }

    /// Connections turned away at the connection limit.
    public var refusedOverConnectionLimit: UInt64 { state.withLock { $0.refusedOverConnectionLimit } }
    /// Connections closed for being idle.
    public var idleClosed: UInt64 { state.withLock { $0.idleClosed } }
    /// Times accepting paused at the file-descriptor limit.
    public var acceptBackoffs: UInt64 { state.withLock { $0.acceptBackoffs } }
    /// Requests refused because their response would be too large.
    public var oversizedResponses: UInt64 { state.withLock { $0.oversizedResponses } }

    /// A request answered RESOURCE_EXHAUSTED because `limit` requests were in flight; counted
    /// under its method too, when the method is known.
    package func recordRefusedInFlight(_ limit: InFlightLimit, method: Method?) {
        state.withLock { $0.refusedInFlight[limit, default: 0] += 1 }
        refusedInFlightTotal[limit]!.increment()
        if let method { countRequest(method, status: .resourceExhausted) }
    }

    /// Requests refused because `limit` requests were in flight.
    package func refusedInFlight(_ limit: InFlightLimit) -> UInt64 { state.withLock { $0.refusedInFlight[limit, default: 0] } }

    /// Connections refused because the peer's uid and gid are not allowed (or unreadable).
    public var refusedPeers: UInt64 { state.withLock { $0.refusedPeers } }

    /// A request of `method` answered with `status` after `micros` of handling.
    package func record(_ method: Method, status: StatusCode, micros: UInt64) {
        countRequest(method, status: status)
        let timer = state.withLock { s in
            if let timer = s.timers[method] { return timer }
            let timer = CoreMetrics.Timer(label: "steer_request_duration_seconds", dimensions: [("method", "\(method)")], factory: factory)
            s.timers[method] = timer
            return timer
        }
        timer.recordMicroseconds(micros)
    }

    private func countRequest(_ method: Method, status: StatusCode) {
        let counter = state.withLock { s in
            s.requests += 1
            if status != .ok { s.errors += 1 }
            let key = RequestKey(method: method, status: status)
            if let counter = s.requestCounters[key] { return counter }
            let counter = CoreMetrics.Counter(label: "steer_requests_total", dimensions: [("method", "\(method)"), ("status", "\(status)")],
                                              factory: factory)
            s.requestCounters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// `rows` rows went through one batched computation of `kind` (e.g. prompts embedded
    /// together, histories encoded together).
    package func recordBatch(_ kind: String, rows: Int) {
        let recorder = state.withLock { s in
            if let recorder = s.batchRecorders[kind] { return recorder }
            let recorder = Recorder(label: "steer_batch_size", dimensions: [("kind", kind)], aggregate: true, factory: factory)
            s.batchRecorders[kind] = recorder
            return recorder
        }
        recorder.record(rows)
    }

    /// Brings counter `label` up to `value`, a running total kept elsewhere (a cache's hits):
    /// increments it by the growth since the last call.
    package func mirror(counter label: String, to value: UInt64) {
        let value = Int64(clamping: value)
        let growth = state.withLock { s -> Int64 in
            let last = s.mirrored[label] ?? 0
            s.mirrored[label] = max(last, value)
            return value - last
        }
        let counter = CoreMetrics.Counter(label: label, factory: factory)
        counter.increment(by: max(0, growth))
    }

    /// Sets gauge `label` to `value`.
    package func set(gauge label: String, to value: Int) {
        CoreMetrics.Gauge(label: label, factory: factory).record(value)
    }

    /// `rows` rows wait in the batcher of `kind` for a batch (the `steer_batch_queue_depth` gauge).
    package func setBatchQueueDepth(_ kind: String, rows: Int) {
        CoreMetrics.Gauge(label: "steer_batch_queue_depth", dimensions: [("kind", kind)], factory: factory).record(rows)
    }

    /// Totals for the Stats response.
    public var totals: (requests: UInt64, errors: UInt64, connections: Int) {
        state.withLock { s in
            (s.requests + s.unknownMethod, s.errors + s.unknownMethod + s.undecodableFrames + s.oversizedFrames, s.connections)
        }
    }

    /// Every metric in the Prometheus text exposition format, with `inFlight` requests now in flight.
    public func prometheusText(inFlight: Int) -> String {
        inFlightGauge.record(inFlight)
        return registry.emitToString()
    }
}
