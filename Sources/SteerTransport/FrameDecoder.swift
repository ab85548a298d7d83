// Splits the byte stream of a connection into frames: 4-byte big-endian length, then the body.
import NIOCore
import SteerWire

/// A frame announced a body longer than the configured maximum.
public struct FrameTooLargeError: Error, Equatable, CustomStringConvertible {
    public var announced: UInt32
    public var maximum: Int

    public var description: String {
        "frame of \(announced) bytes exceeds the maximum frame size of \(maximum) bytes"
    }
}

/// Emits one `ByteBuffer` per frame body.
///
/// The length is checked as soon as its four bytes arrive, so an oversized frame is refused
/// before any of its body is buffered or allocated.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    public let maxFrameSize: Int

    public init(maxFrameSize: Int = Framing.defaultMaxFrameSize) {
        self.maxFrameSize = maxFrameSize
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            return .needMoreData
        }
        guard Int(length) <= maxFrameSize else {
            throw FrameTooLargeError(announced: length, maximum: maxFrameSize)
        }
        guard buffer.readableBytes >= Framing.headerSize + Int(length) else {
            return .needMoreData
        }
        buffer.moveReaderIndex(forwardBy: Framing.headerSize)
        let body = buffer.readSlice(length: Int(length))!
        context.fireChannelRead(Self.wrapInboundOut(body))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A partial frame at EOF is dropped: the peer is gone and nobody awaits an answer.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
