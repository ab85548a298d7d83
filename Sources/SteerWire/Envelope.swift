// Request and response envelopes: the outer message of every frame.
import CSteerProto

/// What a client sends: which RPC, its id, an optional deadline, and the RPC's payload.
public struct RequestEnvelope: CBackedMessage, Equatable {
    public var id: UInt64
    /// The method number as sent, all of its varint (an enum is int32 on the wire, so -1 arrives
    /// sign-extended and reads as -1); may name no known method.
    public var methodNumber: Int64
    /// Microseconds since the Unix epoch; 0 means no deadline.
    public var deadlineUnixMicros: UInt64
    public var payload: [UInt8]

    /// The method, when the number names one this build knows.
    public var method: Method? { UInt32(exactly: methodNumber).flatMap(Method.init(rawValue:)) }

    public init(id: UInt64, method: Method, deadlineUnixMicros: UInt64 = 0, payload: [UInt8] = []) {
        self.init(id: id, methodNumber: Int64(method.rawValue), deadlineUnixMicros: deadlineUnixMicros, payload: payload)
    }

    public init(id: UInt64, methodNumber: Int64, deadlineUnixMicros: UInt64 = 0, payload: [UInt8] = []) {
        self.id = id
        self.methodNumber = methodNumber
        self.deadlineUnixMicros = deadlineUnixMicros
        self.payload = payload
    }

    static let cType = CMessageType(steer__v1__request__init, unknownEnums: .keep)

    /// The method number is read from the bytes by `init(decoding:)`.
    init(reading m: Steer__V1__Request) {
        self.init(id: m.id, methodNumber: 0, deadlineUnixMicros: m.deadline_unix_micros, payload: swiftBytes(m.payload))
    }

    /// The method as protobuf-c packs it, an int32: `encoded()` adds a larger number after it.
    func fill(_ m: inout Steer__V1__Request, _ arena: CArena) {
        m.id = id
        m.method = Steer__V1__Method(rawValue: UInt32(bitPattern: Int32(exactly: methodNumber) ?? 0))
        m.deadline_unix_micros = deadlineUnixMicros
        m.payload = arena.bytes(payload)
    }

    /// An unknown method number is kept (the dispatcher answers it UNIMPLEMENTED, naming it).
    public init(decoding bytes: [UInt8]) throws {
        try self.init(unpacking: bytes)
        // protobuf-c parses the enum as int32, so 2^40 would read as 0 (Health's neighbour, "method
        // number 0"); the bytes hold the number as sent. The last occurrence wins, as in protobuf.
        methodNumber = try Self.methodOnTheWire(bytes)
    }

    /// The last varint of field 2 (`method`), sign-extended as protobuf reads an int32 enum; 0 when absent.
    private static func methodOnTheWire(_ bytes: [UInt8]) throws -> Int64 {
        try bytes.withUnsafeBufferPointer { raw in
            var reader = WireReader(raw)
            var method: UInt64 = 0
            do {
                while let field = try reader.next() {
                    if field.number == 2, case .varint(let value) = field.value { method = value }
                }
            } catch {
                throw RPCError(.invalidArgument, "payload of \(bytes.count) bytes is not a valid steer.v1.Request: \(error)")
            }
            return Int64(bitPattern: method)
        }
    }

    public func encoded() -> [UInt8] {
        // protobuf-c packs an enum as int32 and would send only the low 32 bits (2^32 + 1 would call
        // Health): a larger number goes after the rest, where the last occurrence wins.
        var bytes = packed()
        if Int32(exactly: methodNumber) == nil {
            var value = UInt64(bitPattern: methodNumber)
            bytes.append(0x10)   // field 2, varint
            while value >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }
        return bytes
    }
}

/// What the daemon answers: the request's id, a status, and the RPC's payload when OK.
public struct ResponseEnvelope: CBackedMessage, Equatable {
    public var id: UInt64
    /// The status number as received (a newer daemon may send codes this build does not know).
    public var statusNumber: UInt32
    public var message: String
    public var payload: [UInt8]

    /// The status; unknown numbers read as `.unknown`, as gRPC does.
    public var status: StatusCode { StatusCode(rawValue: statusNumber) ?? .unknown }

    public init(id: UInt64, status: StatusCode, message: String = "", payload: [UInt8] = []) {
        self.id = id
        self.statusNumber = status.rawValue
        self.message = message
        self.payload = payload
    }

    /// A successful response carrying `payload`.
    public static func ok(id: UInt64, _ payload: some WireMessage) -> ResponseEnvelope {
        ResponseEnvelope(id: id, status: .ok, payload: payload.encoded())
    }

    /// A failed response.
    public static func failure(id: UInt64, _ error: RPCError) -> ResponseEnvelope {
        ResponseEnvelope(id: id, status: error.status, message: error.message)
    }

    // An unknown status is kept: `status` reads it as UNKNOWN, as gRPC does.
    static let cType = CMessageType(steer__v1__response__init, unknownEnums: .keep)

    init(reading m: Steer__V1__Response) {
        self.init(id: m.id, status: .ok, message: swiftString(m.message), payload: swiftBytes(m.payload))
        statusNumber = m.status.rawValue
    }

    func fill(_ m: inout Steer__V1__Response, _ arena: CArena) {
        m.id = id
        m.status = Steer__V1__StatusCode(rawValue: statusNumber)
        m.message = arena.string(message)
        m.payload = arena.bytes(payload)
    }

    /// The decoded payload, or the response's error.
    /// - Throws: `RPCError` carrying the status when it is not OK, or when the payload does not parse.
    public func result<M: WireMessage>(as type: M.Type) throws -> M {
        guard status == .ok else { throw RPCError(status, message) }
        return try M(decoding: payload)
    }
}
