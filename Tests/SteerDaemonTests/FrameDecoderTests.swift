// The frame decoder fed byte by byte, all at once, oversized and at EOF.
import NIOCore
import NIOEmbedded
import NIOTestUtils
import XCTest
@testable import SteerDaemon
@testable import SteerTransport

final class FrameDecoderTests: XCTestCase {
    private func frame(_ body: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(body.count), endianness: .big)
        buffer.writeBytes(body)
        return buffer
    }

    func testByteByByteAndManyAtOnce() throws {
        // The verifier feeds each input whole, byte by byte, and all inputs concatenated.
        let bodies: [[UInt8]] = [[1, 2, 3], [], Array(repeating: 0xAB, count: 1000), [0, 0, 0, 4]]
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: bodies.map { (frame($0), [ByteBuffer(bytes: $0)]) },
            decoderFactory: { FrameDecoder(maxFrameSize: 4096) })
    }

    func testManyFramesInOneRead() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameSize: 64)))
        var all = ByteBuffer()
        for i in 0..<100 { var f = frame([UInt8(i), UInt8(i)]); all.writeBuffer(&f) }
        try channel.writeInbound(all)
        for i in 0..<100 {
            XCTAssertEqual(try channel.readInbound(as: ByteBuffer.self), ByteBuffer(bytes: [UInt8(i), UInt8(i)]))
        }
        XCTAssertNil(try channel.readInbound(as: ByteBuffer.self))
        XCTAssertTrue(try channel.finish().isClean)
    }

    func testOversizedLengthIsRefusedFromTheHeaderAlone() {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameSize: 1024)))
        var header = ByteBuffer()
        header.writeInteger(UInt32(1025), endianness: .big)  // no body sent: refusal must not wait for it
        XCTAssertThrowsError(try channel.writeInbound(header)) { error in
            XCTAssertEqual(error as? FrameTooLargeError, FrameTooLargeError(announced: 1025, maximum: 1024))
        }
        var huge = ByteBuffer()
        huge.writeInteger(UInt32.max, endianness: .big)
        let second = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameSize: 1024)))
        XCTAssertThrowsError(try second.writeInbound(huge))
        _ = try? channel.finish()
        _ = try? second.finish()
    }

    func testExactlyMaximumIsAccepted() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameSize: 16)))
        try channel.writeInbound(frame(Array(repeating: 7, count: 16)))
        XCTAssertEqual(try channel.readInbound(as: ByteBuffer.self)?.readableBytes, 16)
        XCTAssertTrue(try channel.finish().isClean)
    }

    func testPartialFrameAtEOFIsDropped() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameSize: 64)))
        var partial = ByteBuffer()
        partial.writeInteger(UInt32(10), endianness: .big)
        partial.writeBytes([1, 2, 3])
        try channel.writeInbound(partial)
        XCTAssertNil(try channel.readInbound(as: ByteBuffer.self))
        // finish() reports the leftover bytes; what matters is that nothing was emitted.
        _ = try channel.finish()
    }
}
