// The whole pipeline of a connection steerd will not serve: one error frame (PERMISSION_DENIED, or
// RESOURCE_EXHAUSTED at the connection limit), then close.
import NIOCore
import SteerWire

/// Answers a refused peer once, with id 0, and closes the connection; nothing it sends is handled.
///
/// After the answer the write side is shut and reads are discarded until the peer hangs up or
/// `linger` passes: closing at once would make a client that writes its request a moment later
/// fail on a closed socket (EPIPE) before it could read why it was refused.
final class RefusalHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let message: String
    private let status: StatusCode
    private let linger: TimeAmount
    private var refused = false
    private var lingerTimeout: Scheduled<Void>?

    init(_ status: StatusCode = .permissionDenied, message: String, linger: TimeAmount = .seconds(2)) {
        self.status = status
        self.message = message
        self.linger = linger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func channelInactive(context: ChannelHandlerContext) {
        lingerTimeout?.cancel()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func refuse(context: ChannelHandlerContext) {
        guard !refused else { return }
        refused = true
        let bytes = ResponseEnvelope.failure(id: 0, RPCError(status, message)).encoded()
        var buffer = context.channel.allocator.buffer(capacity: Framing.headerSize + bytes.count)
        buffer.writeInteger(UInt32(bytes.count), endianness: .big)
        buffer.writeBytes(bytes)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { result in
            switch result {
            case .success: channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
            case .failure: channel.close(promise: nil)
            }
        }
        lingerTimeout = context.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
    }
}
