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
/// An `IdleStateHandler` before it reports read silence: a connection with nothing in flight is
/// then closed (a client waiting for a long answer is not idle). A connection whose client leaves
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

    init(dispatcher: Dispatcher, gauge: InFlightGauge, stats: DaemonStats,
         maxInFlightPerConnection: Int = DaemonConfiguration.defaultMaxInFlightPerConnection,
         maxInFlightTotal: Int = DaemonConfiguration.defaultMaxInFlightTotal) {
        self.dispatcher = dispatcher
        self.gauge = gauge
        self.stats = stats
        self.maxInFlightPerConnection = maxInFlightPerConnection
        self.maxInFlightTotal = maxInFlightTotal
    }

    func channelActive(context: ChannelHandlerContext) {
        stats.connectionOpened()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Nobody is left to answer: stop the work. Each task still ends through `finish`, which
        // balances the gauge without writing.
        open = false
        for task in inFlight.values { task.cancel() }
        stats.connectionClosed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
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
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        // `finish` runs on the loop after this method returns, so the task is registered before it is removed.
        inFlight[key] = dispatcher.handle(request, on: loop, lane: lane) { response in
            loop.execute { handler.value.finish(key, response, on: channel) }
        }
    }

    /// Writes a request's response unless the connection has closed, then lets the gauge go.
    private func finish(_ key: UInt64, _ response: ResponseEnvelope, on channel: Channel) {
        inFlight[key] = nil
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

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            if inFlight.isEmpty {
                stats.recordIdleClose()
                context.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
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
