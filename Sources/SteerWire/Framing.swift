// Frames on the socket: a 4-byte big-endian length, then that many bytes of one envelope.

public enum Framing {
    /// Bytes of the length prefix.
    public static let headerSize = 4
    /// The default largest frame body either side accepts (4 MiB).
    public static let defaultMaxFrameSize = 4 << 20

    /// Prefixes `body` with its length.
    /// - Precondition: `body.count` fits in 32 bits.
    public static func frame(_ body: [UInt8]) -> [UInt8] {
        precondition(body.count <= Int(UInt32.max), "frame body of \(body.count) bytes does not fit a 32-bit length")
        var out = [UInt8]()
        out.reserveCapacity(headerSize + body.count)
        appendLength(UInt32(body.count), to: &out)
        out.append(contentsOf: body)
        return out
    }

    /// Appends `length` big-endian.
    public static func appendLength(_ length: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: length >> 24))
        out.append(UInt8(truncatingIfNeeded: length >> 16))
        out.append(UInt8(truncatingIfNeeded: length >> 8))
        out.append(UInt8(truncatingIfNeeded: length))
    }

    /// Reads a big-endian length from the first four bytes of `bytes`.
    public static func readLength<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        precondition(bytes.count >= headerSize)
        return bytes.prefix(headerSize).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}
