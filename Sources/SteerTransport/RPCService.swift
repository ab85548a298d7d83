// The one thing the transport asks of what it serves: a payload in, a payload out.
import SteerWire

/// What a ``SteerServer`` serves. The transport frames, admits, dispatches and times requests;
/// everything a method means is behind this protocol.
public protocol RPCService: Sendable {
    /// The largest response the server sends; the transport replaces a larger one by RESOURCE_EXHAUSTED.
    var responseBudget: ResponseBudget { get }

    /// The encoded response to `method`'s encoded request.
    /// - Throws: an ``RPCError`` for its status (any other error is answered INTERNAL);
    ///   `CancellationError` when the transport cancelled the work (the client left, the deadline passed).
    func serve(_ method: Method, payload: [UInt8]) async throws -> [UInt8]

    /// Starts a request that may be answered on the thread that read it (see ``InlineStart``), or
    /// nil to have ``serve(_:payload:)`` run it on a compute thread.
    func startInline(_ method: Method, payload: [UInt8]) -> InlineStart?
}

/// How a request starts: answered at once, or with work left for a compute thread.
public enum InlineStart: Sendable {
    case answered(Result<[UInt8], any Error>)
    case deferred(@Sendable () async throws -> [UInt8])
}
