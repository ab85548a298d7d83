// Per connection: decodes envelopes, runs each request concurrently, writes responses as they complete.
import NIOCore
import SteerWire

/// Turns frames into requests and responses into frames.
///
/// Every request runs in its own task, so a slow request never holds up the ones behind it;
/// responses go out in completion order and carry their request's id. At most
/// `maxInFlightPerConnection` requests of this connection, and `maxInFlightTotal` of the daemon,
/// run at once; one more is answered RESOURCE_EXHAUSTED at once and the connection stays open.
/// When the connection closes, its requests' tasks are cancelled and their responses dropped.
/// A connection that sends no frame for the idle timeout and has nothing in flight is closed
/// (`IdleWatch`; a client waiting for a long answer is not idle). A connection whose client leaves
/// more than `ResponseBudget.unreadLimit` bytes of answers unread (the channel turned unwritable)
/// is closed when its next answer is ready, so answers nobody reads cannot fill steerd's memory.
final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: Dispatcher
    private let gauge: InFlightGauge
    private let stats: DaemonStats
    private let maxInFlightPerConnection: Int
    private let maxInFlightTotal: Int
    /// This connection's requests in flight, by a key of the handler's own (clients may reuse ids).
    /// Like everything below, touched on the channel's event loop only.
    private var inFlight: [UInt64: Task<Void, Never>] = [:]
    private var nextKey: UInt64 = 0
    private var open = true
    /// This connection's turn on the compute pool: heavy requests of one client wait for each
    /// other, not the other clients for them.
    private lazy var lane = dispatcher.newLane()
    /// Rows of compute work (`RequestRows`) this connection may have in flight, and has: the
    /// in-flight limit counts requests, and one request can carry thousands of rows (256 Fuse
    /// requests of 1,024 new prompts are some ten minutes of MiniLM on two cores). Lanes keep the
    /// other connections served meanwhile; this bound keeps one client from queueing that much.
    private let maxQueuedRows: Int
    private var queuedRows = 0
    /// The rows of the requests in flight that carry any.
    private var rowsInFlight: [UInt64: Int] = [:]
    /// Silence of the client; nil: no idle timeout.
    private var idle: IdleWatch?
    private var idleChecks: RepeatedTask?

    init(dispatcher: Dispatcher, gauge: InFlightGauge, stats: DaemonStats,
         maxInFlightPerConnection: Int = TransportConfiguration.defaultMaxInFlightPerConnection,
         maxInFlightTotal: Int = TransportConfiguration.defaultMaxInFlightTotal,
         maxQueuedRows: Int = TransportConfiguration.defaultMaxQueuedRowsPerConnection,
         idleTimeout: TimeAmount? = nil) {
        self.dispatcher = dispatcher
        self.gauge = gauge
        self.stats = stats
        self.maxInFlightPerConnection = maxInFlightPerConnection
        self.maxInFlightTotal = maxInFlightTotal
        self.maxQueuedRows = maxQueuedRows
        self.idle = idleTimeout.map(IdleWatch.init(timeout:))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let interval = idle?.interval else { return }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        idleChecks = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.handler.checkIdle(context: bound.value.context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleChecks?.cancel()
        idleChecks = nil
    }

    private func checkIdle(context: ChannelHandlerContext) {
        guard open, idle?.check(busy: !inFlight.isEmpty) == true else { return }
        idleChecks?.cancel()
        idleChecks = nil
        stats.recordIdleClose()
        context.close(promise: nil)
    }

    func channelActive(context: ChannelHandlerContext) {
        stats.connectionOpened()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Nobody is left to answer: stop the work. Each task still ends through `finish`, which
        // balances the gauge without writing.
        open = false
        idleChecks?.cancel()
        idleChecks = nil
        for task in inFlight.values { task.cancel() }
        stats.connectionClosed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        idle?.heard()
        let body = unwrapInboundIn(data)
        let channel = context.channel
        let request: RequestEnvelope
        do {
            request = try RequestEnvelope(decoding: Array(body.readableBytesView))
        } catch {
            // The id is unknowable when the envelope does not parse: answer with id 0 and keep the connection.
            stats.recordUndecodable()
            Self.send(.failure(id: 0, RPCError(.invalidArgument, "frame of \(body.readableBytes) bytes is not a valid steer.v1.Request envelope")), on: channel)
            return
        }
        guard inFlight.count < maxInFlightPerConnection else {
            stats.recordRefusedInFlight(.connection, method: request.method)
            Self.send(.failure(id: request.id, RPCError(.resourceExhausted,
                "this connection already has \(maxInFlightPerConnection) requests in flight, the per-connection limit: wait for "
                + "their responses, or raise it (maxInFlightPerConnection in the configuration file, steer serve --max-in-flight-per-connection)")),
                on: channel)
            return
        }
        // A request whose bytes are malformed counts 0 here; its decoder answers the precise error.
        let rows = request.method.flatMap { RequestRows.count($0, payload: request.payload) } ?? 0
        if rows > 0, let refusal = rowRefusal(rows, of: request) {
            stats.recordRefusedInFlight(.connectionRows, method: request.method)
            Self.send(.failure(id: request.id, refusal), on: channel)
            return
        }
        switch gauge.enter(limit: maxInFlightTotal) {
        case .admitted:
            break
        case .draining:
            Self.send(.failure(id: request.id, RPCError(.unavailable, "steerd is shutting down")), on: channel)
            return
        case .full:
            stats.recordRefusedInFlight(.total, method: request.method)
            Self.send(.failure(id: request.id, RPCError(.resourceExhausted,
                "steerd already has \(maxInFlightTotal) requests in flight across all connections, its limit: retry later, "
                + "or raise it (maxInFlight in the configuration file, steer serve --max-in-flight)")),
                on: channel)
            return
        }
        let key = nextKey
        nextKey += 1
        if rows > 0 {
            queuedRows += rows
            rowsInFlight[key] = rows
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        // An answer given on this loop is written at once: during this call for a request answered
        // inline (`handle` then returns nil, and the assignment below removes nothing), or later by
        // its deadline timer. An answer from a compute thread hops to the loop; `handle` gives no
        // answer on another thread before it returns its task, so the task is registered before
        // `finish` removes it.
        inFlight[key] = dispatcher.handle(request, on: loop, lane: lane) { response in
            if loop.inEventLoop {
                handler.value.finish(key, response, on: channel)
            } else {
                loop.execute { handler.value.finish(key, response, on: channel) }
            }
        }
    }

    /// Writes a request's response unless the connection has closed, then lets the gauge go.
    private func finish(_ key: UInt64, _ response: ResponseEnvelope, on channel: Channel) {
        inFlight[key] = nil
        if let rows = rowsInFlight.removeValue(forKey: key) { queuedRows -= rows }
        let gauge = self.gauge
        guard open else {
            gauge.leave()
            return
        }
        guard channel.isWritable else {
            // The client is not reading: its queued answers passed the unread limit (the high water mark).
            stats.recordUnreadClose()
            open = false
            channel.close(promise: nil)
            gauge.leave()
            return
        }
        // Leave only once the response is written, so shutdown never closes a connection under it.
        Self.send(response, on: channel).whenComplete { _ in gauge.leave() }
    }

    /// RESOURCE_EXHAUSTED when `rows` more would pass this connection's bound; nil when they fit.
    private func rowRefusal(_ rows: Int, of request: RequestEnvelope) -> RPCError? {
        let what = "\(request.method.map { "\($0)" } ?? "the request") with \(rows) rows"
        let flag = "(maxQueuedRowsPerConnection in the configuration file, steer serve --max-queued-rows-per-connection)"
        if rows > maxQueuedRows {
            return RPCError(.resourceExhausted, "\(what) is more than this connection's \(maxQueuedRows) rows of queued work "
                + "and can never be served: split it over several requests, or raise the limit \(flag)")
        }
        guard queuedRows + rows > maxQueuedRows else { return nil }
        return RPCError(.resourceExhausted, "\(what) would pass this connection's \(maxQueuedRows) rows of queued work "
            + "(\(queuedRows) in flight): wait for earlier answers, or raise it \(flag)")
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let tooLarge = error as? FrameTooLargeError {
            stats.recordOversizedFrame()
            let channel = context.channel
            Self.send(.failure(id: 0, RPCError(.resourceExhausted, tooLarge.description)), on: channel)
                .whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    @discardableResult
    private static func send(_ response: ResponseEnvelope, on channel: Channel) -> EventLoopFuture<Void> {
        let bytes = response.encoded()
        var buffer = channel.allocator.buffer(capacity: Framing.headerSize + bytes.count)
        buffer.writeInteger(UInt32(bytes.count), endianness: .big)
        buffer.writeBytes(bytes)
        return channel.writeAndFlush(buffer)
    }
}
