// The protocol every typed RPC message (and envelope) conforms to.

/// A message that travels as protobuf bytes.
public protocol WireMessage: Sendable {
    /// Parses protobuf bytes.
    /// - Throws: `RPCError` with status `INVALID_ARGUMENT` when the bytes do not parse.
    init(decoding bytes: [UInt8]) throws
    /// The protobuf encoding.
    func encoded() -> [UInt8]
}
