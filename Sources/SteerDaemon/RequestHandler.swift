// Per connection: decodes envelopes, runs each request concurrently, writes responses as they complete.
import NIOCore
import SteerWire

/// Turns frames into requests and responses into frames.
///
/// Every request runs in its own task, so a slow request never holds up the ones behind it;
/// responses go out in completion order and carry their request's id.
final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: Dispatcher
    private let gauge: InFlightGauge
    private let stats: DaemonStats

    init(dispatcher: Dispatcher, gauge: InFlightGauge, stats: DaemonStats) {
        self.dispatcher = dispatcher
        self.gauge = gauge
        self.stats = stats
    }

    func channelActive(context: ChannelHandlerContext) {
        stats.connectionOpened()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
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
        guard gauge.enter() else {
            Self.send(.failure(id: request.id, RPCError(.unavailable, "steerd is shutting down")), on: channel)
            return
        }
        Self.run(request, dispatcher: dispatcher, gauge: gauge, channel: channel)
    }

    /// Runs one request in its own task and writes its response when it completes.
    private static func run(_ request: RequestEnvelope, dispatcher: Dispatcher, gauge: InFlightGauge, channel: Channel) {
        Task {
            let response = await dispatcher.handle(request)
            // Leave only once the response is written, so shutdown never closes a connection under it.
            send(response, on: channel).whenComplete { _ in gauge.leave() }
        }
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
