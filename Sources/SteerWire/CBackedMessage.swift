// The one place a typed message meets protobuf-c: each message says how it reads and fills its
// generated C struct, and parsing, checking, packing and freeing follow from that.
import CSteerProto

/// One generated protobuf-c message type: its descriptor, which protobuf-c's generic functions
/// take to parse and free it, and how its parse treats enum values this build does not name.
///
/// `@unchecked Sendable`: the descriptor is static, read-only data of the generated code.
struct CMessageType<M>: @unchecked Sendable {
    let descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    /// The generated `…__init`: sets the defaults (and the descriptor) of a new struct.
    let initialize: (UnsafeMutablePointer<M>) -> Void
    let unknownEnums: UnknownEnumValues

    /// The type whose generated `…__init` is `initialize`; the rest of the generated functions
    /// (`…__unpack`, `…__free_unpacked`) are protobuf-c's generic ones applied to its descriptor.
    init(_ initialize: @escaping (UnsafeMutablePointer<M>) -> Void, unknownEnums: UnknownEnumValues = .refuse) {
        let probe = UnsafeMutablePointer<M>.allocate(capacity: 1)
        defer { probe.deallocate() }
        initialize(probe)
        // Every generated message struct begins with its `ProtobufCMessage base`, which names its descriptor.
        descriptor = UnsafeMutableRawPointer(probe).assumingMemoryBound(to: ProtobufCMessage.self).pointee.descriptor
        self.initialize = initialize
        self.unknownEnums = unknownEnums
    }

    func unpack(_ allocator: UnsafeMutablePointer<ProtobufCAllocator>?, _ count: Int, _ data: UnsafePointer<UInt8>?) -> UnsafeMutablePointer<M>? {
        protobuf_c_message_unpack(descriptor, allocator, count, data).map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: M.self) }
    }

    func free(_ message: UnsafeMutablePointer<M>?, _ allocator: UnsafeMutablePointer<ProtobufCAllocator>?) {
        guard let message else { return }
        protobuf_c_message_free_unpacked(UnsafeMutableRawPointer(message).assumingMemoryBound(to: ProtobufCMessage.self), allocator)
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
        self = try unpackMessage(bytes, as: Self.cType, read: Self.init(reading:))
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
