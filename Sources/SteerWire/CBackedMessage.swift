// The one place a typed message meets protobuf-c: each message says how it reads and fills its
// generated C struct, and parsing, checking, packing and freeing follow from that.
import CSteerProto

/// The generated protobuf-c functions of one message type, and how its parse treats enum values
/// this build does not name.
struct CMessageType<M> {
    /// The message's name in `steer.v1`, as a parse error names it.
    let name: String
    let initialize: (UnsafeMutablePointer<M>) -> Void
    let unpack: (UnsafeMutablePointer<ProtobufCAllocator>?, Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<M>?
    let free: (UnsafeMutablePointer<M>?, UnsafeMutablePointer<ProtobufCAllocator>?) -> Void
    let unknownEnums: UnknownEnumValues

    init(_ name: String, _ initialize: @escaping (UnsafeMutablePointer<M>) -> Void,
         _ unpack: @escaping (UnsafeMutablePointer<ProtobufCAllocator>?, Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<M>?,
         _ free: @escaping (UnsafeMutablePointer<M>?, UnsafeMutablePointer<ProtobufCAllocator>?) -> Void,
         unknownEnums: UnknownEnumValues = .refuse) {
        self.name = name
        self.initialize = initialize
        self.unpack = unpack
        self.free = free
        self.unknownEnums = unknownEnums
    }
}

/// A ``WireMessage`` packed and parsed by protobuf-c: it names its generated type, reads itself from
/// a parsed C struct and fills a fresh one; ``init(decoding:)`` and ``encoded()`` follow (a message
/// that adds to the bytes, as `RequestEnvelope` does, builds its own on `init(unpacking:)` and `packed()`).
protocol CBackedMessage: WireMessage {
    associatedtype CMessage
    static var cType: CMessageType<CMessage> { get }
    /// The message from a C struct protobuf-c parsed and `WireFieldCheck` checked.
    init(reading m: CMessage) throws
    /// Sets the fields of `m` (its defaults already set); C memory it points to comes from `arena`.
    func fill(_ m: inout CMessage, _ arena: CArena)
}

extension CBackedMessage {
    init(unpacking bytes: [UInt8]) throws {
        let type = Self.cType
        self = try unpackMessage(bytes, as: type.name, unpack: type.unpack, free: type.free,
                                 unknownEnums: type.unknownEnums, read: Self.init(reading:))
    }

    func packed() -> [UInt8] { packMessage(Self.cType.initialize, fill) }

    public init(decoding bytes: [UInt8]) throws { try self.init(unpacking: bytes) }

    public func encoded() -> [UInt8] { packed() }
}

/// A message without fields (a request that asks nothing more than its method).
protocol EmptyCMessage: CBackedMessage {
    init()
}

extension EmptyCMessage {
    init(reading _: CMessage) { self.init() }
    func fill(_: inout CMessage, _: CArena) {}
}
