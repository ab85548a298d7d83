// An async client that keeps many requests in flight on one connection to steerd.
import SteerWire

/// One connection to steerd shared by any number of tasks.
///
/// Calls are pipelined: each is written as soon as it is made (a writer thread batches the
/// frames of concurrent callers), and a reader thread hands every response to the call whose
/// request id it carries, in whatever order steerd answers. At most
/// ``Configuration/maxInFlight`` calls are outstanding; further calls wait for a slot, so a
/// busy client is not answered `RESOURCE_EXHAUSTED` by steerd's per-connection limit.
///
/// Each call sends a deadline in its envelope (steerd answers `DEADLINE_EXCEEDED` at it and
/// stops the work) and fails on its own when no answer came within its client-side timeout
/// (by default the deadline plus ``Configuration/timeoutGrace``). When the connection closes,
/// every waiting call fails at once with ``AsyncClientError/Kind-swift.struct/connectionClosed``
/// (or with the `RPCError` steerd sent for the whole connection, such as `PERMISSION_DENIED`);
/// none is left waiting. Cancelling a calling task fails its call with `CancellationError`.
///
/// ```swift
/// let client = try SteerAsyncClient(socketPath: path)
/// async let a = client.recommend(RecommendRequest(history: [1, 2, 3], k: 10))
/// async let b = client.route(["no horror tonight"])
/// let (items, polarity) = try await (a.itemIDs, b.results[0].polarity)
/// ```
public final class SteerAsyncClient: Sendable {
    /// How a client behaves; every setting has a default.
    public struct Configuration: Sendable {
        /// The largest response frame accepted; a larger one closes the connection.
        public var maxFrameSize: Int
        /// Calls outstanding at once; the default is steerd's default per-connection limit.
        public var maxInFlight: Int
        /// How long after its deadline a call still waits for steerd's `DEADLINE_EXCEEDED` before
        /// failing on its own, when the call gives no explicit timeout.
        public var timeoutGrace: Duration

        /// - Precondition: `maxInFlight >= 1`.
        public init(maxFrameSize: Int = Framing.defaultMaxFrameSize, maxInFlight: Int = 256, timeoutGrace: Duration = .seconds(2)) {
            precondition(maxInFlight >= 1, "maxInFlight must be at least 1")
            self.maxFrameSize = maxFrameSize
            self.maxInFlight = maxInFlight
            self.timeoutGrace = timeoutGrace
        }
    }

    /// The deadline calls send unless they say otherwise (the CLI's `--timeout` default).
    public static let defaultDeadline: Duration = .seconds(30)

    public let socketPath: String
    public let configuration: Configuration
    private let core: AsyncConnectionCore

    /// Connects to steerd and starts the connection's reader and writer threads.
    /// - Throws: `ClientError` naming the path and the reason (e.g. steerd not running).
    public init(socketPath: String = SocketPaths.defaultSocketPath, configuration: Configuration = Configuration()) throws {
        self.socketPath = socketPath
        self.configuration = configuration
        let fd = try UnixSocket.connect(path: socketPath)
        core = AsyncConnectionCore(fd: fd, socketPath: socketPath, maxFrameSize: configuration.maxFrameSize,
                                   maxInFlight: configuration.maxInFlight)
        core.start()
    }

    deinit { core.close(reason: "the client was released") }

    /// Closes the connection; calls still waiting fail with `connectionClosed`. Idempotent.
    public func close() { core.close(reason: "the client closed the connection") }

    /// True once the connection is closed, by either side.
    public var isClosed: Bool { core.isClosed }

    /// Calls sent whose answer has not come yet, including ones whose caller gave up.
    public var inFlight: Int { core.inFlight }

    /// Responses that carried an id no call of this client was waiting for (0 unless steerd
    /// answered a request twice or invented an id).
    public var unmatchedResponses: Int { core.unmatchedResponses }

    /// Sends one request and returns steerd's response whatever its status.
    /// - Parameters:
    ///   - deadline: from now, sent in the envelope; nil sends none.
    ///   - timeout: the client-side limit; nil means `deadline` plus the configuration's grace,
    ///     or no limit when there is no deadline either.
    /// - Throws: `AsyncClientError` (closed, timed out, bad frame), `CancellationError`, or the
    ///   `RPCError` steerd sent for the whole connection.
    public func response(_ method: Method, payload: [UInt8], deadline: Duration? = SteerAsyncClient.defaultDeadline,
                         timeout: Duration? = nil) async throws -> ResponseEnvelope {
        let deadlineMicros = deadline.map { UnixSocket.unixMicros() + max(1, $0.clampedNanoseconds / 1_000) } ?? 0
        let limit = timeout ?? deadline.map { $0 + configuration.timeoutGrace }
        let timeoutNanos = limit.map { max(1, $0.clampedNanoseconds) } ?? 0
        return try await core.call(method, payload: payload, deadlineMicros: deadlineMicros, timeoutNanos: timeoutNanos)
    }

    /// Calls one RPC and decodes its answer, as `SteerConnection.call` does.
    /// - Throws: `RPCError` with steerd's status when it is not OK (or the payload does not
    ///   parse); otherwise as ``response(_:payload:deadline:timeout:)``.
    public func call<Response: WireMessage>(_ method: Method, _ request: some WireMessage, as: Response.Type,
                                            deadline: Duration? = SteerAsyncClient.defaultDeadline,
                                            timeout: Duration? = nil) async throws -> Response {
        try await response(method, payload: request.encoded(), deadline: deadline, timeout: timeout).result(as: Response.self)
    }
}
