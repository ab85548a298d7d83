// The seam between Swift values and protobuf-c's C structs: packing, unpacking, C memory.
import CSteerProto
#if canImport(Glibc)
import Glibc
#endif

/// Owns the C memory that a protobuf-c struct points into while it is being packed.
///
/// protobuf-c messages hold raw pointers (strings, repeated fields, sub-messages); the arena
/// keeps every such block alive until the message is packed and frees them together.
final class CArena {
    private var blocks: [UnsafeMutableRawPointer] = []

    deinit { for block in blocks { free(block) } }

    /// A NUL-terminated copy of `string`.
    func string(_ string: String) -> UnsafeMutablePointer<CChar> {
        let copy = strdup(string)!
        blocks.append(copy)
        return copy
    }

    /// A C array copy of `values` (trivial types only); nil when empty, as protobuf-c expects.
    func array<T>(_ values: [T]) -> UnsafeMutablePointer<T>? {
        guard !values.isEmpty else { return nil }
        let raw = malloc(MemoryLayout<T>.stride * values.count)!
        blocks.append(raw)
        let typed = raw.bindMemory(to: T.self, capacity: values.count)
        _ = UnsafeMutableBufferPointer(start: typed, count: values.count).initialize(from: values)
        return typed
    }

    /// protobuf-c's view of a byte string.
    func bytes(_ values: [UInt8]) -> ProtobufCBinaryData {
        ProtobufCBinaryData(len: values.count, data: array(values))
    }

    /// A repeated scalar field's count and C array, assigned together: `(m.n_x, m.x) = arena.counted(x)`.
    func counted<T>(_ values: [T]) -> (Int, UnsafeMutablePointer<T>?) {
        (values.count, array(values))
    }

    /// A repeated string field's count and array of C strings.
    func strings(_ values: [String]) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        counted(values.map { string($0) })
    }

    /// A message struct in arena memory: `initialize` (its generated `…__init`) sets the defaults,
    /// then `fill` sets the fields.
    func message<M>(_ initialize: (UnsafeMutablePointer<M>) -> Void, _ fill: (inout M) -> Void) -> UnsafeMutablePointer<M> {
        let raw = malloc(MemoryLayout<M>.stride)!
        blocks.append(raw)
        let typed = raw.bindMemory(to: M.self, capacity: 1)
        initialize(typed)
        fill(&typed.pointee)
        return typed
    }

    /// A repeated sub-message field's count and array of pointers, one message per value.
    func messages<T, M>(_ values: [T], _ initialize: (UnsafeMutablePointer<M>) -> Void,
                        _ fill: (inout M, T) -> Void) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<M>?>?) {
        counted(values.map { value in message(initialize) { fill(&$0, value) } })
    }
}

/// Serializes a message built as `CArena.message` builds one, its pointers into an arena that
/// lives until the bytes are packed.
func packMessage<M>(_ initialize: (UnsafeMutablePointer<M>) -> Void, _ fill: (inout M, CArena) -> Void = { _, _ in }) -> [UInt8] {
    let arena = CArena()
    let message = arena.message(initialize) { fill(&$0, arena) }
    // Every generated message struct begins with its `ProtobufCMessage base`.
    let base = UnsafeMutableRawPointer(message).assumingMemoryBound(to: ProtobufCMessage.self)
    let size = protobuf_c_message_get_packed_size(base)
    guard size > 0 else { return [] }
    return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        count = protobuf_c_message_pack(base, buffer.baseAddress!)
    }
}

/// Parses `bytes` as a message of `type` with protobuf-c, checks what protobuf-c does not (every
/// string UTF-8 without NUL, every enum a named value unless the type's `unknownEnums` is `.keep`;
/// see `WireFieldCheck`), reads the result, and frees it.
/// - Throws: `RPCError(.invalidArgument)` naming the message type when the bytes do not parse, or
///   naming the field that breaks a rule.
func unpackMessage<M, R>(_ bytes: [UInt8], as type: CMessageType<M>, read: (M) throws -> R) throws -> R {
    let parsed = bytes.withUnsafeBufferPointer { type.unpack(nil, $0.count, $0.baseAddress) }
    guard let message = parsed else {
        throw RPCError(.invalidArgument, "payload of \(bytes.count) bytes is not a valid \(String(cString: type.descriptor.pointee.name))")
    }
    defer { type.free(message, nil) }
    try bytes.withUnsafeBufferPointer { raw throws(RPCError) in
        try WireFieldCheck.check(raw, as: type.descriptor, unknownEnums: type.unknownEnums)
    }
    return try read(message.pointee)
}

// MARK: Reading C fields into Swift values

func swiftString(_ pointer: UnsafePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    return String(cString: pointer)
}

func swiftArray<T>(_ pointer: UnsafePointer<T>?, _ count: Int) -> [T] {
    guard let pointer, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: pointer, count: count))
}

func swiftStrings(_ pointer: UnsafePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int) -> [String] {
    swiftArray(pointer, count).map { swiftString($0) }
}

func swiftBytes(_ data: ProtobufCBinaryData) -> [UInt8] {
    swiftArray(data.data, data.len)
}

/// Reads a repeated sub-message field (`n` pointers to C structs).
func swiftMessages<M, R>(_ pointers: UnsafeMutablePointer<UnsafeMutablePointer<M>?>?, _ count: Int, _ read: (M) -> R) -> [R] {
    guard let pointers, count > 0 else { return [] }
    return (0..<count).compactMap { pointers[$0].map { read($0.pointee) } }
}

func cBool(_ value: Bool) -> protobuf_c_boolean { value ? 1 : 0 }
